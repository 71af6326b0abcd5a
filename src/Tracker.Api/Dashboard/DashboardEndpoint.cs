using System.ComponentModel.DataAnnotations;
using System.ComponentModel;
using Marten;
using Npgsql;
using Tracker.Api.Security;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Audit;
using Tracker.Api.Commitments;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Rollup;
using Tracker.Projections.Commitments.Timeline;
using System.Globalization;
using Wolverine.Http;
using Tracker.Api.Commitments.Reading;

namespace Tracker.Api.Dashboard;

/// <summary>Money by stage (and the money targets) in one ledger currency; commitments counting in other currencies
/// are totalled apart, never converted after the fact.</summary>
public sealed record MoneyTotals(string Currency, decimal Target, decimal Pledged, decimal Committed, decimal Disbursed);

public sealed record DashboardSummary(
    int Commitments,
    IReadOnlyDictionary<string, int> ByStatus,
    IReadOnlyDictionary<string, int> ByLineOfEffort,
    IReadOnlyDictionary<string, int> ByKind,
    IReadOnlyDictionary<string, int> ByActor,
    IReadOnlyList<MoneyTotals> Money,
    IReadOnlyList<CommitmentRow> Overdue,
    int OverdueCount,
    IReadOnlyList<CommitmentRow> DueWithin90Days,
    int DueWithin90DaysCount,
    IReadOnlyList<CommitmentRow> RecentlyChanged,
    DateOnly AsOf);

public static class DashboardEndpoint
{
    public const int UpcomingDays = 90;
    public const int RecentCount = 10;
    /// <summary>The overdue and due-soon lists hold at most this many rows (the soonest due); their counts are all of them.</summary>
    public const int MaxListed = 50;

