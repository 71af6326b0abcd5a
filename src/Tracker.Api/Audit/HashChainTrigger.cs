using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Projections.Commitments.Rollup;

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
                                                               DailyRollup.EnsureTriggersSql(TrackerDatabase.Schema) +
                                                               ScopedRollup.EnsureTriggersSql(TrackerDatabase.Schema));
            await command.ExecuteNonQueryAsync(token);
        }
        catch (PostgresException e)
        {
            logger.LogError(e, "Could not put the hash-chain trigger on the events table; run db-apply with the owner role");
        }

        // The rollups counted again when they do not add up (a new table, or triggers missing for a while): each in a
        // command of its own, without a time limit (a large log takes longer than a command's default), so a failure
        // here leaves the guards above in place and says which rollup it was.
        foreach (var (rollup, sql) in new[]
                 {
                     ("daily", DailyRollup.BackfillSql(TrackerDatabase.Schema)),
                     ("scoped", ScopedRollup.BackfillSql(TrackerDatabase.Schema))
                 })
        {
            try
            {
                await using var backfill = dataSource.CreateCommand(sql);
                backfill.CommandTimeout = 0;
                await backfill.ExecuteNonQueryAsync(token);
            }
            catch (NpgsqlException e)
            {
                logger.LogError(e, "Could not count the {Rollup} dashboard rollup at start; the dashboards it answers may be wrong until it is", rollup);
            }
        }
    }

    public Task StopAsync(CancellationToken token) => Task.CompletedTask;
}
