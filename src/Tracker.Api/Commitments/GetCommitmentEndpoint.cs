using Marten;
using Tracker.Api.Security;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Audit;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Projections.Commitments;
using Wolverine.Http;

namespace Tracker.Api.Commitments;

public static class GetCommitmentEndpoint
{
    /// <summary>
    /// The commitment's progress model, with its detail and its version as the ETag. With recordedAsOf (an instant),
    /// version, or effectiveAsOf (a date): the same model as it was then (see TimeTravel); the X-Tracker-View header
    /// says which past the body shows.
    /// </summary>
    [WolverineGet("/api/commitments/{key}", Name = "GetCommitment")]
    [EndpointSummary("Read a commitment's progress and detail")]
    [Tags("Commitments")]
    [ProducesResponseType<CommitmentProgress>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string key, IQuerySession session, IDocumentStore store, HttpContext http,
        DateTimeOffset? recordedAsOf,
        int? version, DateOnly? effectiveAsOf)
    {
        var past = new TimeTravel(recordedAsOf, version, effectiveAsOf);
        if (past.Errors() is { Count: > 0 } errors)
        {
            return QueryProblems.Invalid(errors);
        }

        if (!past.IsPresent && await AuditAccess.Refusal(http) is { } refused) return refused;

        var id = StreamIds.ForCommitment(key);
        var progress = past.IsPresent
            ? await session.LoadAsync<CommitmentProgress>(id, http.RequestAborted)
            : await past.Commitment(session, store, id, http.RequestAborted);
        if (progress is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound,
                title: "No such commitment",
                detail: past.IsPresent
                    ? $"No commitment has key '{key}'."
                    : $"Commitment '{key}' did not exist in that past ({past.Describe()}), or has no such version.");
        }

        http.Response.Headers.ETag = Versions.ToETag(progress.Version);
        http.Response.Headers[TimeTravel.ViewHeader] = past.Describe();
        return Results.Ok(progress);
    }
}
