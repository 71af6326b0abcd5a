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
    [WolverinePost("/api/commitments/{key}/evidence", Name = "AttachEvidence")]
    [EndpointSummary("Attach evidence to the commitment")]
    [Tags("Commitments")]
    public static (IResult, AppendToCommitment, OutgoingMessages) Post(Evidence request, CommitmentState commitment, TimeProvider clock) =>
        CommitmentWrite.Recorded(commitment, clock, AttachEvidence.Decide(commitment, request.Normalised()));
}
