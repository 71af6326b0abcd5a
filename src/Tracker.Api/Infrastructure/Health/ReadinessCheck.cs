using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tracker.Api.Infrastructure.Health;

/// <summary>
/// Ready means the database answers; the data also reports how far each async projection lags behind the newest event,
/// so an operator sees a stalled daemon before a dashboard shows stale numbers, and how many events the daemon skipped
/// because a projection could not apply them (dead letters, in mt_doc_deadletterevent).
/// </summary>
public sealed class ReadinessCheck(IDocumentStore store, IConfiguration configuration, Wolverine.Runtime.IWolverineRuntime runtime,
    IProjectionCoordinator coordinator, TimeProvider clock, Npgsql.NpgsqlDataSource database) : IHealthCheck
{
    /// <summary>The async projections whose shards readiness waits on.</summary>
    private static readonly string[] Async = [Tracker.Projections.Commitments.Timeline.EffectiveTimelineProjection.ProjectionName + ":",
        Tracker.Projections.Commitments.Rollup.DashboardRollupProjection.ProjectionName + ":"];

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken token = default)
    {
        try
        {
            var (highest, byShard) = await Freshness.AllShards(store, token);
            var lag = byShard.ToDictionary(p => p.Key, p => (object)p.Value);
            await using var session = store.QuerySession();
            var deadLetters = await session.Query<JasperFx.Events.Daemon.DeadLetterEvent>().CountAsync(token);
            var data = new Dictionary<string, object>
            {
                ["highestEventSequence"] = highest,
                ["projectionLag"] = lag,
                ["deadLetterEvents"] = (long)deadLetters,
                // Which node answered, and which async projections it runs: in a cluster exactly one node holds the
                // daemon's advisory lock and lists them; the others list none.
                ["node"] = runtime.Options.UniqueNodeId,
                ["runsAsyncProjections"] = coordinator.DaemonForMainDatabase().CurrentAgents()
                    .Select(agent => agent.Name.Identity).Order(StringComparer.Ordinal).ToList()
            };

            // The async projections' own shards: a progress row of anything else (a projection retired) stands still for good.
            var worst = byShard.Where(shard => Async.Any(name => shard.Key.StartsWith(name, StringComparison.Ordinal)))
                .Select(shard => shard.Value).DefaultIfEmpty(0).Max();
            // Read on each probe, a value the start let through as unset (empty) taken as the default.
            var tolerated = long.TryParse(configuration["Health:MaxProjectionLag"], out var lagSetting) ? lagSetting : 10_000L;
            var delay = TimeSpan.FromSeconds(int.TryParse(configuration["Health:MaxProjectionDelaySeconds"], out var delaySetting) ? delaySetting : 60);
            if (worst > tolerated) return HealthCheckResult.Degraded($"An async projection is {worst} events behind", data: data);
            // A few events behind for minutes is a stalled projection too (one taking the same page again and again): until
            // 2026-12-06 readiness said Healthy while a projection stood still a handful of events behind.
            if (worst > 0)
            {
                var waiting = await OldestWaiting(highest - worst, token);
                if (waiting is { } stored && clock.GetUtcNow() - stored is var age && age > delay)
                {
                    data["oldestEventWaitingSeconds"] = (long)age.TotalSeconds;
                    return HealthCheckResult.Degraded(
                        $"An async projection has not taken in an event stored {(long)age.TotalSeconds} s ago (it is {worst} events behind)", data: data);
                }
            }
            return HealthCheckResult.Healthy("The database answers", data);
        }
        catch (Exception e)
        {
            // The reason in the answer, not the exception: the health service logs a result's exception with its stack
            // trace, and a load balancer probing every second during an outage filled the log with them (about 4,800
            // lines in 30 s). The outage is logged once by what found it failing.
            // The driver's "Exception while reading from stream" says less than what it wraps (the connection refused, cut).
            return HealthCheckResult.Unhealthy(
                $"The database does not answer ({(e is OperationCanceledException ? "the check was cut off"
                    : DatabaseOutage.Reason(e))})");
        }
    }

    /// <summary>When the first event after a projection's position was stored; null when there is none (a gap at the end).</summary>
    private async Task<DateTimeOffset?> OldestWaiting(long position, CancellationToken token)
    {
        await using var command = database.CreateCommand($"select timestamp from {TrackerDatabase.Schema}.mt_events where seq_id > $1 order by seq_id limit 1");
        command.Parameters.AddWithValue(position);
        // Npgsql reads a timestamptz as a DateTime in UTC.
        return await command.ExecuteScalarAsync(token) switch
        {
            DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)),
            DateTimeOffset stored => stored,
            _ => null
        };
    }
}
