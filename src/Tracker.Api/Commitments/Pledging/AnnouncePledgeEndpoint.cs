using Tracker.Api.Infrastructure.Validation;
using FluentValidation;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Projections.Commitments;
using Tracker.Api.Documents;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Wolverine;
using Wolverine.Http;
using Tracker.Api.Commitments.Stating;

using Tracker.Api.Commitments.Reading;

namespace Tracker.Api.Commitments.Pledging;

/// <summary>
/// A pledge announced by a member state or organisation. PledgeId is optional: without it the pledge is named after the
/// pledger's key ("germany-1"). PledgerKey is optional too: the key the pledger's pledges are counted under, by default
/// its name's slug; a name in another script ("日本") needs one ("japan"), and one given to a name in another language
/// ("Deutschland" as "germany") counts it with the member's other pledges. An amount in another currency than the
/// commitment's needs ExchangeRate.
/// </summary>
public sealed record AnnouncePledgeRequest(
    string? PledgeId,
    string Pledger,
    Money Amount,
    [property: Happened] DateOnly? AnnouncedOn,
    ExchangeRate? ExchangeRate,
    Evidence Source,
    string? PledgerKey = null) : ICitesItsSource, INamesPledges, IHappenedOnADay
{
    (DateOnly? Day, string Field) IHappenedOnADay.Happened => (AnnouncedOn, "announcedOn");

    /// <summary>The key the pledger's pledges are counted under: the one given, else the name's slug.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => Slug.PledgerKey(Pledger, PledgerKey);

    /// <summary>Its own id, or (to number it after its pledger) the ids of every pledge numbered after the pledger's key.</summary>
    NamedPledges INamesPledges.PledgesNamed => PledgeId is { } id ? new(id, null, Announces: true)
        : string.IsNullOrWhiteSpace(Pledger) && PledgerKey is null ? default
        : new(null, Key, Announces: true);

    /// <summary>The longest pledger key a pledge id is numbered after: 100 characters less a hyphen and 19 digits.</summary>
    public const int MaxPledgerKeyToNumberAfter = 80;

    public sealed class Validator : AbstractValidator<AnnouncePledgeRequest>
    {
        public Validator()
        {
            RuleFor(x => x.PledgeId).Slug("pledgeId");
            // A number past the last one counts as none, so its leading zeros could not be told from another pledge's.
            RuleFor(x => x.PledgeId).Must(id => AnnouncePledge.NumberedStem(id!) is null || AnnouncePledge.NumberOf(id!) is not null)
                .When(x => x.PledgeId is not null && Keys.IsSlug(x.PledgeId))
                .WithMessage("pledgeId, where it ends in a number, ends in one of at most 9,223,372,036,854,775,807, the highest a " +
                             "pledge is numbered with; give a smaller number, or an id that does not end in one.");
            RuleFor(x => x.Pledger).NotEmpty().MaximumCharacters(200);
            // A pledge numbered after its pledger is "<key>-<number>", an id as any other (a slug of at most 100
            // characters): the key leaves room for the largest number (until 2026-12-06 a long name gave ids of 200).
            RuleFor(x => x.Pledger).Must(name => Slug.From(name).Length <= MaxPledgerKeyToNumberAfter)
                .When(x => x.PledgeId is null && x.PledgerKey is null && !string.IsNullOrWhiteSpace(x.Pledger) && !Slug.LosesLettersOrSymbols(x.Pledger))
                .WithMessage(x => $"pledger's key, '{Slug.From(x.Pledger)}', has {Slug.From(x.Pledger).Length} characters: a pledge numbered after it " +
                                  $"needs one of at most {MaxPledgerKeyToNumberAfter}; give a shorter name or pledgerKey, or the pledge an id of its own (pledgeId).");
            // A name in another script needs a key of its own (since 2026-12-07; until then it was refused outright).
            RuleFor(x => x.Pledger).Must(name => !Slug.LosesLettersOrSymbols(name)).When(x => x.PledgerKey is null && !string.IsNullOrWhiteSpace(x.Pledger))
                // The characters the key would lose are named: "Emoji 🇺🇦 Fund" is mostly Latin letters (since 2026-12-07).
                // (The OpenAPI document asks for the message without a request, as the rule whole: then none are named.)
                .WithMessage(x => (x?.Pledger is { } name && Slug.LostLettersOrSymbols(name) is { Length: > 0 } lost ? $"pledger holds '{lost}', which a pledger's key cannot be made of: " : "") +
                             "pledger must be written in Latin letters or digits (accents are fine: 'Türkiye', 'Côte d'Ivoire'), which the " +
                             "pledger's key is made of, unless the pledge gives pledgerKey: a name such as '日本' or '!!!' would be merged with " +
                             "others. Give pledgerKey, the key its pledges are counted under (\"japan\"), or write the name in Latin letters.");
            RuleFor(x => x.PledgerKey).Slug("pledgerKey");
            RuleFor(x => x.PledgerKey).Must(key => key!.Length <= MaxPledgerKeyToNumberAfter)
                .When(x => x.PledgeId is null && x.PledgerKey is not null && Keys.IsSlug(x.PledgerKey))
                .WithMessage($"pledgerKey has more than {MaxPledgerKeyToNumberAfter} characters: a pledge numbered after it needs one of at most " +
                             $"{MaxPledgerKeyToNumberAfter}; give a shorter key, or the pledge an id of its own (pledgeId).");
            // The pledger's name is shown as the first pledge gave it (the pledger views): one with a right-to-left mark or
            // two spaces in it was stored as sent until 2026-12-06, under the same key as the name written plainly.
            RuleFor(x => x.Pledger).Must(NameSpellings.ShowsAsItReads).When(x => !string.IsNullOrWhiteSpace(x.Pledger))
                .WithMessage($"pledger {NameSpellings.ShowsAsItReadsRule}");
            RuleFor(x => x.Amount).NotNull().SetValidator(new MoneyValidator());
            RuleFor(x => x.AnnouncedOn).NotNull();
            RuleFor(x => x.ExchangeRate!).SetValidator(new ExchangeRateValidator()).When(x => x.ExchangeRate is not null);
            RuleFor(x => x.Source).NotNull().SetValidator(new EvidenceValidator());
        }
    }
}

