using Tracker.Api.Commitments;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Wolverine.Http;

namespace Tracker.Api.Audit;

public static class VerifyEndpoints
{
    [WolverineGet("/api/audit/commitments/{key}/verify", Name = "VerifyCommitmentLog")]
    [EndpointSummary("Recompute a commitment's hash chain and report every event that does not match")]
    [Tags("Audit")]
    [ProducesResponseType<VerificationReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> VerifyCommitment(string key, LogVerifier verifier, CancellationToken token)
    {
        var report = await verifier.VerifyStream(StreamIds.ForCommitment(key), token);
        return report.EventsChecked == 0
            ? NoSuchCommitment.Problem(key)
            : Results.Ok(report);
    }

    [WolverineGet("/api/audit/verify", Name = "VerifyWholeLog")]
    [EndpointSummary("Recompute every stream's hash chain and report every event that does not match")]
    [Tags("Audit")]
    public static Task<VerificationReport> VerifyAll(LogVerifier verifier, CancellationToken token) =>
        verifier.VerifyAll(token);
}
