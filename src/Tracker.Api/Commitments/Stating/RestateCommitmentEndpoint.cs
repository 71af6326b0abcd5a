using Tracker.Api.Infrastructure.Validation;
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

namespace Tracker.Api.Commitments.Stating;

/// <summary>A later document restates the commitment. RestatedOn defaults to that document's publication date.</summary>
public sealed record RestateCommitmentRequest(
    Provenance RestatedIn,
    [property: Happened] DateOnly? RestatedOn,
    Target? NewTarget,
    Deadline? NewDeadline,
    [property: MultiLine] string? Note) : ICitesDocuments
{
    public IEnumerable<string?> CitedDocuments() => [RestatedIn.DocumentKey];

    /// <summary>None: a restatement cites its document by where it says so, not as a source that is primary or not.</summary>
    public IEnumerable<Evidence> CitedSources() => [];

    public sealed class Validator : AbstractValidator<RestateCommitmentRequest>
    {
        public Validator()
        {
            RuleFor(x => x.RestatedIn).NotNull().SetValidator(new ProvenanceValidator());
            RuleFor(x => x.NewTarget!).SetValidator(new TargetValidator()).When(x => x.NewTarget is not null);
            RuleFor(x => x.NewDeadline!).SetValidator(new DeadlineValidator()).When(x => x.NewDeadline is not null);
            RuleFor(x => x.Note).MaximumCharacters(2000);
        }
    }
}

public static class RestateCommitmentEndpoint
{
    /// <summary>The restating document (registered: the shared workflow checked), for its date and canonical key.</summary>
    public static async Task<DocumentView> LoadAsync(RestateCommitmentRequest request, IDocumentSession session,
        CancellationToken token) =>
        (await session.LoadAsync<DocumentView>(StreamIds.ForDocument(request.RestatedIn.DocumentKey), token))!;

    [WolverinePost("/api/commitments/{key}/restatements", Name = "RestateCommitment")]
    [EndpointSummary("Record that a later document restated the commitment")]
    [Tags("Commitments")]
    public static (IResult, AppendToCommitment, OutgoingMessages) Post(RestateCommitmentRequest request, CommitmentState commitment,
        DocumentView document, TimeProvider clock)
    {
        // No day given where the document gives none: asked for first, since the rules would be decided on a day nobody gave.
        if (request.RestatedOn is null && DocumentChecks.DayNeeded(document, null, "restatedOn") is { } dayNeeded)
        {
            return CommitmentWrite.Recorded(commitment, clock, dayNeeded);
        }
        var restated = new CommitmentRestated(request.RestatedIn with { DocumentKey = document.Key },
            request.RestatedOn ?? document.PublishedOn, request.NewTarget.Normalised(), request.NewDeadline, request.Note);
        var decision = RestateCommitment.Decide(commitment, restated);
        // A day given after the document is refused after what no day would help (a withdrawn commitment), as for a
        // revision (until 2026-12-07 the day was refused first).
        return CommitmentWrite.Recorded(commitment, clock,
            DocumentChecks.DateRefusal(document, request.RestatedOn, "restatedOn") is { } undated ? CitedDocument.Refusal(decision, undated) : decision);
    }
}
