using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Audit;
using Tracker.Api.Infrastructure;
using Tracker.Api.Security;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Wolverine.Http;

namespace Tracker.Api.Commitments;

public sealed record CommitmentTrendResponse(string Key, string LedgerCurrency, Target? Target, IReadOnlyList<TrendPoint> Points);

public static class CommitmentTrendEndpoint
{
    /// <summary>
    /// Progress over time for a chart: the commitment as it stood on each date something took effect (see
    /// CommitmentTrend). With recordedAsOf (auditors) only the events recorded by then count; with effectiveAsOf the
    /// line stops at that date.
    /// </summary>
    [WolverineGet("/api/commitments/{key}/trend", Name = "GetCommitmentTrend")]
    [EndpointSummary("Progress over time, by the dates events refer to")]
    [Tags("Commitments")]
    [ProducesResponseType<CommitmentTrendResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string key, IQuerySession session, HttpContext http,
        DateTimeOffset? recordedAsOf, DateOnly? effectiveAsOf)
    {
        var past = new TimeTravel(recordedAsOf, null, effectiveAsOf);
        if (past.Errors(versionAllowed: false) is { Count: > 0 } errors)
        {
            return QueryProblems.Invalid(errors);
        }
        if (!past.IsPresent && await AuditAccess.Refusal(http) is { } refused) return refused;

        var id = StreamIds.ForCommitment(key);
        var events = await session.Events.FetchStreamAsync(id, timestamp: past.RecordedAsOf, token: http.RequestAborted);
        var points = CommitmentTrend.Of(id, events, effectiveAsOf);
        var last = effectiveAsOf is { } on
            ? CommitmentReplay.Fold(id, events, CommitmentReplay.EffectiveOn(on, events))
            : CommitmentReplay.Fold(id, events);
        if (last is null || points.Count == 0)
        {
            return NoSuchCommitment.Problem(key, past);
        }

        http.Response.Headers[TimeTravel.ViewHeader] = past.Describe();
        return Results.Ok(new CommitmentTrendResponse(last.Key, last.LedgerCurrency, last.Target, points));
    }
}
