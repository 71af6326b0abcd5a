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

namespace Tracker.Api.Commitments.Reporting;

/// <summary>
/// A reported figure: a quantity (unit) or money (currency), with its comparator and the date it refers to, such as
/// "more than $200 million announced" = { figure: 200000000, currency: "USD", comparator: "more-than" }.
/// </summary>
public sealed record ReportProgressRequest(
    decimal? Figure,
    string? Unit,
    string? Currency,
    Comparator? Comparator,
    [property: Happened] DateOnly? AsOf,
    ExchangeRate? ExchangeRate,
    [property: MultiLine] string? Note,
    Evidence Source,
    FigureStage? Stage = null) : ICitesItsSource, IHappenedOnADay
{
    (DateOnly? Day, string Field) IHappenedOnADay.Happened => (AsOf, "asOf");

    public sealed class Validator : AbstractValidator<ReportProgressRequest>
    {
        public Validator()
        {
            // Left out, it is said to be required, as a missing amount is (until 2026-12-06 "must not be empty").
            RuleFor(x => x.Figure).NotNull().WithMessage("figure is required.").GreaterThanOrEqualTo(0);
            RuleFor(x => x).Must(x => (x.Unit is null) != (x.Currency is null))
                .WithName("unit").WithMessage("A figure is a quantity (give unit) or money (give currency), exactly one of them.");
            RuleFor(x => x.Unit).MaximumCharacters(50);
            // As a target's unit: an empty one was answered as a unit that does not match (until 2026-12-06).
            RuleFor(x => x.Unit).Must(unit => unit!.Trim().Length > 0).When(x => x.Unit is not null)
                .WithMessage("unit, when given, names what is counted (people, kilometres).");
            RuleFor(x => x.Currency).CurrencyCode()
                .WithMessage((_, code) => Currencies.Refusal("currency", code));
            RuleFor(x => x.Comparator).NotNull().IsDefined();
            RuleFor(x => x.Stage).IsDefined();
            RuleFor(x => x.Stage).Null().When(x => x.Currency is null)
                .WithMessage($"'stage' is the stage of money a figure counts ({string.Join(", ", Wording.Names(typeof(FigureStage)))}); a figure without a currency has none.");
            RuleFor(x => x.AsOf).NotNull();
            RuleFor(x => x.ExchangeRate!).SetValidator(new ExchangeRateValidator()).When(x => x.ExchangeRate is not null);
            // A count has no currency to convert: its rate was dropped without a word until 2026-12-06.
            RuleFor(x => x.ExchangeRate).Null().When(x => x.Currency is null && x.Unit is not null)
                .WithMessage("exchangeRate converts money into the ledger currency; a figure without a currency (a count) takes none: leave it out.");
            RuleFor(x => x.Note).MaximumCharacters(2000);
            RuleFor(x => x.Source).NotNull().SetValidator(new EvidenceValidator());
        }
    }
}

public static class ReportProgressEndpoint
{
    [WolverinePost("/api/commitments/{key}/progress", Name = "ReportProgress")]
    [EndpointSummary("Record a reported figure toward the commitment")]
    [Tags("Commitments")]
    public static (IResult, AppendToCommitment, OutgoingMessages) Post(ReportProgressRequest request, CommitmentState commitment,
        RegisteredDocuments registered, TimeProvider clock) =>
        CommitmentWrite.Recorded(commitment, clock, DocumentChecks.DatedWithin(ReportProgress.Decide(commitment, request.Figure!.Value,
            request.Unit?.Trim(), request.Currency, request.Comparator!.Value, request.AsOf!.Value,
            request.ExchangeRate, request.Note, request.Source.Normalised(), request.Stage), registered, request));
}
