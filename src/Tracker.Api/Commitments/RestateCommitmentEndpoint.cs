using FluentValidation;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Projections.Commitments;
using Tracker.Api.Documents;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Documents;
using Wolverine;
using Wolverine.Http;

namespace Tracker.Api.Commitments;

/// <summary>A later document restates the commitment. RestatedOn defaults to that document's publication date.</summary>
public sealed record RestateCommitmentRequest(
    Provenance RestatedIn,
    DateOnly? RestatedOn,
    Target? NewTarget,
    Deadline? NewDeadline,
    [property: MultiLine] string? Note)
{
    public sealed class Validator : AbstractValidator<RestateCommitmentRequest>
    {
        public Validator()
        {
            RuleFor(x => x.RestatedIn).NotNull().SetValidator(new ProvenanceValidator());
            RuleFor(x => x.NewTarget!).SetValidator(new TargetValidator()).When(x => x.NewTarget is not null);
            RuleFor(x => x.NewDeadline!).SetValidator(new DeadlineValidator()).When(x => x.NewDeadline is not null);
            RuleFor(x => x.Note).MaximumLength(2000);
        }
    }
}

public static class RestateCommitmentEndpoint
{
    public static async Task<(IEventStream<CommitmentProgress>, DocumentView?)> LoadAsync(string key,
        RestateCommitmentRequest request, IDocumentSession session, HttpContext http) =>
        (await CommitmentWrite.Fetch(key, session, http),
            await session.LoadAsync<DocumentView>(StreamIds.ForDocument(request.RestatedIn.DocumentKey)));

    // The document was loaded above; only when it is missing does the check look it up again, to name it in the 422.
    public static Task<ProblemDetails> ValidateAsync(string key, RestateCommitmentRequest request,
        IEventStream<CommitmentProgress> stream, DocumentView? document, IDocumentSession session, RegisteredDocuments registered) => document is null
        ? CommitmentWrite.Check(stream, key, session, registered, request.RestatedIn.DocumentKey)
        : CommitmentWrite.Check(stream, key, session, registered);

    [WolverinePost("/api/commitments/{key}/restatements", Name = "RestateCommitment")]
    [EndpointSummary("Record that a later document restated the commitment")]
    [Tags("Commitments")]
    public static (IResult, OutgoingMessages) Post(RestateCommitmentRequest request, IEventStream<CommitmentProgress> stream, DocumentView document)
    {
        var restated = new CommitmentRestated(request.RestatedIn with { DocumentKey = document.Key },
            request.RestatedOn ?? document.PublishedOn, request.NewTarget, request.NewDeadline, request.Note);
        return CommitmentWrite.Append(stream, RestateCommitment.Decide(stream.Aggregate!.State, restated));
    }
}
