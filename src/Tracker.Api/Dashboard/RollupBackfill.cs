using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Projections.Commitments.Rollup;

namespace Tracker.Api.Dashboard;

/// <summary>
/// At start, the dashboard's daily and scoped rollups are counted again when they do not add up (a new table, or their
/// triggers missing for a while). The triggers themselves are the schema's (<see cref="DatabaseGuards"/>, put in place
/// by `db-apply` as the owner); this needs no more than the service role may do.
/// </summary>
public sealed class RollupBackfill(NpgsqlDataSource dataSource, ILogger<RollupBackfill> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken token)
    {
        // Each in a command of its own, without a time limit (a large log takes longer than a command's default), so a
        // failure says which rollup it was.
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
