using Tracker.Api.Infrastructure.Validation;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Mvc;
using Tracker.Projections.Commitments;
using Tracker.Api.Documents;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Documents;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using Tracker.Api.Commitments.Assessing;

namespace Tracker.Api.Commitments.Stating;

/// <summary>
/// A commitment as a source document states it. StatedOn defaults to the document's publication date. LedgerCurrency
/// names what money toward it is counted in while its target is not money (by default Ledger:DefaultCurrency, USD unless
/// set); a money target counts in its own currency.
/// </summary>
public sealed record StateCommitmentRequest(
    string Key,
    string Title,
    CommitmentKind? Kind,
    string LineOfEffort,
    IReadOnlyList<string>? Actors,
    Target? Target,
    Deadline? Deadline,
    Provenance StatedIn,
    [property: Happened] DateOnly? StatedOn,
    string? LedgerCurrency = null)
{
    public const int MaxActors = 50;

    public sealed class Validator : AbstractValidator<StateCommitmentRequest>
    {
        public Validator()
        {
            RuleFor(x => x.Key).NotEmpty().MaximumCharacters(100).Slug("key");
            RuleFor(x => x.Title).NotEmpty().MaximumCharacters(500);
            RuleFor(x => x.Kind).NotNull().IsDefined();
            RuleFor(x => x.LineOfEffort).NotEmpty().MaximumCharacters(100);
            RuleFor(x => x.Actors).NotEmpty().WithMessage("Name at least one actor responsible (\"coalition\", a member, a working group).");
            // Named by its place, as the field map files it (until 2026-12-07 "'actors' must not be empty" under actors[0]).
            RuleForEach(x => x.Actors).NotEmpty().WithMessage("actors[{CollectionIndex}] must not be blank: name each actor (\"coalition\", a member).")
                .MaximumCharacters(200)
                .Must(NameSpellings.ComparesAsItReads).WithMessage($"each actor {NameSpellings.ComparesAsItReadsRule}")
                // commitments.csv lists a commitment's actors in one cell, joined by "; ": one with a ';' would read as two.
                .Must(actor => actor is null || !actor.Contains(';'))
                .WithMessage("each actor must be written without ';', which separates the actors in the exports.");
            RuleFor(x => x.LineOfEffort).Must(NameSpellings.ComparesAsItReads)
                .WithMessage($"lineOfEffort {NameSpellings.ComparesAsItReadsRule}");
            RuleFor(x => x.Actors).MaximumCount(MaxActors)
                .WithMessage($"Name at most {MaxActors} actors; a group of members is one actor (\"coalition\", \"working group\").");
            RuleFor(x => x.Actors).Must(a => a!.Select(n => NameSpellings.Folded(n.Trim())).Distinct(StringComparer.Ordinal).Count() == a!.Count)
                .When(x => x.Actors is { Count: > 0 } a && a.All(n => n is not null))
                .WithMessage("Name each actor once (names that differ only in case or spaces are the same actor).");
            RuleFor(x => x.Target!).SetValidator(new TargetValidator()).When(x => x.Target is not null);
            RuleFor(x => x.Deadline!).SetValidator(new DeadlineValidator()).When(x => x.Deadline is not null);
            RuleFor(x => x.StatedIn).NotNull().SetValidator(new ProvenanceValidator());
            RuleFor(x => x.LedgerCurrency).LedgerCurrencyCode();
        }
    }
}

public static class StateCommitmentEndpoint
{
    public static Task<DocumentView?> LoadAsync(StateCommitmentRequest request, IQuerySession session) =>
        session.LoadAsync<DocumentView>(StreamIds.ForDocument(request.StatedIn.DocumentKey));

    public static async Task<ProblemDetails> ValidateAsync(StateCommitmentRequest request, DocumentView? document,
        IOptions<LedgerOptions> ledger, IDocumentSession session, CancellationToken token)
    {
        if (await session.LoadAsync<CommitmentProgress>(StreamIds.ForCommitment(request.Key)) is { } existing)
        {
            return new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Type = ProblemTypes.DuplicateKey,
                Title = "The key is already taken",
                Detail = $"A commitment with key '{existing.Key}' already exists."
            };
        }

        // Answered from the load itself, not a second look: a registration committing in between would otherwise
        // pass the check and leave Post without its document. Ordered before that registration, the 422 is true.
        if (document is null) return DocumentChecks.NotRegistered([StreamIds.Normalise(request.StatedIn.DocumentKey)]);
        // A statement its own rules refuse is answered by Post with that rule's 422, and claims no name.
        if (Decide(request, document, ledger.Value).Violation is not null) return WolverineContinue.NoProblems;
        // Last, in the write's transaction: a refused request leaves no name claimed.
        return await NameSpellings.ClaimAsync(session, NameSpellings.Of(request.LineOfEffort.Trim(), request.Actors!.Select(a => a.Trim())), token)
            is { } spelledOtherwise
            ? RuleProblems.Details(spelledOtherwise)
            : WolverineContinue.NoProblems;
    }

    [WolverinePost("/api/commitments", Name = "StateCommitment")]
    [EndpointSummary("Record a commitment stated in a source document")]
    [Tags("Commitments")]
    [ProducesResponseType<Recorded>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [Tracker.Api.Infrastructure.Http.AnswersVersion]
    public static (IResult, IMartenOp, OutgoingMessages) Post(StateCommitmentRequest request, DocumentView? document,
        IOptions<LedgerOptions> ledger)
    {
        var decision = Decide(request, document!, ledger.Value);
        if (decision.Violation is { } violation) return (RuleProblems.For(violation), MartenOps.Nothing(), []);

        var stated = (CommitmentStated)decision.Events[0];
        var id = StreamIds.ForCommitment(stated.Key);
        var started = CommitmentState.Stated(stated) with { Id = id };
        return (new WriteAccepted(new Recorded(stated.Key, 1, ["commitment-stated"]), 1, $"/api/commitments/{stated.Key}"),
            MartenOps.StartStream<CommitmentProgress>(id, [.. decision.Events]),
            [.. CheckDeadline.WhenItMayFallDue(null, started)]);
    }

    /// <summary>The statement as the request, its document and the ledger's default give it, and whether the rules take it.</summary>
    private static Decision Decide(StateCommitmentRequest request, DocumentView document, LedgerOptions ledger)
    {
        if (DocumentChecks.DateRefusal(document, request.StatedOn, "statedOn") is { } undated) return undated;
        var stated = new CommitmentStated(StreamIds.Normalise(request.Key), request.Title.Trim(), request.Kind!.Value,
            request.LineOfEffort.Trim(), request.Actors!.Select(a => a.Trim()).ToList(), request.Target.Normalised(), request.Deadline,
            request.StatedIn with { DocumentKey = StreamIds.Normalise(request.StatedIn.DocumentKey) },
            request.StatedOn ?? document.PublishedOn, ledger.ForStatement(request.LedgerCurrency, request.Target));
        return StateCommitment.Decide(stated);
    }
}
