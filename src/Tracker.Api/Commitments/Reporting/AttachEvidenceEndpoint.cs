using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Projections.Commitments;
using Tracker.Api.Documents;
using Tracker.Domain.Commitments;
using Wolverine;
using Wolverine.Http;

namespace Tracker.Api.Commitments.Reporting;

public static class AttachEvidenceEndpoint
{
    public static Task<CitedDocument> LoadAsync(Evidence request, IDocumentSession session, CancellationToken token) =>
        CitedDocument.LoadAsync(request.Normalised(), session, token);

    /// <summary>
    /// Evidence from a document, without a day of its own, takes its document's day, as a revision's source does (until
    /// 2026-12-06 the day it was recorded, however old the document); from a document dated only to its month or year,
    /// the last day of that month or year (<see cref="CitedDocument.EvidenceDated"/>).
    /// </summary>
    [WolverinePost("/api/commitments/{key}/evidence", Name = "AttachEvidence")]
    [EndpointSummary("Attach evidence to the commitment")]
    [Tags("Commitments")]
    public static (IResult, AppendToCommitment, OutgoingMessages) Post(Evidence request, CommitmentState commitment,
        CitedDocument cited, TimeProvider clock)
    {
        var (_, refused) = cited.Dating(request.Normalised(), "on");
        // A day after its document is refused (a text cannot record what came after it), after what the rules refuse
        // whatever the day (a withdrawn commitment); a document without a day of its own dates the evidence at the latest
        // day it can speak of.
        if (refused is { Rule: "dated-after-document" })
            return CommitmentWrite.Recorded(commitment, clock, CitedDocument.Refusal(AttachEvidence.Decide(commitment, request.Normalised()), refused));
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        return CommitmentWrite.Recorded(commitment, clock, AttachEvidence.Decide(commitment, cited.EvidenceDated(request.Normalised(), today)));
    }
}
