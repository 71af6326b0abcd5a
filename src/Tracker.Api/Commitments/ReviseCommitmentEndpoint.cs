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

namespace Tracker.Api.Commitments;

/// <summary>A revised target, deadline or both, with the reason and its source.</summary>
public sealed record ReviseCommitmentRequest(Target? Target, Deadline? Deadline, [property: MultiLine] string Reason,
    Evidence Source)
{
    public sealed class Validator : AbstractValidator<ReviseCommitmentRequest>
    {
        public Validator()
        {
            RuleFor(x => x).Must(x => x.Target is not null || x.Deadline is not null)
                .WithName("target").WithMessage("A revision needs a new target, a new deadline, or both.");
            RuleFor(x => x.Target!).SetValidator(new TargetValidator()).When(x => x.Target is not null);
            RuleFor(x => x.Deadline!).SetValidator(new DeadlineValidator()).When(x => x.Deadline is not null);
            RuleFor(x => x.Reason).NotEmpty().MaximumLength(2000);
            RuleFor(x => x.Source).NotNull().SetValidator(new EvidenceValidator());
        }
    }
}

public static class ReviseCommitmentEndpoint
{
    public static Task<IEventStream<CommitmentProgress>> LoadAsync(string key, IDocumentSession session, HttpContext http) =>
        CommitmentWrite.Fetch(key, session, http);

    public static Task<ProblemDetails> ValidateAsync(string key, ReviseCommitmentRequest request,
        IEventStream<CommitmentProgress> stream, IDocumentSession session, RegisteredDocuments registered) =>
        CommitmentWrite.Check(stream, key, session, registered, request.Source.DocumentKey);

    [WolverinePost("/api/commitments/{key}/revisions", Name = "ReviseCommitment")]
    [EndpointSummary("Revise the commitment's target or deadline")]
    [Tags("Commitments")]
    public static (IResult, OutgoingMessages) Post(ReviseCommitmentRequest request, IEventStream<CommitmentProgress> stream) =>
        CommitmentWrite.Append(stream, ReviseCommitment.Decide(stream.Aggregate!.State, request.Target, request.Deadline,
            request.Reason.Trim(), request.Source.Normalised()));
}
