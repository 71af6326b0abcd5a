using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Wolverine.Http;

namespace Tracker.Api.Commitments;

public static class GetCommitmentEndpoint
{
    /// <summary>The commitment's current state (the inline snapshot), with its version as the ETag.</summary>
    [WolverineGet("/api/commitments/{key}", Name = "GetCommitment")]
    [EndpointSummary("Read a commitment's current state")]
    [Tags("Commitments")]
    [ProducesResponseType<Commitment>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string key, IQuerySession session, HttpContext http)
    {
        var commitment = await session.LoadAsync<Commitment>(StreamIds.ForCommitment(key), http.RequestAborted);
        if (commitment is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound,
                title: "No such commitment", detail: $"No commitment has key '{key}'.");
        }

        http.Response.Headers.ETag = Versions.ToETag(commitment.Version);
        return Results.Ok(commitment);
    }
}
