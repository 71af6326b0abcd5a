using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Tracker.Projections.Commitments.Rollup;
using Tracker.Projections.Commitments.Timeline;

namespace Tracker.Api.Admin;

/// <summary>
/// How the stored read models compare with a fresh rebuild from the log up to the high-water mark, model by model, as
/// Marten serialises them. Models changed by events after the high-water mark are left out of the comparison.
/// </summary>
/// <param name="KeptByOlderRules">
/// The effective timelines whose stored keyframes were kept before models said which rules kept them (2026-12-05; some
/// hold targets and deadlines without the day each took effect), written by an older version and not folded again since:
/// not compared, as what they hold is what those rules gave, until the commitment's next change or a timeline rebuild
/// refolds them. Named apart, and not consistent: such a timeline cannot be told from one changed in the database (until
/// 2026-12-07 each was reported as differing, with no word of why).
/// </param>
public sealed record ProjectionCheckReport(string Projection, long HighWaterMark, int Compared, int Matching,
    IReadOnlyList<string> Differing, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, int NewerLeftOut,
    IReadOnlyList<string>? KeptByOlderRules = null)
{
    public bool Consistent => Differing.Count == 0 && Missing.Count == 0 && Unexpected.Count == 0 && KeptByOlderRules is not { Count: > 0 };
}

public sealed class ProjectionCheck(IDocumentStore store, NpgsqlDataSource database)
{
    /// <summary>What can be verified: the read models the admin rebuild writes, and the effective timelines.</summary>
    public static readonly IReadOnlyList<string> Verifiable =
        [.. ProjectionRebuilds.Supported, EffectiveTimelineProjection.ProjectionName, DashboardRollupProjection.ProjectionName];

    public async Task<ProjectionCheckReport> Run(string projection, CancellationToken token)
    {
        var highWaterMark = await store.Storage.Database.FetchHighestEventSequenceNumber(token);
        await using var session = store.QuerySession();
        if (projection == EffectiveTimelineProjection.ProjectionName) return await Timelines(session, highWaterMark, token);
        if (projection == DashboardRollupProjection.ProjectionName) return await Rollup(token);
        // Up to the daemon's high-water mark, below which every event is committed (or given up): the highest number handed
        // out may belong to a write still in flight, which a model read later would hold and the replay not (until
        // 2026-12-06 a pledge made while the check ran was reported as unexpected).
        var handedOut = highWaterMark;
        highWaterMark = await CommittedThrough(handedOut, token);
        var rebuilt = await ReadModelReplay.All(ReadModelReplay.CommitmentProgress(store, highWaterMark, _ => { }, token), p => p.Id);
        var stored = await session.Query<CommitmentProgress>().ToListAsync(token);
        // The list's flat rows against the models' columns they copy (kept by a trigger, so any difference is a fault).
        await using var rows = database.CreateCommand(CommitmentRows.Differences(TrackerDatabase.Schema));
        await using var reader = await rows.ExecuteReaderAsync(token);
        var differing = new List<string>();
        while (await reader.ReadAsync(token)) differing.Add($"list row {reader.GetGuid(0)}");
        // Each pledge's ledger row, which the decision state's totals are kept beside.
        var rebuiltRows = await ReadModelReplay.All(ReadModelReplay.PledgeLedgers(store, highWaterMark, _ => { }, token), r => r.Id);
        var storedRows = await session.Query<PledgeLedgerRow>().ToListAsync(token);
        // The inline models do not carry their events' sequences (Quick appends): the log says which changed later, asked
        // once every model and row has been read, so that a write committed while they were read is left out too.
        var changedLater = await StreamsChangedAfter(highWaterMark, token);
        var report = Compare(projection, highWaterMark, rebuilt, stored.ToDictionary(p => p.Id), changedLater);
        var ledgers = Compare(PledgeLedgerProjection.ProjectionName, highWaterMark, rebuiltRows, storedRows.ToDictionary(r => r.Id),
            storedRows.Where(r => changedLater.Contains(r.StreamId)).Select(r => r.Id)
                .Concat(rebuiltRows.Values.Where(r => changedLater.Contains(r.StreamId)).Select(r => r.Id)).ToHashSet());
        // The past as recorded's checkpoints against the events they stand for.
        differing.AddRange(await CheckpointsDiffering(session, changedLater, token));
        // The pledgers' totals and names against their ledger rows (kept by triggers, so any difference is a fault).
        await using var pledgers = database.CreateCommand(PledgerRollup.Differences(TrackerDatabase.Schema));
        await using var pledgerReader = await pledgers.ExecuteReaderAsync(token);
        while (await pledgerReader.ReadAsync(token)) differing.Add(pledgerReader.GetString(0));
        // A mark that never reached the events numbered before the check: the daemon has stalled (or no node runs it), and
        // whatever changed since it is unchecked, which is said rather than called consistent.
        if (highWaterMark < handedOut) differing.Insert(0, $"behind: the daemon's high-water mark is at event {highWaterMark} of {handedOut}; later changes were not checked");
        return report with
        {
            Differing = [.. report.Differing, .. differing, .. ledgers.Differing.Select(r => $"pledge row {r}")],
            Missing = [.. report.Missing, .. ledgers.Missing.Select(r => $"pledge row {r}")],
            Unexpected = [.. report.Unexpected, .. ledgers.Unexpected.Select(r => $"pledge row {r}")]
        };
    }

