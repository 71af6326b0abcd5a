using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Tracker.Projections.Commitments.Rollup;

namespace Tracker.Api.Dashboard;

/// <summary>
/// At start, the effective timelines' facts are found again if they were kept before they had rows of their own
/// (<see cref="TimelineFactsBackfill"/>), the dashboard's daily and scoped rollups and the pledgers' totals are counted again when they do not add up (a new table, or their
/// triggers missing for a while), and the list's flat rows written again when their number differs from the models'. The triggers themselves are the schema's (<see cref="DatabaseGuards"/>, put in place
/// by `db-apply` as the owner); this needs no more than the service role may do.
/// </summary>
public sealed class RollupBackfill(NpgsqlDataSource dataSource, TimelineFactsBackfill timelineFacts, ILogger<RollupBackfill> logger)
    : IHostedService
{
    /// <summary>
    /// How long a start's backfill waits for each lock it takes (on the days, the rollups or the ledger rows): a lock
    /// request holds off the writes that come after it, so a start never stalls the daemon or the requests for longer
    /// on any one lock, nor hangs behind a long transaction. Past it, the backfill is left to the next start, and said so.
    /// </summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(30);

    public Task StartAsync(CancellationToken token) => Run(LockWait, token);

    /// <summary>The lock wait for the rest of the caller's transaction.</summary>
    internal static string LockWaitSql(TimeSpan wait) => $"set local lock_timeout = '{(int)wait.TotalMilliseconds}ms'";

    internal async Task Run(TimeSpan lockWait, CancellationToken token)
    {
        try
        {
            await timelineFacts.Run(lockWait, token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not find the effective timelines' facts again at start; the daemon folds each of those timelines whole when its commitment next changes, and a past read of the others may miss facts until then");
        }
        // Each in a command of its own, without a time limit (a large log takes longer than a command's default), so a
        // failure says which rollup it was, and what repairs it while serving.
        const string recountRollups = "POST /api/admin/projections/DashboardRollup/rebuild counts it again while serving";
        const string rebuildAll = "or POST /api/admin/projections/all/rebuild repairs it while serving";
        foreach (var (rollup, sql, repair) in new[]
                 {
                     ("daily dashboard rollup", DailyRollup.BackfillSql(TrackerDatabase.Schema), recountRollups),
                     ("scoped dashboard rollup", ScopedRollup.BackfillSql(TrackerDatabase.Schema), recountRollups),
                     ("list rows", CommitmentRows.BackfillSql(TrackerDatabase.Schema), rebuildAll),
                     ("pledger totals", PledgerRollup.BackfillSql(TrackerDatabase.Schema), rebuildAll)
                 })
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(token);
                await using var transaction = await connection.BeginTransactionAsync(token);
                await using (var backfill = new NpgsqlCommand($"{LockWaitSql(lockWait)};\n{sql}", connection, transaction) { CommandTimeout = 0 })
                {
                    await backfill.ExecuteNonQueryAsync(token);
                }
                await transaction.CommitAsync(token);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                logger.LogWarning("The {Rollup} was not checked at start: a table it locks was held by another transaction for more than {Wait} s; the next start checks it again ({Repair})", rollup, lockWait.TotalSeconds, repair);
            }
            catch (NpgsqlException e)
            {
                logger.LogError(e, "Could not fill the {Rollup} at start; the dashboards and lists it answers may be wrong until it is", rollup);
            }
        }
        // After the list rows, which it reads; in the background, so a large list does not hold up the start, and
        // ended with the service.
        _ = Task.Run(() => RecordNameSpellings(_stopping.Token), CancellationToken.None);
    }

    private readonly CancellationTokenSource _stopping = new();

    public async Task StopAsync(CancellationToken token) => await _stopping.CancelAsync();

    private async Task RecordNameSpellings(CancellationToken token)
    {
        try
        {
            var recorded = await Commitments.Stating.NameSpellings.BackfillAsync(dataSource, token);
            if (recorded > 0) logger.LogInformation("Recorded the spellings of {Count} actors and lines of effort the list already had", recorded);
        }
        catch (Exception e)
        {
            // A pass the service's stop cut short is left to the next start.
            if (!token.IsCancellationRequested)
            {
                logger.LogError(e, "Could not record the spellings of the actors and lines of effort already listed; a new commitment may spell one of them in another case until a start records them");
            }
        }
    }
}
