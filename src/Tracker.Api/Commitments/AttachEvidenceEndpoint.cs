using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Projections.Commitments;
using Tracker.Api.Documents;
using Tracker.Domain.Commitments;
using Wolverine;
using Wolverine.Http;

namespace Tracker.Api.Commitments;

public static class AttachEvidenceEndpoint
{
    public static Task<IEventStream<CommitmentProgress>> LoadAsync(string key, IDocumentSession session, HttpContext http) =>
        CommitmentWrite.Fetch(key, session, http);

    public static Task<ProblemDetails> ValidateAsync(string key, Evidence request, IEventStream<CommitmentProgress> stream,
        IDocumentSession session, RegisteredDocuments registered) =>
        CommitmentWrite.Check(stream, key, session, registered, request.DocumentKey);

    /// <summary>The body is the evidence itself: { documentKey or url, primary, on, note }.</summary>
    [WolverinePost("/api/commitments/{key}/evidence", Name = "AttachEvidence")]
    [EndpointSummary("Attach evidence to the commitment")]
    [Tags("Commitments")]
    public static (IResult, OutgoingMessages) Post(Evidence request, IEventStream<CommitmentProgress> stream) =>
        CommitmentWrite.Append(stream, AttachEvidence.Decide(stream.Aggregate!.State, request.Normalised()));
}
