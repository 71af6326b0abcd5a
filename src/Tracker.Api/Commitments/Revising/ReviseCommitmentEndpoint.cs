using Tracker.Api.Infrastructure.Validation;
using FluentValidation;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Projections.Commitments;
using Tracker.Api.Documents;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Wolverine;
using Wolverine.Http;

namespace Tracker.Api.Commitments.Revising;

/// <summary>
/// A revised target, deadline or ledger currency (what money is counted in while the target is not money), any of them
/// at once, with the reason and its source.
/// </summary>
public sealed record ReviseCommitmentRequest(Target? Target, Deadline? Deadline, [property: MultiLine] string Reason,
    Evidence Source, string? LedgerCurrency = null) : ICitesItsSource
{
    public sealed class Validator : AbstractValidator<ReviseCommitmentRequest>
    {
        public Validator()
        {
            RuleFor(x => x).Must(x => x.Target is not null || x.Deadline is not null || x.LedgerCurrency is not null)
                .WithName("target").WithMessage("A revision needs a new target, deadline or ledger currency.");
            RuleFor(x => x.LedgerCurrency).LedgerCurrencyCode();
            RuleFor(x => x.Target!).SetValidator(new TargetValidator()).When(x => x.Target is not null);
            RuleFor(x => x.Deadline!).SetValidator(new DeadlineValidator()).When(x => x.Deadline is not null);
            RuleFor(x => x.Reason).NotEmpty().MaximumCharacters(2000);
            RuleFor(x => x.Source).NotNull().SetValidator(new EvidenceValidator());
        }
    }
}

public static class ReviseCommitmentEndpoint
{
    public static Task<CitedDocument> LoadAsync(ReviseCommitmentRequest request, IDocumentSession session, CancellationToken token) =>
        CitedDocument.LoadAsync(request.Source.Normalised(), session, token);

    [WolverinePost("/api/commitments/{key}/revisions", Name = "ReviseCommitment")]
    [EndpointSummary("Revise the commitment's target, deadline or ledger currency")]
    [Tags("Commitments")]
    public static (IResult, AppendToCommitment, OutgoingMessages) Post(ReviseCommitmentRequest request, CommitmentState commitment,
        CitedDocument cited, TimeProvider clock)
    {
        Decision Decide(Evidence source) => ReviseCommitment.Decide(commitment, request.Target.Normalised(), request.Deadline,
            request.Reason.Trim(), source, request.LedgerCurrency);
        var (dated, dayNeeded) = cited.Dating(request.Source.Normalised());
        var decision = dayNeeded is null ? Decide(dated) : CitedDocument.Refusal(Decide(dated), dayNeeded);
        // What is in force after it: a revision dated before a later one is recorded, and is not the one in force.
        return CommitmentWrite.Recorded(commitment, clock, decision, state => new Recorded(state.Key, state.Version,
            [.. decision.Events.Select(EventNames.Of)], new InForceNow(state.Target, state.Deadline, state.LedgerCurrency)));
    }
}
