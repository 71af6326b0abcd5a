using Tracker.Api.Dashboard;
using Tracker.Api.Infrastructure;
using System.Collections.Concurrent;
using Marten;
using Npgsql;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Tracker.Projections.Commitments.Rollup;
using Tracker.Projections.Commitments.Timeline;

namespace Tracker.Api.Admin;

public enum RebuildStatus { Running, Completed, Failed }

/// <summary>What a rebuild has done so far.</summary>
public sealed record RebuildProgress(Guid Id, string Projection, RebuildStatus Status, long HighWaterMark,
    long EventsProcessed, int ModelsWritten, int ModelsKeptNewer, int ModelsUnchanged, int ModelsDeleted, DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt, string? Error, bool PledgersRecounted = false)
{
    /// <summary>
    /// Who asked for it (the actor a write would record: `key:ingest-bot`, a token's subject) and the request's correlation
    /// id, as a write's events carry them; null for a rebuild started before 2026-12-07, when neither was kept.
    /// </summary>
    public string? RequestedBy { get; init; }

    public string? CorrelationId { get; init; }
}

/// <summary>
/// Rebuilds a read model from the event log while the service keeps serving the current one: the models are computed
/// from the events up to the store's high-water mark at the start, then written over the live ones (a model a write
/// made newer in the meantime is kept), so readers never see an empty or half-built table. The command line
/// (`projections rebuild`) is Marten's own rebuild, which empties the table first; use it when the service is down.
/// Its progress is written where every node reads it (<see cref="RebuildProgressLog"/>).
/// </summary>
public sealed class ProjectionRebuilds(IDocumentStore store, NpgsqlDataSource database, IHostApplicationLifetime lifetime,
    RebuildProgressLog progressLog, ILogger<ProjectionRebuilds> logger, TimeProvider clock)
{
    /// <summary>The progress models, with their checkpoints and the pledges' ledger rows (which the pledger views read).</summary>
    public static readonly IReadOnlyList<string> Supported = [CommitmentProgressFold.ProjectionName];

    /// <summary>
    /// Read models counted again from the models they count rather than from the log (a repair while serving): the
    /// dashboard rollup from the progress models, its filters' groups from what it counts, the daily rollup from the
    /// effective timelines' days.
    /// </summary>
    public static readonly IReadOnlyList<string> Recounted = [DashboardRollupProjection.ProjectionName];

    /// <summary>Every read model above, in one pass over the log (the same as CommitmentProgress since the pledger views are read from the ledger rows).</summary>
    public const string All = "all";
    private readonly ConcurrentDictionary<Guid, RebuildProgress> _jobs = new();

    /// <summary>A rebuild this node runs or ran, or one any node wrote the progress of.</summary>
    public async Task<RebuildProgress?> Find(Guid id, CancellationToken token) =>
        _jobs.TryGetValue(id, out var here) ? here : await progressLog.Find(id, token);

    public bool AnyRunning => _jobs.Values.Any(j => j.Status == RebuildStatus.Running);

    /// <summary>
    /// Starts a rebuild unless one runs anywhere in the cluster: a rebuild holds a PostgreSQL advisory lock on a connection
    /// of its own for as long as it runs (freed when it ends, or when its node dies), and names itself in that
    /// connection's application_name, so a refused request can say which rebuild runs. Two rebuilds at once would each
    /// hold every model of a page in memory and write the same rows.
    /// </summary>
    public async Task<(RebuildProgress? Started, string? Running)> TryStart(string projection, string requestedBy, string? correlationId,
        CancellationToken token)
    {
        var progress = new RebuildProgress(Guid.NewGuid(), projection, RebuildStatus.Running, 0, 0, 0, 0, 0, 0,
            DateTimeOffset.UtcNow, null, null) { RequestedBy = requestedBy, CorrelationId = correlationId };
        var connection = await database.OpenConnectionAsync(token);
        try
        {
            await using (var name = new NpgsqlCommand($"select set_config('application_name', $1, false)", connection))
            {
                name.Parameters.Add(new NpgsqlParameter { Value = $"{RebuildSession}{progress.Id:N}:{projection}" });
                await name.ExecuteNonQueryAsync(token);
            }
            await using var take = new NpgsqlCommand($"select pg_try_advisory_lock({LockClass}, {LockObject})", connection);
            if (await take.ExecuteScalarAsync(token) is not true)
            {
                await using var holder = new NpgsqlCommand($"""
                    select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
                     where l.locktype = 'advisory' and l.classid = {LockClass} and l.objid = {LockObject} and l.granted
                    """, connection);
                // Another database role's session name is hidden unless this role may read all statistics.
                var running = await holder.ExecuteScalarAsync(token) is string name && name.StartsWith(RebuildSession, StringComparison.Ordinal)
                    ? Describe(name)
                    : "another rebuild (its details are not visible to this database role)";
                await GiveBack(connection);
                return (null, running);
            }
        }
        catch
        {
            await GiveBack(connection);
            throw;
        }

        _jobs[progress.Id] = progress;
        try
        {
            // Written before the answer, so any node can follow it from then on; not with the request's token: once its
            // lock is taken, the rebuild outlives the request that started it.
            await progressLog.ForgetOld(CancellationToken.None);
            await progressLog.Write(progress, CancellationToken.None);
        }
        catch
        {
            _jobs.TryRemove(progress.Id, out _);
            await GiveBack(connection);
            throw;
        }
        logger.LogInformation("Rebuild {Id} of {Projection} started by {RequestedBy}", progress.Id, projection, requestedBy);
        _ = Task.Run(async () =>
        {
            try
            {
                using var running = new CancellationTokenSource();
                var writing = KeepWriting(progress.Id, running.Token);
                try
                {
                    await Run(progress.Id, projection, lifetime.ApplicationStopping);
                }
                finally
                {
                    await running.CancelAsync();
                    await writing;
                }
            }
            finally
            {
                // The cluster's lock first: a rebuild that has ended does not hold off the next while its end is written.
                await GiveBack(connection);
            }
            await WriteTheEnd(progress.Id);
        });
        return (progress, null);
    }

    /// <summary>
    /// A rebuild's end written for the other nodes, again and again while the database does not answer (for up to
    /// <see cref="EndWrittenWithin"/>): until 2026-12-06 a failed write left the stored progress "running", so that this
    /// node answered failed and every other one interrupted.
    /// </summary>
    private async Task WriteTheEnd(Guid id)
    {
        var giveUp = DateTimeOffset.UtcNow + EndWrittenWithin;
        for (var wait = TimeSpan.FromSeconds(1); ; wait = TimeSpan.FromSeconds(Math.Min(wait.TotalSeconds * 2, 30)))
        {
            try
            {
                // The write that throws: the one that logs and goes on (every second, while running) would end this at once.
                await progressLog.WriteOrThrow(_jobs[id], CancellationToken.None);
                return;
            }
            catch (Exception e) when (DatabaseOutage.Is(e) && DateTimeOffset.UtcNow + wait < giveUp && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                logger.LogWarning("The end of rebuild {Id} could not be written for the other nodes ({Reason}); trying again in {Wait} s",
                    id, e.Message, wait.TotalSeconds);
                await Task.Delay(wait, lifetime.ApplicationStopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception e)
            {
                logger.LogError("The end of rebuild {Id} was not written for the other nodes ({Reason}): they will report it interrupted", id, e.Message);
                return;
            }
        }
    }

    /// <summary>How long a rebuild's end is tried again while the database does not answer.</summary>
    public static readonly TimeSpan EndWrittenWithin = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Why a rebuild failed, in an operator's words: the database's own words for a stop or a wait, not the driver's
    /// ("Exception while reading from stream", "57P01: terminating connection ... POSITION: 1165" until 2026-12-06).
    /// Messages the rebuild words itself (a poison event, a held table) are kept as they are.
    /// </summary>
    public static string Said(Exception e) => e switch
    {
        OperationCanceledException => "the node stopped while the rebuild ran; run it again",
        PoisonEventException or InvalidOperationException { InnerException: NpgsqlException } => e.Message,
        PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable } =>
            "a table it writes was held by another transaction for longer than it waits; run it again",
        PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } =>
            "a statement ran past its time limit (a table held by another transaction, or the database overloaded); run it again",
        PostgresException stopped when stopped.SqlState.StartsWith("57P", StringComparison.Ordinal) || stopped.SqlState.StartsWith("08", StringComparison.Ordinal) =>
            $"the database stopped answering during the rebuild ({stopped.MessageText}); run it again once it answers",
        PostgresException other => $"the database refused a statement of the rebuild ({other.SqlState}: {other.MessageText})",
        NpgsqlException { InnerException: TimeoutException } or TimeoutException =>
            "a statement waited longer than the database's command timeout (a table held by another transaction, or the database overloaded); run it again",
        NpgsqlException or System.Net.Sockets.SocketException =>
            "the database stopped answering during the rebuild (the connection was cut); run it again once it answers",
        _ when e.InnerException is { } inner && inner is NpgsqlException or PostgresException or TimeoutException => Said(inner),
        _ => e.Message
    };

    /// <summary>A running rebuild's progress written every second, for the other nodes.</summary>
    private async Task KeepWriting(Guid id, CancellationToken token)
    {
        try
        {
            while (true)
            {
                await Task.Delay(RebuildProgressLog.WriteEvery, token);
                await progressLog.Write(_jobs[id], token);
            }
        }
        catch (OperationCanceledException)
        {
            // The rebuild ended; its last progress is written after it.
        }
    }

    /// <summary>
    /// Pooled connections are not reset when returned (NoResetOnClose, TrackerDatabase): this one gives up its session
    /// lock and its application_name before it goes back.
    /// </summary>
    private static async Task GiveBack(NpgsqlConnection connection)
    {
        await using (var reset = new NpgsqlCommand("select pg_advisory_unlock_all(); reset application_name", connection))
        {
            await ((Task)reset.ExecuteNonQueryAsync(CancellationToken.None)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await connection.DisposeAsync();
    }

    // application_name holds at most 63 characters: "rebuild:" + 32 hex digits + ":" + the longest read model name fits.
    private const string RebuildSession = "rebuild:";
    internal const int LockClass = 20261130;
    internal const int LockObject = 1;

    // A starting node following up rebuilds that never reached their end (FollowUpInterrupted) holds the same lock.
    private const string FollowUpSession = "rebuild:follow-up";

    private static string Describe(string applicationName)
    {
        if (applicationName == FollowUpSession)
        {
            return "a starting node's follow-up of a rebuild that never reached its end (the list rows repaired and the pledgers put right: seconds)";
        }
        var parts = applicationName[RebuildSession.Length..].Split(':', 2);
        var id = Guid.TryParseExact(parts[0], "N", out var parsed) ? parsed.ToString() : parts[0];
        return $"rebuild {id} of {(parts.Length > 1 ? parts[1] : "a read model")} (follow it at /api/admin/rebuilds/{id})";
    }

    /// <summary>
    /// A rebuild from the log up to a high-water mark given, run at once and awaited, without the cluster's lock: for a
    /// test to place writes after the high-water mark deterministically (as they land while a real rebuild runs).
    /// </summary>
    internal async Task<RebuildProgress> RebuildThrough(long highWaterMark, CancellationToken token)
    {
        var id = Guid.NewGuid();
        _jobs[id] = new RebuildProgress(id, CommitmentProgressFold.ProjectionName, RebuildStatus.Running, highWaterMark, 0, 0, 0, 0, 0,
            DateTimeOffset.UtcNow, null, null);
        try
        {
            await Rebuild(id, highWaterMark, token);
            Update(id, p => p with { Status = RebuildStatus.Completed, FinishedAt = DateTimeOffset.UtcNow });
        }
        catch (Exception e)
        {
            Update(id, p => p with { Status = RebuildStatus.Failed, FinishedAt = DateTimeOffset.UtcNow, Error = Said(e) });
            throw;
        }
        return _jobs[id];
    }

    private async Task Run(Guid id, string projection, CancellationToken token)
    {
        try
        {
            if (Recounted.Contains(projection))
            {
                await RecountRollups(token);
            }
            else
            {
                var highWaterMark = await store.Storage.Database.FetchHighestEventSequenceNumber(token);
                Update(id, p => p with { HighWaterMark = highWaterMark });
                await Rebuild(id, highWaterMark, token);
                // The models' rules may put another deadline in force than the writes scheduled checks for.
                var passed = await Commitments.Assessing.DeadlineSweep.Run(store, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), logger, token);
                if (passed > 0) logger.LogInformation("After the rebuild, {Passed} commitments' deadlines were recorded passed", passed);
            }
            Update(id, p => p with { Status = RebuildStatus.Completed, FinishedAt = DateTimeOffset.UtcNow });
            var done = _jobs[id];
            logger.LogInformation(
                "Rebuilt {Projection} (rebuild {Id}) in {Seconds:0.0} s: {Events} events, {Written} models written, {KeptNewer} kept newer, " +
                "{Unchanged} unchanged, {Deleted} deleted, pledgers recounted: {PledgersRecounted}",
                projection, id, ((done.FinishedAt ?? DateTimeOffset.UtcNow) - done.StartedAt).TotalSeconds, done.EventsProcessed,
                done.ModelsWritten, done.ModelsKeptNewer, done.ModelsUnchanged, done.ModelsDeleted, done.PledgersRecounted);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Rebuilding {Projection} failed", projection);
            Update(id, p => p with { Status = RebuildStatus.Failed, FinishedAt = DateTimeOffset.UtcNow, Error = Said(e) });
        }
        finally
        {
            // A rebuild grows the heap for minutes as serving never does, and the collector keeps what it grew: given back
            // to the system once it ends (one blocking collection, rare as rebuilds are), so the node returns to the
            // footprint serving needs. A recount runs in the database and grows nothing.
            if (!Recounted.Contains(projection)) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    /// <summary>
    /// One pass over the log for the progress models, their checkpoints and the pledges' ledger rows (which the pledger
    /// views read): the state keeps the pledges' totals, the rows the pledges.
    /// </summary>
    private async Task Rebuild(Guid id, long highWaterMark, CancellationToken token)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Named before it writes, so a node that stops before this rebuild's end leaves its follow-up to the next start.
        var earlierUnfollowed = await Began(id, token);
        // For the few facts whose step reads the log (see CommitmentProgressProjection.Step).
        await using var lookups = store.QuerySession();
        var progress = new CommitmentProgressFold(lookups);
        var ledgers = new PledgeLedgerFold();
        using var statements = new SemaphoreSlim(WriteStatementsAtOnce);
        var progressWriter = new ModelWriter<CommitmentProgress, Guid>(store, database, p => p.Id, highWaterMark,
            ModelWriter<CommitmentProgress, Guid>.ByStreamVersion($"{TrackerDatabase.Schema}.mt_streams"), statements);
        var ledgerWriter = new ModelWriter<PledgeLedgerRow, string>(store, database, r => r.Id, highWaterMark,
            PledgeLedgerRecency, statements);
        var checkpointWriter = new ModelWriter<ProgressCheckpoint, string>(store, database, c => c.Id, highWaterMark,
            ModelWriter<ProgressCheckpoint, string>.SameWhoeverComputes, statements);
        // A page's models are written while the next pages are read and folded, up to PagesInFlight pages' writes at once:
        // with one, the reader waited on the largest table's batches while the other tables' were done and a core idled.
        var writing = new Queue<Task>();
        var waited = TimeSpan.Zero;
        async Task Write(IReadOnlyList<Replayed<CommitmentProgress>> progressModels, IReadOnlyList<Replayed<PledgeLedgerRow>> ledgerRows,
            IReadOnlyList<Replayed<ProgressCheckpoint>> checkpoints)
        {
            // Different tables: the batches go to the database side by side.
            await Task.WhenAll(progressWriter.Write(progressModels, token), ledgerWriter.Write(ledgerRows, token),
                checkpointWriter.Write(checkpoints, token));
            Update(id, p => p with
            {
                ModelsWritten = progressWriter.Written + ledgerWriter.Written,
                ModelsKeptNewer = progressWriter.KeptNewer + ledgerWriter.KeptNewer,
                ModelsUnchanged = progressWriter.Unchanged + ledgerWriter.Unchanged
            });
        }
        try
        {
            await foreach (var _ in ReadModelReplay.Replay(store, highWaterMark, [progress, ledgers], Processed(id), token, EventsPerPage))
            {
                var (progressModels, ledgerRows, checkpoints) = (progress.TakeFinished(), ledgers.TakeFinished(), progress.TakeCheckpoints());
                if (writing.Count >= PagesInFlight)
                {
                    var waitedFrom = clock.Elapsed;
                    await writing.Dequeue();
                    waited += clock.Elapsed - waitedFrom;
                }
                writing.Enqueue(Write(progressModels, ledgerRows, checkpoints));
            }
            var lastWrite = clock.Elapsed;
            await Task.WhenAll(writing);
            waited += clock.Elapsed - lastWrite;
        }
        catch
        {
            // An event that cannot be applied (or a lost connection) ends the rebuild: nothing goes on writing after it.
            await Task.WhenAll(writing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            // An earlier rebuild that never reached its end is followed up here too: its name goes with this one's.
            await RepairAfterFailure(progressWriter.Written > 0 || earlierUnfollowed, ledgerWriter.Written > 0 || earlierUnfollowed);
            throw;
        }
        var replayed = clock.Elapsed;
        // Different tables: side by side.
        await Task.WhenAll(progressWriter.DeleteStale(token), ledgerWriter.DeleteStale(token));
        var retractedSince = await DeleteRowsRetractedSince(highWaterMark, token);
        var deleted = clock.Elapsed;
        // The list's flat rows and the pledgers' totals and names are kept by triggers, which leave the rebuild's own
        // writes alone (RebuildWrites). The rows are written again where they differ from the models, part by part; beside
        // that, on connections of their own, the pledgers are put right where they differ from their ledger rows (their
        // changes folded after), and the dashboard rollup, which counts the progress models and which the daemon keeps
        // from the events (the rebuild's writes are none), is counted again from the rebuilt ones, holding off the
        // daemon's pages of it: none of the three holds off a writer of models or pledges. Then the locked repair holds
        // off the models' writers while it writes the rows a writer changed meanwhile (the first pass may have written a
        // row back to the model it read): after the three, not beside them, so the wait it causes is not stretched by
        // sharing the machine's cores with them (docs/benchmarks-profile.md, thirty-first session).
        var pledgersCorrected = 0;
        var rewriting = Timed(() => RewriteRows(token));
        var checking = Timed(async () => pledgersCorrected = await CorrectPledgers(token));
        var recounting = Timed(() => InTransaction(DashboardRollup.Recount(TrackerDatabase.Schema), token));
        await Task.WhenAll(rewriting, checking, recounting);
        var repaired = await Timed(() => InTransaction(CommitmentRows.RepairSql(TrackerDatabase.Schema), token));
        await Followed(CancellationToken.None);
        Update(id, p => p with
        {
            ModelsDeleted = progressWriter.Deleted + ledgerWriter.Deleted + retractedSince, PledgersRecounted = pledgersCorrected > 0
        });
        logger.LogInformation("Rebuild {Id}: the log replayed and its models written in {Replayed:0.0} s (of which {Waited:0.0} s " +
                              "waiting on the writes), stale models deleted in {Deleted:0.0} s, list rows written again in " +
                              "{Rewritten:0.0} s, the pledgers checked in {Checked:0.0} s ({Corrected} figures or names put right) " +
                              "and the dashboard rollup recounted in {Recounted:0.0} s beside it, then the list rows repaired in " +
                              "{Repaired:0.0} s (the models' writers held off meanwhile): {Ended:0.0} s for these", id,
            replayed.TotalSeconds, waited.TotalSeconds, (deleted - replayed).TotalSeconds, (await rewriting).TotalSeconds,
            (await checking).TotalSeconds, pledgersCorrected, (await recounting).TotalSeconds, repaired.TotalSeconds,
            (clock.Elapsed - deleted).TotalSeconds);
    }

    /// <summary>
    /// The models a failed rebuild wrote went past the list rows' and the pledgers' triggers (RebuildWrites), and a
    /// rebuild that fails on an event fails again until the event is dealt with: the rows are repaired and the pledgers
    /// put right before the failure is reported, so they agree with the live models whatever the rebuild reached.
    /// A repair that fails too (the database gone) is logged; the rebuild's own error is the one reported.
    /// </summary>
    private async Task RepairAfterFailure(bool modelsWritten, bool pledgeRowsWritten)
    {
        try
        {
            await Task.WhenAll(modelsWritten ? RepairRowsAndRecountRollup(CancellationToken.None) : Task.CompletedTask,
                pledgeRowsWritten ? CorrectPledgers(CancellationToken.None) : Task.CompletedTask);
            await Followed(CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogError(e, "A failed rebuild's written models could not be followed by their list rows and the pledgers; " +
                               "the verification names what differs, and the next start (or rebuild) repairs it");
        }
    }

    /// <summary>Names the rebuild among those not followed up yet; whether an earlier one was left there (UnfollowedRebuilds).</summary>
    private async Task<bool> Began(Guid id, CancellationToken token)
    {
        await using var began = database.CreateCommand(UnfollowedRebuilds.BeganSql);
        began.Parameters.Add(new NpgsqlParameter { Value = id });
        var earlierUnfollowed = await began.ExecuteScalarAsync(token) is true;
        if (earlierUnfollowed) logger.LogWarning("Rebuild {Id}: an earlier rebuild never reached its end; this one's end follows it up too", id);
        return earlierUnfollowed;
    }

    /// <summary>Every rebuild's writes followed up: the list rows repaired and the pledgers put right since the last wrote.</summary>
    private async Task Followed(CancellationToken token)
    {
        await using var followed = database.CreateCommand(UnfollowedRebuilds.FollowedSql);
        await followed.ExecuteNonQueryAsync(token);
    }

    /// <summary>
    /// At start: a rebuild that never reached its end (its node stopped, or lost the database for its repair too) left
    /// the list rows and the pledgers' totals behind the models it wrote, past their triggers. Under the rebuilds' lock,
    /// so no rebuild starts meanwhile, the rows are repaired and the pledgers put right, each lock on the tables
    /// waited for as long as a start's backfills wait (RollupBackfill.LockWait: a lock request holds off the writes behind
    /// it). When the lock is held (a rebuild, a recount of the rollups, another node's start) or a table's lock is not
    /// had in time, the names stay for the next start or rebuild. Says how many rebuilds it followed up.
    /// </summary>
    internal async Task<int> FollowUpInterrupted(TimeSpan lockWait, CancellationToken token)
    {
        if (await Unfollowed(token) is not { Count: > 0 }) return 0;

        var connection = await database.OpenConnectionAsync(token);
        try
        {
            await using (var take = new NpgsqlCommand(
                             $"select set_config('application_name', '{FollowUpSession}', false), pg_try_advisory_lock({LockClass}, {LockObject})", connection))
            {
                await using var reader = await take.ExecuteReaderAsync(token);
                await reader.ReadAsync(token);
                if (!reader.GetBoolean(1))
                {
                    logger.LogWarning("A rebuild never reached its end, and the rebuilds' lock is held (by a rebuild, a recount of the rollups " +
                                      "or another node's start): the list rows and the pledgers' totals it left behind are followed up by the " +
                                      "next rebuild's end or the next start (the verification names what differs meanwhile)");
                    return 0;
                }
            }
            // Read again under the lock: a rebuild that ended meanwhile followed them up already.
            var left = await Unfollowed(token);
            if (left.Count == 0) return 0;
            logger.LogWarning("Rebuilds that never reached their end: {Count} (the first started {StartedAt:u}); the list rows they left " +
                              "behind are repaired and the pledgers put right before this start goes on", left.Count, left[0]);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                await Task.WhenAll(RepairRowsAndRecountRollup(token, lockWait), CorrectPledgers(token, lockWait));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                logger.LogWarning("The follow-up of rebuilds that never reached their end waited more than {Wait} s for a table another " +
                                  "transaction held; the next start (or rebuild) follows them up", lockWait.TotalSeconds);
                return 0;
            }
            await Followed(token);
            logger.LogInformation("The rebuilds that never reached their end followed up in {Seconds:0.0} s", clock.Elapsed.TotalSeconds);
            return left.Count;
        }
        finally
        {
            await GiveBack(connection);
        }
    }

    /// <summary>When the rebuilds not followed up yet began, oldest first.</summary>
    private async Task<List<DateTime>> Unfollowed(CancellationToken token)
    {
        var left = new List<DateTime>();
        try
        {
            await using var query = database.CreateCommand(UnfollowedRebuilds.LeftSql);
            await using var reader = await query.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token)) left.Add(reader.GetDateTime(0));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw new InvalidOperationException(
                $"The database schema is older than this build (it lacks the table {UnfollowedRebuilds.Table}, which rebuilds " +
                "name themselves in): apply it first with `db-apply` as the schema's owner (see the README, \"The database\").", e);
        }
        return left;
    }

    /// <summary>How many events a rebuild reads at a time (a test reads one at a time, to fail after some writes).</summary>
    internal int EventsPerPage { get; set; } = ReadModelReplay.EventsPerPage;

    /// <summary>
    /// How many pages' writes may be on their way while the next page is read and folded: two, so the reader does not
    /// wait on the pledge rows' second batch while the other tables' are done (waiting on the writes 9.2 s of the full
    /// benchmark's rebuild with one, 2.3 s with two). On two busy cores the rebuild's time moved within the host's
    /// spread: interleaved by hand over a million events (models emptied, a warm service, 2026-12-04), one page
    /// 21.6-26.6 s (mean 23.7 over six runs), two 18.5-25.4 s (mean 22.3 over eight), three 22.2-25.8 s. The pages'
    /// models are distinct rows, so their batches never wait on each other.
    /// </summary>
    private const int PagesInFlight = 2;

    /// <summary>
    /// How many of a rebuild's write statements run at once, each on a connection of the service's pool (twelve unless
    /// the connection string says otherwise), which requests share: four, one more than a single page's three tables.
    /// </summary>
    private const int WriteStatementsAtOnce = 4;

    private static async Task<TimeSpan> Timed(Func<Task> work)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await work();
        return clock.Elapsed;
    }

    /// <summary>
    /// A pledge's row is newer than the rebuilt one when it has taken in a later version of its stream; a row the rebuild
    /// did not produce is stale (its pledge was retracted, or never stood) when the event it last took in is within the
    /// high-water mark, and kept when a write racing the rebuild made it after.
    /// </summary>
    private static readonly ModelWriter<PledgeLedgerRow, string>.Recency PledgeLedgerRecency = new(
        "(live.data ->> 'Version')::int <= (excluded.data ->> 'Version')::int",
        $"""
         exists (select 1 from {TrackerDatabase.Schema}.mt_events e
                  where e.stream_id = live.stream_id and e.version = (live.data ->> 'Version')::int and e.seq_id <= $2)
         """);

    /// <summary>
    /// A retraction racing the rebuild deleted its pledge's row, which the rebuild (from the log up to the high-water
    /// mark) may have written again: such rows go, unless the pledge was announced again after the retraction.
    /// </summary>
    private async Task<int> DeleteRowsRetractedSince(long highWaterMark, CancellationToken token)
    {
        await using var command = database.CreateCommand($"""
            delete from {TrackerDatabase.Schema}.mt_doc_pledgeledgerrow r
             where exists (select 1 from {TrackerDatabase.Schema}.mt_events e
                            where e.stream_id = r.stream_id and e.seq_id > $1 and e.type = 'pledge_retracted'
                              and e.version > (r.data ->> 'Version')::int
                              and lower(e.data ->> 'PledgeId') = lower(r.data -> 'Ledger' ->> 'PledgeId'))
            """);
        command.Parameters.AddWithValue(highWaterMark);
        return await command.ExecuteNonQueryAsync(token);
    }

    /// <summary>
    /// The list rows written again where they differ from the models, a part of the ids at a time, each part in a
    /// transaction of its own, holding off no writer but those of the rows it writes, until it commits
    /// (CommitmentRows.RewriteSql). A part that loses a deadlock to a writer of several commitments at once (an import)
    /// is left to the locked repair that follows, which writes whatever still differs.
    /// </summary>
    private async Task RewriteRows(CancellationToken token)
    {
        await using var connection = await database.OpenConnectionAsync(token);
        for (var part = 0; part < CommitmentRows.RewriteParts; part++)
        {
            await using var command = new NpgsqlCommand(CommitmentRows.RewriteSql(TrackerDatabase.Schema, part), connection) { CommandTimeout = 0 };
            try
            {
                await command.ExecuteNonQueryAsync(token);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected)
            {
                logger.LogInformation("The list rows of part {Part} of {Parts} lost a deadlock to a writer; the locked repair writes them",
                    part + 1, CommitmentRows.RewriteParts);
            }
        }
    }

    /// <summary>
    /// The list rows repaired and the dashboard rollup recounted in one transaction, holding off the models' writers until
    /// it commits: after a failed rebuild and at a start's follow-up, which are rare (a rebuild's end splits the two).
    /// </summary>
    private Task RepairRowsAndRecountRollup(CancellationToken token, TimeSpan? lockWait = null) => InTransaction(
        CommitmentRows.RepairSql(TrackerDatabase.Schema) + DashboardRollup.Recount(TrackerDatabase.Schema), token, lockWait);

    /// <summary>
    /// The dashboard rollup counted again from the progress models and every filter's groups summed again from what it
    /// counts, holding off the daemon's pages of it until that commits; then the daily rollup counted again from the
    /// effective timelines' days, holding off the daemon's writes of days meanwhile. What the daemon takes in afterwards
    /// is counted from there, as always. Each step waits for its locks as long as a start does (a request for them holds
    /// off the daemon's writes behind it), and a step that fails says which, and what was already counted.
    /// </summary>
    private async Task RecountRollups(CancellationToken token)
    {
        var lockWait = RollupBackfill.LockWait;
        var rollup = await Step("Counting the dashboard rollup and its filters' groups again failed (nothing was changed)", () =>
            InTransaction(DashboardRollup.Recount(TrackerDatabase.Schema, everyScope: true), token, lockWait));
        var daily = await Step("Counting the daily rollup again failed (the dashboard rollup and its filters' groups were counted again)", () =>
            InTransaction($"""
                lock table {TrackerDatabase.Schema}.{TimelineDays.Name} in share row exclusive mode;
                {DailyRollup.RecountSql(TrackerDatabase.Schema)}
                """, token, lockWait));
        logger.LogInformation("The dashboard rollup and its filters counted again in {Rollup:0.0} s, the daily rollup in {Daily:0.0} s",
            rollup.TotalSeconds, daily.TotalSeconds);

        async Task<TimeSpan> Step(string failed, Func<Task> step)
        {
            try
            {
                return await Timed(step);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw new InvalidOperationException(
                    $"{failed}: a table it counts was held by another transaction for more than {lockWait.TotalSeconds:0} s; run it again.", e);
            }
            catch (NpgsqlException e)
            {
                throw new InvalidOperationException($"{failed}: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// One transaction on a connection of its own, with no time limit: as long as the tables take to read (the rebuild
    /// that precedes it has no limit either); each lock waited for at most lockWait when one is given.
    /// </summary>
    private async Task InTransaction(string sql, CancellationToken token, TimeSpan? lockWait = null)
    {
        if (lockWait is { } wait) sql = $"{RollupBackfill.LockWaitSql(wait)};\n{sql}";
        await using var connection = await database.OpenConnectionAsync(token);
        await using var transaction = await connection.BeginTransactionAsync(token);
        await using (var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 })
        {
            await command.ExecuteNonQueryAsync(token);
        }
        await transaction.CommitAsync(token);
    }

    /// <summary>
    /// Every pledger's figures and name put right where they differ from its ledger rows, holding off no writer of them:
    /// the figures by one change that adds the difference (PledgerRollup.CorrectFiguresSql, each lock waited for at most
    /// lockWait when one is given), the names of the pledgers found misnamed read again under their own locks, as a
    /// retraction has its pledger's name read again (tried again when it loses a deadlock to a request, which takes the
    /// same locks over more than one statement). Reads every pledge row twice (about a second for 200,000). How many
    /// pledgers' figures (by currency) and names it put right.
    /// </summary>
    private async Task<int> CorrectPledgers(CancellationToken token, TimeSpan? lockWait = null)
    {
        await using var connection = await database.OpenConnectionAsync(token);
        int figures;
        await using (var correcting = await connection.BeginTransactionAsync(token))
        {
            var sql = PledgerRollup.CorrectFiguresSql(TrackerDatabase.Schema);
            if (lockWait is { } wait) sql = $"{RollupBackfill.LockWaitSql(wait)};\n{sql}";
            await using (var correct = new NpgsqlCommand(sql, connection, correcting) { CommandTimeout = 0 })
            {
                figures = await correct.ExecuteNonQueryAsync(token);
            }
            // The changes folded into the totals, the correction's with them, as the daemon does after a page of pledges.
            await using (var fold = new NpgsqlCommand($"{PledgerRollup.FoldSql(TrackerDatabase.Schema)};\n{PledgerRollup.EmptiedSql(TrackerDatabase.Schema)}",
                             connection, correcting) { CommandTimeout = 0 })
            {
                await fold.ExecuteNonQueryAsync(token);
            }
            await correcting.CommitAsync(token);
        }
        var misnamed = new List<string>();
        await using (var find = new NpgsqlCommand(PledgerRollup.MisnamedSql(TrackerDatabase.Schema), connection) { CommandTimeout = 0 })
        await using (var reader = await find.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token)) misnamed.Add(reader.GetString(0));
        }
        if (misnamed.Count == 0) return figures;

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return figures + await Rename(misnamed);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 3)
            {
                logger.LogInformation("Naming {Count} pledgers again lost a deadlock to a request; trying again", misnamed.Count);
            }
        }

        async Task<int> Rename(List<string> keys)
        {
            await using var transaction = await connection.BeginTransactionAsync(token);
            await using (var lockNames = new NpgsqlCommand(PledgerRollup.LockNamesSql, connection, transaction) { CommandTimeout = 0 })
            {
                lockNames.Parameters.Add(new NpgsqlParameter { Value = keys.ToArray() });
                await lockNames.ExecuteNonQueryAsync(token);
            }
            long renamed;
            await using (var rename = new NpgsqlCommand(PledgerRollup.RenameSql(TrackerDatabase.Schema), connection, transaction) { CommandTimeout = 0 })
            {
                rename.Parameters.Add(new NpgsqlParameter { Value = keys.ToArray() });
                renamed = (long)(await rename.ExecuteScalarAsync(token))!;
            }
            await transaction.CommitAsync(token);
            return (int)renamed;
        }
    }

    private Action<int> Processed(Guid id) => count => Update(id, p => p with { EventsProcessed = p.EventsProcessed + count });

    private void Update(Guid id, Func<RebuildProgress, RebuildProgress> change) =>
        _jobs.AddOrUpdate(id, _ => throw new InvalidOperationException(), (_, p) => change(p));
}
