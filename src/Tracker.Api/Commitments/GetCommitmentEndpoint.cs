using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Projections.Commitments;
using Wolverine.Http;

namespace Tracker.Api.Commitments;

public static class GetCommitmentEndpoint
{
    /// <summary>The commitment's progress model, with its detail and its version as the ETag.</summary>
    [WolverineGet("/api/commitments/{key}", Name = "GetCommitment")]
    [EndpointSummary("Read a commitment's progress and detail")]
    [Tags("Commitments")]
    [ProducesResponseType<CommitmentProgress>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string key, IQuerySession session, HttpContext http)
    {
        var progress = await session.LoadAsync<CommitmentProgress>(StreamIds.ForCommitment(key), http.RequestAborted);
        if (progress is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound,
                title: "No such commitment", detail: $"No commitment has key '{key}'.");
        }

        http.Response.Headers.ETag = Versions.ToETag(progress.Version);
        return Results.Ok(progress);
    }
}
