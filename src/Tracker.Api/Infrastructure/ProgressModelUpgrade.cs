using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Tracker.Projections.Commitments.Rollup;
using Tracker.Projections.Commitments.Timeline;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// A model kept by older rules than today's (<see cref="CommitmentProgress.CurrentShape"/>) gives another value than the
/// same events give now: one from before the bounded progress model carried the whole history and no decision state
/// (a write would find no state to decide against), one from before pledges had ledger rows of their own kept every
/// pledge, one from before 2026-12-05 has targets and deadlines that do not say when they took effect, or no latest
/// count in a unit other than the latest report's. Before the service takes requests,
/// if any commitment lacks its model or has one of an older shape (or its columns for the list and the dashboard are
/// empty, should a migration not have filled them from the documents), Marten's own rebuild builds every model and
/// every pledge ledger from the log (a few seconds for the seed catalogue); pledge rows stored before they carried the
/// pledger's and the commitment's keys (which the pledger views read) are rebuilt the same way, and so are the documents'
/// views when a registered document has none (a log restored without its read models). One node at a time: the others
/// wait on the same advisory lock and then find nothing to do. Before any of that, and before the node's projection
/// daemon starts (<see cref="ReplayWhatIsEmptyBehindItsPosition"/>), an asynchronous model that holds nothing while its position in the log is
/// past a commitment's statement is set to be built again from the start of the log.
/// </summary>
public sealed class ProgressModelUpgrade(IDocumentStore store, NpgsqlDataSource database, ILogger<ProgressModelUpgrade> logger,
    TimeProvider clock) : IHostedLifecycleService
{
    internal const long LockKey = 2026113002;

    /// <summary>How often a start that waits on another node's upgrade asks for the lock again.</summary>
    internal TimeSpan AskEvery { get; init; } = TimeSpan.FromSeconds(1);

    public Task StartAsync(CancellationToken token) => Run(token);

    public Task StopAsync(CancellationToken token) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken token) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken token) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken token) => Task.CompletedTask;

    /// <summary>
    /// Before any hosted service starts (this node's projection daemon among them): the asynchronous models (the effective
    /// timelines, the dashboard rollup) whose position in the log is past a commitment's statement while they hold
    /// nothing lose their position, so that the daemon builds them from the start of the log as it starts. That is what a
    /// log restored with Marten's positions (`mt_event_progression`) and without those models' rows leaves: until
    /// 2026-12-08 the daemon took them as caught up, and the past views and the dashboard read nothing. Their positions go,
    /// not their rows (they have none), so nothing is rebuilt under a running daemon. A database without the schema yet
    /// (Development applies it as it starts) has nothing to set right. Says which models lost their position.
    /// </summary>
    public Task StartingAsync(CancellationToken token) => ReplayWhatIsEmptyBehindItsPosition(token);

    internal async Task<IReadOnlyList<string>> ReplayWhatIsEmptyBehindItsPosition(CancellationToken token)
    {
        try
        {
            await using var connection = await database.OpenConnectionAsync(token);
            await using var replay = new NpgsqlCommand($"""
                delete from {TrackerDatabase.Schema}.mt_event_progression p
                 where p.last_seq_id > 0
                   and ((p.name = '{EffectiveTimelineProjection.ProjectionName}:All'
                         and not exists (select 1 from {TrackerDatabase.Schema}.{TimelineDays.Name}))
                     or (p.name = '{DashboardRollupProjection.ProjectionName}:All'
                         and not exists (select 1 from {TrackerDatabase.Schema}.{DashboardRollup.Counted})))
                   and exists (select 1 from {TrackerDatabase.Schema}.mt_events e
                                where e.type = 'commitment_stated' and e.seq_id <= p.last_seq_id)
                returning p.name, p.last_seq_id
                """, connection);
            var replayed = new List<string>();
            await using var reader = await replay.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                var projection = reader.GetString(0).Split(':')[0];
                replayed.Add(projection);
                logger.LogWarning("The asynchronous model {Projection} holds nothing, though its position in the log was event {Sequence}, past a " +
                                  "commitment's statement (a log restored with mt_event_progression and without the model's rows?); " +
                                  "the daemon builds it from the start of the log", projection, reader.GetInt64(1));
            }
            return replayed;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn)
        {
            return [];
        }
    }

    /// <summary>
    /// Rebuilds the progress models when any commitment lacks one of today's shape, the pledge rows when any lacks its
    /// keys, and the documents' views when any registered document has none (a log restored without its read models);
    /// says how many commitments lacked a model, plus one when pledge rows lacked their keys, plus how many documents
    /// lacked a view (0: nothing to do).
    /// </summary>
    public async Task<long> Run(CancellationToken token)
    {
        await using var connection = await database.OpenConnectionAsync(token);
        try
        {
            // Taken inside the try: a cancelled start must still give the lock back, since pooled connections are not
            // reset when returned (TrackerDatabase.Tuned).
            await TakeLock(connection, token);

            // Commitments without a model of today's shape: the streams without one, among them those that state a
            // commitment (their events read through the stream's index; only documents' streams, a few, are read when
            // every commitment has its model), so a start reads a row per stream and its model, not the whole log
            // (0.35-0.49 s against 0.75-0.88 s over a million events in 20,000 streams, 2026-12-04; the log's scan grew
            // with every event, towards the command timeout). And whether any pledge row was
            // stored before the rows carried their pledger's and commitment's keys (which the pledger views read) and
            // their id's stem (which an announcement numbers by): one probe of the index the pledger key leads, not a
            // scan of every row at each start. The last statement reads no row: it names the columns a pledger's page
            // orders by, so a schema without them is refused here rather than at the first pledge.
            await using var count = new NpgsqlCommand($"""
                select count(*) from {TrackerDatabase.Schema}.mt_streams s
                 where not exists (select 1 from {TrackerDatabase.Schema}.mt_doc_commitmentprogress p
                                    where p.id = s.id and p.money_pledged is not null
                                      -- A later build's shape counts as today's: a node of this build starting beside
                                      -- it must not build its models again by older rules.
                                      and (p.data ->> 'Shape')::int >= {CommitmentProgress.CurrentShape})
                   and exists (select 1 from {TrackerDatabase.Schema}.mt_events e
                                where e.stream_id = s.id and e.type = 'commitment_stated');
                select count(*) from (select 1 from {TrackerDatabase.Schema}.mt_doc_pledgeledgerrow
                                       where pledger_key is null limit 1) unkeyed;
                select {PledgeLedgerRow.PlaceOrder("r")} from {TrackerDatabase.Schema}.mt_doc_pledgeledgerrow r limit 0;
                select hashed_at from {TrackerDatabase.Schema}.{Tracker.Api.Audit.HashChain.Table} limit 0;
                select reported_unit from {TrackerDatabase.Schema}.{Tracker.Projections.Commitments.Timeline.TimelineDays.Name} limit 0;
                select count(*) from {TrackerDatabase.Schema}.mt_streams s
                 where not exists (select 1 from {TrackerDatabase.Schema}.mt_doc_documentview d where d.id = s.id)
                   and exists (select 1 from {TrackerDatabase.Schema}.mt_events e
                                where e.stream_id = s.id and e.version = 1 and e.type = 'source_document_registered');
                """, connection);
            long missing, unkeyedRows, unviewedDocuments;
            try
            {
                // The pledger views' async projection, retired: its position would otherwise read as a lag that only grows.
                await using (var retired = new NpgsqlCommand($"""
                    delete from {TrackerDatabase.Schema}.mt_event_progression where name like 'Pledgers:%'
                    """, connection))
                {
                    await retired.ExecuteNonQueryAsync(token);
                }
                await using var reader = await count.ExecuteReaderAsync(token);
                await reader.ReadAsync(token);
                missing = reader.GetInt64(0);
                await reader.NextResultAsync(token);
                await reader.ReadAsync(token);
                unkeyedRows = reader.GetInt64(0);
                await reader.NextResultAsync(token);
                await reader.NextResultAsync(token);
                await reader.NextResultAsync(token);
                await reader.NextResultAsync(token);
                await reader.ReadAsync(token);
                unviewedDocuments = reader.GetInt64(0);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                throw new ConfigurationProblem(
                    $"The database lacks the tracker schema, or part of it ({e.MessageText}): apply it first with `db-apply` as the schema's " +
                    "owner (see the README, \"The database\").", e);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedColumn)
            {
                // One line at start, not a stack trace: the operator's step is to apply the schema.
                throw new ConfigurationProblem(
                    "The database schema is older than this build (the progress models lack their list and dashboard " +
                    "columns, the pledge rows their id's stem or their place among their pledger's, the log's hashes " +
                    "their time of hashing, or the timeline's days their reported figure's unit): apply it first " +
                    "with `db-apply` as the schema's owner (see the README, \"The database\").", e);
            }
            if (missing == 0 && unkeyedRows == 0 && unviewedDocuments == 0) return 0;

            using var daemon = await store.BuildProjectionDaemonAsync();
            if (unviewedDocuments > 0)
            {
                // A log restored without its read models (a data-only restore of the events' tables): every citation of
                // such a document was refused as unregistered, and registering it again as a duplicate (until 2026-12-07).
                logger.LogWarning("{Documents} registered documents have no view (a log restored without its read models?); rebuilding the documents' views from the log",
                    unviewedDocuments);
                await daemon.RebuildProjectionAsync(Tracker.Projections.Documents.DocumentViewProjection.ProjectionName, TimeSpan.FromMinutes(5), token);
                if (missing == 0 && unkeyedRows == 0) return unviewedDocuments;
            }
            if (missing > 0)
            {
                logger.LogWarning("{Missing} commitments have no progress model of today's shape (written by an older tracker, or a log restored without its models); rebuilding the models from the log", missing);
                await daemon.RebuildProjectionAsync(CommitmentProgressProjection.ProjectionName, TimeSpan.FromMinutes(5), token);
                // The dashboard rollup counts the models, and the daemon beside this start may have counted the old ones
                // (an upgraded database of 2026-12-01 had every commitment counted under its old model until 2026-12-07):
                // counted again from the models now, holding off the daemon's pages until that commits.
                await using (var recount = await connection.BeginTransactionAsync(token))
                {
                    await using (var command = new NpgsqlCommand(DashboardRollup.Recount(TrackerDatabase.Schema), connection, recount) { CommandTimeout = 0 })
                    {
                        await command.ExecuteNonQueryAsync(token);
                    }
                    await recount.CommitAsync(token);
                }
                // Today's rules may put another deadline in force than the writes scheduled checks for.
                var passed = await Commitments.Assessing.DeadlineSweep.Run(store, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), logger, token);
                if (passed > 0) logger.LogInformation("{Passed} commitments' deadlines in force had passed unrecorded; recorded now", passed);
            }
            // Models kept each pledge's ledger in their state until pledges had rows of their own.
            logger.LogWarning("Rebuilding every pledge's ledger row from the log (rows stored without their pledger's key: {Unkeyed})", unkeyedRows > 0);
            await daemon.RebuildProjectionAsync(PledgeLedgerProjection.ProjectionName, TimeSpan.FromMinutes(5), token);
            logger.LogInformation("Progress models and pledge ledgers rebuilt");
            return missing + unkeyedRows + unviewedDocuments;
        }
        finally
        {
            await using var release = new NpgsqlCommand($"select pg_advisory_unlock({LockKey})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Waits for the lock as long as the other holder takes (its rebuild of a large log takes minutes; a start that gave
    /// up after the command timeout failed the host with a stack trace), saying so when it first waits and every minute
    /// after; a start that is stopped stops waiting. Asked for again and again rather than waited on in one statement:
    /// one statement would be cut off by the command timeout, and a session lock timeout would outlive this start on the
    /// pooled connection.
    /// </summary>
    private async Task TakeLock(NpgsqlConnection connection, CancellationToken token)
    {
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        var told = TimeSpan.MinValue;
        while (true)
        {
            await using (var take = new NpgsqlCommand($"select pg_try_advisory_lock({LockKey})", connection))
            {
                if (await take.ExecuteScalarAsync(token) is true) break;
            }
            if (told == TimeSpan.MinValue || waiting.Elapsed - told >= TimeSpan.FromMinutes(1))
            {
                told = waiting.Elapsed;
                logger.LogWarning("Another node (or a start stopped while it worked) is bringing the progress models up to date; " +
                                  "this start waits for it before it takes requests ({Waited:0} s so far)", waiting.Elapsed.TotalSeconds);
            }
            await Task.Delay(AskEvery, token);
        }
        if (told != TimeSpan.MinValue) logger.LogInformation("The other upgrade ended after {Waited:0} s; this start goes on", waiting.Elapsed.TotalSeconds);
    }
}
