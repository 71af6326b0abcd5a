using Npgsql;
using Tracker.Api.Infrastructure;

namespace Tracker.Api.Audit;

/// <summary>
/// At start, after the schema is applied, makes sure the hash-chain and append-only triggers are on the events table, and
/// the triggers that keep the dashboard's daily and scoped rollups on theirs. Registered after
/// Marten, so it runs once Development has created or migrated the schema (elsewhere, once `db-apply` has).
/// </summary>
public sealed class HashChainTrigger(NpgsqlDataSource dataSource, ILogger<HashChainTrigger> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken token)
    {
        try
        {
            await using var command = dataSource.CreateCommand(HashChain.EnsureTriggerSql(TrackerDatabase.Schema) +
                                                               AppendOnlyLog.EnsureTriggersSql(TrackerDatabase.Schema) +
                                                               Tracker.Projections.Commitments.Rollup.DailyRollup.EnsureTriggersSql(TrackerDatabase.Schema) +
                                                               Tracker.Projections.Commitments.Rollup.ScopedRollup.EnsureTriggersSql(TrackerDatabase.Schema));
            await command.ExecuteNonQueryAsync(token);
        }
        catch (PostgresException e)
        {
            logger.LogError(e, "Could not put the hash-chain trigger on the events table; run db-apply with the owner role");
        }
    }

    public Task StopAsync(CancellationToken token) => Task.CompletedTask;
}