    /// <summary>
    /// As fresh as the writes, and "the next 90 days" is counted from today: the whole present from the dashboard rollup
    /// once it has taken in every write committed before the request; a filtered present, and a past date as effective
    /// (from the effective timelines), summed by PostgreSQL over the models' columns (StoredSummary); a past instant as
    /// recorded in memory from the models of that instant (RecordedPast, Summarise). The list filters (status, kind, lineOfEffort, actor, overdue, q) narrow
    /// every figure; recordedAsOf or effectiveAsOf (auditors) summarise a past.
    /// </summary>
    [WolverineGet("/api/dashboard", Name = "GetDashboard")]
    [EndpointSummary("The dashboard summary")]
    [Tags("Dashboard")]
    [ProducesResponseType<DashboardSummary>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> Get(IQuerySession session, NpgsqlDataSource database, TimeProvider clock, HttpContext http,
        DateTimeOffset? recordedAsOf, DateOnly? effectiveAsOf, [NamesOf(typeof(CommitmentStatus))] string? status, [NamesOf(typeof(CommitmentKind))] string? kind,
        string? lineOfEffort, string? actor, bool? overdue, [MaxLength(CommitmentFilter.MaxSearchLength)] string? q, CancellationToken token)
    {
        var past = new TimeTravel(recordedAsOf, null, effectiveAsOf);
        var errors = past.Errors(clock, versionAllowed: false);
        var filter = CommitmentFilter.Parse(status, kind, lineOfEffort, actor, overdue, q, errors);
        if (errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        if (!past.IsPresent && await AuditAccess.Refusal(http) is { } refused) return refused;
        filter = await filter.WithStoredSpellings(database, errors, token);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);

        var day = past.Day(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        http.Response.Headers[TimeTravel.ViewHeader] = past.Describe();
        if (past.IsPresent)
        {
            // The whole present, or the present narrowed by one status, kind, line of effort or actor, from the rollup when
            // it has taken in every write made so far (it follows them within about a second); otherwise, or for other
            // filters, summed over the commitments themselves.
            var fromRollup = StoredSummary.RollupScope(filter) is not null && await RollupCaughtUp(session.DocumentStore, database, token);
            return Results.Ok(await StoredSummary.Of(session, database, filter, day, token, fromRollup: fromRollup));
        }
        if (past.EffectiveAsOf is { } on)
        {
            var timeline = await Freshness.CaughtUp(session.DocumentStore, EffectiveTimelineProjection.ProjectionName, token);
            http.Response.Headers[Freshness.LagHeader] = timeline.Lag.ToString(CultureInfo.InvariantCulture);
            return Results.Ok(await StoredSummary.Of(session, database, filter, day, token, effectiveOn: on));
        }

        var then = (await filter.OfRecorded(await past.AllRecorded(session, database, token), database, token)).ToList();
        return Results.Ok(Summarise(then, day));
    }

    /// <summary>
    /// Summing this many commitments or fewer costs less than waiting for the rollup may: docs/benchmarks.md, scenario 10,
    /// reads 200,000 list rows in one scan in about 150 ms, 0.75 µs a row, so 20,000 in about 15 ms (the dashboard's
    /// grouped statement costs somewhat more than that scan).
    /// </summary>
    public const long SummedWithoutWaiting = 20_000;

    /// <summary>
    /// Whether the rollup has taken in every write made before the request. Behind, it is waited for (up to
    /// <see cref="Freshness.RollupWait"/>) only where summing the commitments instead costs more than waiting may: under
    /// steady writes a tracker of a few hundred commitments waited the whole 250 ms on almost every read and then summed
    /// anyway (262 ms against 8 ms idle, until 2026-12-07).
    /// </summary>
    private static async Task<bool> RollupCaughtUp(IDocumentStore store, NpgsqlDataSource database, CancellationToken token)
    {
        if ((await Freshness.CaughtUp(store, DashboardRollupProjection.ProjectionName, token, TimeSpan.Zero)).Lag == 0) return true;
        await using var counted = database.CreateCommand(DashboardRollup.CountedSql(TrackerDatabase.Schema));
        if ((long)(await counted.ExecuteScalarAsync(token))! <= SummedWithoutWaiting) return false;
        return (await Freshness.CaughtUp(store, DashboardRollupProjection.ProjectionName, token, Freshness.RollupWait)).Lag == 0;
    }

    public static DashboardSummary Summarise(IReadOnlyList<CommitmentProgress> all, DateOnly today)
    {
        var open = all.Where(c => !c.IsAchieved && c.Status != CommitmentStatus.Withdrawn).ToList();
        var overdue = all.Where(c => c.Overdue).OrderBy(c => c.DueBy).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
        var dueSoon = open.Where(c => c.DueBy is { } due && due >= today && due <= today.AddDays(UpcomingDays))
            .OrderBy(c => c.DueBy).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
        return new DashboardSummary(
            all.Count,
            Count(all, c => Wording.Name(c.Status)),
            Count(all, c => c.LineOfEffort),
            Count(all, c => Wording.Name(c.Kind)),
            all.SelectMany(c => c.Actors).GroupBy(a => a).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()),
            all.GroupBy(c => c.LedgerCurrency).OrderBy(g => g.Key).Select(g => new MoneyTotals(g.Key,
                Decimals.Normal(g.Where(c => c.Target is { IsMoney: true }).Sum(c => c.Target!.Amount)),
                Decimals.Normal(g.Sum(c => c.Money.Pledged)), Decimals.Normal(g.Sum(c => c.Money.Committed)),
                Decimals.Normal(g.Sum(c => c.Money.Disbursed)))).ToList(),
            overdue.Take(MaxListed).Select(CommitmentRow.Of).ToList(),
            overdue.Count,
            dueSoon.Take(MaxListed).Select(CommitmentRow.Of).ToList(),
            dueSoon.Count,
            all.OrderByDescending(c => c.LastChangedAt).ThenBy(c => c.Key, StringComparer.Ordinal).Take(RecentCount).Select(CommitmentRow.Of).ToList(),
            today);
    }

    private static IReadOnlyDictionary<string, int> Count(IEnumerable<CommitmentProgress> all, Func<CommitmentProgress, string> by) =>
        all.GroupBy(by).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
}
