using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Audit;
using Tracker.Api.Infrastructure;
using Tracker.Api.Security;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Timeline;
using Wolverine.Http;

namespace Tracker.Api.Commitments.Reading;

public sealed record CommitmentTrendResponse(string Key, string LedgerCurrency, Target? Target, IReadOnlyList<TrendPoint> Points);

public static class CommitmentTrendEndpoint
{
    /// <summary>
    /// Progress over time for a chart: the commitment as it stood on each date something took effect (see
    /// CommitmentTrend), from the commitment's effective timeline. With recordedAsOf (auditors) only the events recorded
    /// by then count (folded for the request: that cost grows with the stream); with effectiveAsOf the line stops at that date.
    /// </summary>
    [WolverineGet("/api/commitments/{key}/trend", Name = "GetCommitmentTrend")]
    [EndpointSummary("Progress over time, by the dates events refer to")]
    [Tags("Commitments")]
    [ProducesResponseType<CommitmentTrendResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string key, IQuerySession session, HttpContext http, TimeProvider clock,
        DateTimeOffset? recordedAsOf, DateOnly? effectiveAsOf)
    {
        var past = new TimeTravel(recordedAsOf, null, effectiveAsOf);
        if (past.Errors(clock, versionAllowed: false) is { Count: > 0 } errors)
        {
            return QueryProblems.Invalid(errors);
        }
        if (!past.IsPresent && await AuditAccess.Refusal(http) is { } refused) return refused;

        var id = StreamIds.ForCommitment(key);
        var trend = past.RecordedAsOf is { } at
            ? AsRecorded(EffectiveOrder.AllDays(id, await session.Events.FetchStreamAsync(id, timestamp: at, token: http.RequestAborted)))
            : await new TimelineDays(session).Trend(id, effectiveAsOf, http.RequestAborted);
        if (trend is not var (points, last))
        {
            return NoSuchCommitment.Problem(key, past);
        }

        http.Response.Headers[TimeTravel.ViewHeader] = past.Describe();
        return Results.Ok(new CommitmentTrendResponse(last.Key, last.LedgerCurrency, last.Target, CommitmentTrend.Sampled(points)));
    }

    /// <summary>The trend as the tracker could have drawn it at an instant: the events recorded by then, folded here.</summary>
    private static (IReadOnlyList<TrendPoint>, CommitmentRow)? AsRecorded(IReadOnlyList<TimelineDay> days) => days.Count == 0
        ? null
        : (days.Select(d => TrendPoint.Of(d.On, d.Progress)).ToList(), CommitmentRow.Of(days[^1].Progress));
}