/// <summary>
/// A pledge announced: the commitment's new version and the pledge as its own route serves it (the Location), where
/// until 2026-12-07 the answer gave the decision's own record of it, in another shape.
/// </summary>
public sealed record PledgeRecorded(string Key, int Version, PledgeRow Pledge);

public static class AnnouncePledgeEndpoint
{
    [WolverinePost("/api/commitments/{key}/pledges", Name = "AnnouncePledge")]
    [EndpointSummary("Record a pledge announced toward the commitment")]
    [Tags("Pledges")]
    [ProducesResponseType<PledgeRecorded>(StatusCodes.Status201Created)]
    public static (IResult, AppendToCommitment, OutgoingMessages) Post(AnnouncePledgeRequest request, CommitmentState commitment,
        PledgeNumbering numbering, RegisteredDocuments registered, TimeProvider clock)
    {
        if ((request.PledgeId ?? numbering.Next(request.Key)) is not { } pledgeId)
        {
            return CommitmentWrite.Recorded(commitment, clock, AnnouncePledge.NumbersExhausted(commitment, request.Key));
        }
        var decision = DocumentChecks.DatedWithin(AnnouncePledge.Decide(commitment, pledgeId, request.Pledger.Trim(), request.Amount,
            request.AnnouncedOn!.Value, request.ExchangeRate, request.Source.Normalised(), numbering.RetractedIds, request.PledgerKey),
            registered, request);
        return CommitmentWrite.Recorded(commitment, clock, decision,
            after => new PledgeRecorded(after.Key, after.Version, PledgeRow.Of(after.FindPledge(pledgeId)!)),
            location: $"/api/commitments/{commitment.Key}/pledges/{pledgeId}");
    }
}