    /// <summary>
    /// The dashboard rollup against the progress models: what each commitment is counted under, and each group's sums
    /// against what is counted. Models changed after the rollup's position are left out (the daemon has yet to take them
    /// in); a rollup still behind the events committed before the check, after a few seconds' wait, is not consistent.
    /// </summary>
    private async Task<ProjectionCheckReport> Rollup(CancellationToken token)
    {
        // Waits for the rollup to take in what was committed before the check: one that has stalled (or never started)
        // is reported behind, not consistent with nothing compared.
        var position = await Freshness.CaughtUp(store, DashboardRollupProjection.ProjectionName, token);
        var (differing, missing, unexpected) = (new List<string>(), new List<string>(), new List<string>());
        if (position.Lag > 0) differing.Add($"behind: taken in through event {position.ProjectedThrough} of {position.HighWaterMark}");
        await using (var command = database.CreateCommand(DashboardRollup.Differences(TrackerDatabase.Schema)))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = position.ProjectedThrough });
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                (reader.GetBoolean(1) ? unexpected : reader.GetBoolean(2) ? missing : differing).Add(reader.GetString(0));
            }
        }
        await using var counts = database.CreateCommand($"""
            select count(*), count(*) filter (where id in (select stream_id from {TrackerDatabase.Schema}.mt_events where seq_id > $1))
              from {TrackerDatabase.Schema}.mt_doc_commitmentprogress
            """);
        counts.Parameters.Add(new NpgsqlParameter { Value = position.ProjectedThrough });
        await using var read = await counts.ExecuteReaderAsync(token);
        await read.ReadAsync(token);
        var (all, newer) = ((int)read.GetInt64(0), (int)read.GetInt64(1));
        var compared = all - newer;
        return new ProjectionCheckReport(DashboardRollupProjection.ProjectionName, position.HighWaterMark, compared,
            compared - differing.Count(d => !d.StartsWith("group ", StringComparison.Ordinal) && !d.StartsWith("behind:", StringComparison.Ordinal)) - missing.Count,
            differing, missing, unexpected, newer);
    }

    /// <summary>
    /// Whether a day's stored trend figure is the one its model charts. A day stored before 2026-12-07 has no unit beside
    /// it and charted the latest report, which is no drift (an admin rebuild stores today's).
    /// </summary>
    private static bool ChartedAsStored(CommitmentProgress model, decimal? reported, string? unit)
    {
        var charted = (unit is null ? model.LatestReport : model.ChartedReport)?.Charted(model.LedgerCurrency);
        return charted?.Figure == reported && (unit is null || charted?.Unit == unit);
    }

    /// <summary>
    /// Each commitment's stored timeline against its definition folded from the stream (EffectiveOrder): every day's date,
    /// facts and list row, and the model on each keyframe day. One stream at a time, so memory follows the longest stream.
    /// A timeline the daemon has not yet brought up to its stream's version is left out (reads fold the stream meanwhile); an
    /// event the daemon skipped as poison is not waited for.
    /// </summary>
    private async Task<ProjectionCheckReport> Timelines(IQuerySession session, long highWaterMark, CancellationToken token)
    {
        var serializer = store.Options.Serializer();
        var ids = await session.Query<CommitmentProgress>().Select(c => c.Id).ToListAsync(token);
        var (differing, missing, matching, behind) = (new List<string>(), new List<string>(), 0, 0);
        var keptByOlderRules = new List<string>();
        // The events the daemon skipped as poison (dead letters): a timeline never takes them in, so one whose stream
        // ends with such an event is complete through the event before it, not behind.
        var skipped = (await session.Query<DeadLetterEvent>()
            .Where(d => d.ProjectionName == EffectiveTimelineProjection.ProjectionName)
            .Select(d => d.EventSequence).ToListAsync(token)).ToHashSet();
        foreach (var id in ids)
        {
            var events = await session.Events.FetchStreamAsync(id, token: token);
            var lastTakenIn = events.LastOrDefault(e => !skipped.Contains(e.Sequence));
            var stored = new List<(DateOnly On, int[] Versions, int Through, CommitmentRow Row, CommitmentProgress? Keyframe, int Facts,
                decimal? Reported, string? ReportedUnit)>();
            long factRows = 0;
            await using (var command = database.CreateCommand($"""
                select t."on", array(select f.version from {TrackerDatabase.Schema}.{TimelineDays.FactsName} f
                                      where f.stream_id = t.stream_id and f."on" = t."on" order by f.version),
                       t.through_version, t.row, t.keyframe, t.facts,
                       (select count(*) from {TrackerDatabase.Schema}.{TimelineDays.FactsName} f where f.stream_id = t.stream_id),
                       t.reported, t.reported_unit
                  from {TrackerDatabase.Schema}.{TimelineDays.Name} t
                 where t.stream_id = $1 order by t."on"
                """))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = id });
                await using var reader = await command.ExecuteReaderAsync(token);
                while (await reader.ReadAsync(token))
                {
                    stored.Add((reader.GetFieldValue<DateOnly>(0), reader.GetFieldValue<int[]>(1), reader.GetInt32(2),
                        serializer.FromJson<CommitmentRow>(reader, 3),
                        reader.IsDBNull(4) ? null : serializer.FromJson<CommitmentProgress>(reader, 4), reader.GetInt32(5),
                        reader.IsDBNull(7) ? null : reader.GetDecimal(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
                    factRows = reader.GetInt64(6);
                }
            }
            if (stored.Count == 0) { missing.Add(id.ToString()); continue; }
            if (lastTakenIn is not null && stored[^1].Through < lastTakenIn.Version) { behind++; continue; }

            var defined = EffectiveOrder.AllDays(id, events);
            // Each day's facts as rows of their own, as many as the day counts, and no fact on a day that is not there.
            var daysSame = defined.Count == stored.Count && factRows == defined.Sum(d => d.Versions.Count) && defined.Zip(stored).All(pair =>
                pair.First.On == pair.Second.On &&
                pair.First.Versions.Order().SequenceEqual(pair.Second.Versions) && pair.Second.Facts == pair.Second.Versions.Length &&
                serializer.ToJson(CommitmentRow.Of(pair.First.Progress).AsStoredBefore(pair.Second.Row, pair.First.Progress.MeasuredBeforeStages())) == serializer.ToJson(pair.Second.Row) &&
                ChartedAsStored(pair.First.Progress, pair.Second.Reported, pair.Second.ReportedUnit));
            // A keyframe kept by older rules (an upgrade) differs only if what it holds does: its shape alone is no drift.
            var same = daysSame && defined.Zip(stored).All(pair => pair.Second.Keyframe is not { } keyframe ||
                serializer.ToJson(pair.First.Progress.WithoutPledgesInHand().AsKeptBy(keyframe)) == serializer.ToJson(keyframe));
            if (same) matching++;
            // A timeline folded before models said their rules holds what those rules gave, on its days as in its keyframes
            // (a reduction's progress, the deadline in force by the order recorded): named apart, as not comparable with
            // today's rules, until its commitment's next change or a timeline rebuild folds it again. (Not consistent
            // either: it cannot be told from one changed in the database.)
            else if (stored.Any(day => day.Keyframe is { Shape: < OldestComparedKeyframe })) keptByOlderRules.Add(id.ToString());
            else differing.Add(id.ToString());
        }
        var unexpected = new List<string>();
        // Days, or fact rows, of a stream that is no commitment (a commitment's own are compared above).
        await using (var orphans = database.CreateCommand($"""
            select stream_id from {TrackerDatabase.Schema}.{TimelineDays.Name} t
             where not exists (select 1 from {TrackerDatabase.Schema}.mt_doc_commitmentprogress c where c.id = t.stream_id)
            union
            select stream_id from {TrackerDatabase.Schema}.{TimelineDays.FactsName} f
             where not exists (select 1 from {TrackerDatabase.Schema}.mt_doc_commitmentprogress c where c.id = f.stream_id)
            """))
        await using (var reader = await orphans.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token)) unexpected.Add(reader.GetGuid(0).ToString());
        }
        // The daily rollup the past dashboard reads, against a count from nothing over the days: only once every
        // commitment's days have caught up, since the days are what it counts.
        if (behind == 0)
        {
            await using var daily = database.CreateCommand(DailyRollup.DifferencesSql(TrackerDatabase.Schema));
            await using var reader = await daily.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token)) differing.Add(reader.GetString(0));
        }
        return new ProjectionCheckReport(EffectiveTimelineProjection.ProjectionName, highWaterMark,
            ids.Count - behind - keptByOlderRules.Count, matching, differing, missing, unexpected, behind,
            keptByOlderRules.Count == 0 ? null : keptByOlderRules);
    }

    /// <summary>
    /// The first shape whose keyframes the check compares: models said their rules from it on, and a keyframe kept before
    /// holds its targets and deadlines without the day each took effect, which today's rules order them by.
    /// </summary>
    private const int OldestComparedKeyframe = 2;

    /// <summary>The daemon's high-water mark where it has one (not above the number given), else the number given.</summary>
    /// <summary>
    /// The daemon's high-water mark once it has reached the events numbered before the check (waiting up to a few seconds,
    /// as it trails the writes by a moment), else where it stands; the number given where no mark is kept.
    /// </summary>
    private async Task<long> CommittedThrough(long handedOut, CancellationToken token)
    {
        await using var command = database.CreateCommand(
            $"select last_seq_id from {TrackerDatabase.Schema}.mt_event_progression where name = 'HighWaterMark'");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await command.ExecuteScalarAsync(token) is not long mark) return handedOut;
            if (mark >= handedOut || waited.Elapsed > MarkWait) return Math.Min(mark, handedOut);
            await Task.Delay(100, token);
        }
    }

    private static readonly TimeSpan MarkWait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Each stored checkpoint of the past as recorded (a commitment's model at a version, which the reads of that past start
    /// from) against the model its stream's events give at that version, folded from the statement: never from an earlier
    /// checkpoint, which may be the one changed. One fold per commitment that has checkpoints, as a read of the past steps
    /// them. Until 2026-12-06 a checkpoint changed in the database (the service's role may write them) made the past as
    /// recorded answer other figures, and nothing said so. A checkpoint kept by rules older than Shape 2 differs where those
    /// rules gave other figures, and is named: the past as recorded answers those figures from it.
    /// </summary>
    private async Task<List<string>> CheckpointsDiffering(IQuerySession session, IReadOnlySet<Guid> changedLater, CancellationToken token)
    {
        var differing = new List<string>();
        var serializer = store.Options.Serializer();
        // The columns a read of the past finds a checkpoint by (its stream and version) against what it holds: a version
        // moved in its column alone would have the read step events twice, or skip them.
        await using (var columns = database.CreateCommand($"""
            select id from {TrackerDatabase.Schema}.mt_doc_progresscheckpoint
             where version is distinct from (data ->> 'Version')::int or stream_id is distinct from (data ->> 'StreamId')::uuid
                or id is distinct from replace(stream_id::text, '-', '') || ':' || version::text
            """))
        await using (var reader = await columns.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token)) differing.Add($"checkpoint {reader.GetString(0)}: its columns do not say what it holds");
        }
        var streams = await session.Query<ProgressCheckpoint>().Select(c => c.StreamId).Distinct().ToListAsync(token);
        foreach (var id in streams.Where(id => !changedLater.Contains(id)))
        {
            var next = 0;
            CommitmentProgress? progress = null;
            List<ProgressCheckpoint> checkpoints;
            try
            {
                checkpoints = [.. await session.Query<ProgressCheckpoint>().Where(c => c.StreamId == id).OrderBy(c => c.Version).ToListAsync(token)];
            }
            catch (Exception e) when (e is not OperationCanceledException && !DatabaseOutage.Is(e))
            {
                differing.Add($"checkpoints of stream {id}: not compared, one does not read as a checkpoint");
                continue;
            }
            try
            {
                foreach (var e in await session.Events.FetchStreamAsync(id, version: checkpoints[^1].Version, token: token))
                {
                    var before = progress;
                    progress = await CommitmentProgressProjection.Stepper.EvolveAsync(before, id, session, e, token);
                    for (; next < checkpoints.Count && checkpoints[next].Version <= e.Version; next++)
                    {
                        var stored = checkpoints[next];
                        // Every checkpoint is compared, whatever rules it says it was kept by (a Shape of its own is no
                        // excuse a forger could give): one kept by later rules than the first (Shapes 2 to 4, whose figures
                        // differ from today's only as AsKeptBy says) by its figures, one older by all
                        // it holds.
                        var expected = progress is null ? null
                            : stored.Progress?.Shape is >= 2 and < CommitmentProgress.CurrentShape ? progress.AsKeptBy(stored.Progress) : progress;
                        if (stored.Version != e.Version || expected is null || stored.Progress is null ||
                            serializer.ToJson(stored.Progress) != serializer.ToJson(expected))
                        {
                            differing.Add($"checkpoint {stored.Id} (the past as recorded at version {stored.Version})");
                        }
                    }
                }
                // A checkpoint past the stream's last event stands for events the log does not hold.
                differing.AddRange(checkpoints.Skip(next).Select(c => $"checkpoint {c.Id} (the past as recorded at version {c.Version})"));
            }
            catch (Exception e) when (e is not OperationCanceledException && !DatabaseOutage.Is(e))
            {
                differing.Add($"checkpoints of stream {id}: not compared, an event of the stream does not read or apply (GET /api/audit/verify names it)");
            }
        }
        return differing;
    }

    private async Task<HashSet<Guid>> StreamsChangedAfter(long sequence, CancellationToken token)
    {
        await using var command = database.CreateCommand(
            $"select distinct stream_id from {TrackerDatabase.Schema}.mt_events where seq_id > $1");
        command.Parameters.Add(new NpgsqlParameter { Value = sequence });
        var changed = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token)) changed.Add(reader.GetGuid(0));
        return changed;
    }

    private ProjectionCheckReport Compare<TId, TDoc>(string projection, long highWaterMark, IReadOnlyDictionary<TId, TDoc> rebuilt,
        IReadOnlyDictionary<TId, TDoc> stored, IReadOnlySet<TId> newer) where TId : notnull where TDoc : notnull
    {
        var differing = new List<string>();
        var missing = new List<string>();
        var matching = 0;
        foreach (var (id, model) in rebuilt.Where(r => !newer.Contains(r.Key)))
        {
            if (!stored.TryGetValue(id, out var current)) missing.Add(id.ToString()!);
            else if (store.Options.Serializer().ToJson(current) != store.Options.Serializer().ToJson(model)) differing.Add(id.ToString()!);
            else matching++;
        }
        var unexpected = stored.Keys.Where(id => !newer.Contains(id) && !rebuilt.ContainsKey(id)).Select(id => id.ToString()!).ToList();
        return new ProjectionCheckReport(projection, highWaterMark, rebuilt.Count - newer.Count(rebuilt.ContainsKey), matching,
            differing, missing, unexpected, newer.Count);
    }
}
