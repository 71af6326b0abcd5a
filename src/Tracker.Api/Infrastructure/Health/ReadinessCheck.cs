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
    IProjectionCoordinator coordinator) : IHealthCheck
{
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

            var tolerated = configuration.GetValue("Health:MaxProjectionLag", 10_000L);
            var worst = lag.Values.Select(v => (long)v).DefaultIfEmpty(0).Max();
            return worst > tolerated
                ? HealthCheckResult.Degraded($"An async projection is {worst} events behind", data: data)
                : HealthCheckResult.Healthy("The database answers", data);
        }
        catch (Exception e)
        {
            // The reason in the answer, not the exception: the health service logs a result's exception with its stack
            // trace, and a load balancer probing every second during an outage filled the log with them (about 4,800
            // lines in 30 s). The outage is logged once by what found it failing.
            return HealthCheckResult.Unhealthy(
                $"The database does not answer ({(e is OperationCanceledException ? "the check was cut off" : e.Message)})");
        }
    }
}
