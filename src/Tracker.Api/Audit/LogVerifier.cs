using Marten;
using Npgsql;
using Tracker.Api.Audit.Checkpoints;
using Tracker.Api.Infrastructure;

namespace Tracker.Api.Audit;

/// <summary>
/// An event (or, for an event that is gone, its sequence number) where the log differs from what was recorded, and why.
/// Stream, version and type are those of the row as it is now, or those a checkpoint recorded for a missing one; the
/// commitment's key when the stream is a commitment's whose progress model names it.
/// </summary>
public sealed record ChainBreak(long Sequence, Guid? StreamId, long? Version, string? Type, string Reason, long? Checkpoint = null,
    string? Commitment = null);

/// <summary>
/// What a verification found: every break (the first <see cref="LogVerifier.MaxReportedBreaks"/> of them listed, all
/// counted), the first one on its own for a quick look, and for the whole log how many signed checkpoints it was
/// compared with and the latest of them.
/// </summary>
public sealed record VerificationReport(long EventsChecked, bool Intact, long BreakCount, IReadOnlyList<ChainBreak> Breaks,
    long CheckpointsChecked = 0, Checkpoint? LatestCheckpoint = null)
{
    public ChainBreak? FirstBreak => Breaks.Count > 0 ? Breaks[0] : null;
}

/// <summary>
/// Recomputes the log's evidence from the stored rows, streaming them in order (never the whole store in memory), and
/// reports every place it does not hold:
/// - per event: its hash is missing (appended behind the trigger's back), differs from what the row holds now (the row was
///   edited), or its link to the previous event of its stream is broken (an event before it was removed or rewritten);
///   a hash whose event is gone (an event removed, its hash left), and an old-scheme hash after the log's first
///   current-scheme one, in a stream's verification as in the whole log's;
/// - per stream: a row that disagrees with its events (gone, without events, another version, archived);
/// - for the whole log, against every signed checkpoint: the events each recorded (a missing one, one added to a range
///   already signed, one whose hash chain was recomputed) and the root each signed (which also catches a checkpoint
///   whose recorded entries were altered), and each checkpoint's signature and place in the chain of checkpoints;
/// - against a checkpoint kept outside the database (passed in): its signature, and the root the log gives at its
///   sequence number now. That is what proves a log emptied or cut back together with its checkpoints.
/// After a break it goes on from what was recorded, so one changed event is one break, not a break of everything after it.
/// </summary>
public sealed class LogVerifier(NpgsqlDataSource dataSource, LogCheckpoints checkpoints, CheckpointSigner signer, Marten.IDocumentStore store)
{
    public const int MaxReportedBreaks = 1000;

    /// <summary>
    /// How far the time an event records may lie from the database's clock when it hashed the event: room for an honest
    /// append's waits between the two (a connection from the pool, 15 s at most; a statement held by a lock, 30 s at most,
    /// and a retry) and for the appending node's clock against the database's, which NTP keeps within milliseconds.
    /// </summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    // Days, hours, minutes and seconds, for any span two PostgreSQL times can lie apart (more than a TimeSpan holds); an
    // event dated infinity or -infinity is without bound.
    private static string Duration(double seconds)
    {
        if (double.IsInfinity(seconds)) return "without bound";
        var whole = Math.Round(Math.Abs(seconds));
        var (days, rest) = (Math.Floor(whole / 86400), (long)(whole % 86400));
        var clock = $"{rest / 3600:00}:{rest / 60 % 60:00}:{rest % 60:00}";
        return days >= 1 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{days:0} d {clock}") : clock;
    }

    /// <summary>
    /// One stream: its hashes, links and row, and its events against every signed checkpoint (a commitment removed whole
    /// is reported, not unknown). Every checkpoint, not those since the stream's first event: whoever can rewrite the log
    /// can also renumber a stream's events past the latest checkpoint, which would leave nothing to compare.
    /// </summary>
    public async Task<VerificationReport> VerifyStream(Guid streamId, CancellationToken token)
    {
        var found = new Findings();
        var signed = await StreamAgainstCheckpoints.Read(streamId, checkpoints, signer, found, token);
        return await Verify($"{LogCheckpoints.EntriesSql} where e.stream_id = $1 order by e.version", streamId, null, null,
            token, found, signed);
    }

    private const string S = TrackerDatabase.Schema;

    /// <summary>
    /// The first event hashed under the current scheme, anywhere in the log: an old-scheme hash after it is a break, in a
    /// stream's verification as in the whole log's. (Walks the hashes by sequence to the first such row: the first of
    /// a log begun under the current scheme.)
    /// </summary>
    private static readonly string FirstCurrentSchemeSql =
        $"select seq_id from {S}.{HashChain.Table} where scheme >= {HashChain.CurrentScheme} order by seq_id limit 1";

    /// <summary>The first event whose hash row records when it was hashed (the trigger has since 2026-12-06).</summary>
    private static readonly string FirstTimedSql =
        $"select seq_id from {S}.{HashChain.Table} where hashed_at is not null order by seq_id limit 1";

    /// <summary>
    /// Hash rows whose event is gone: an event removed, its hash left behind (an event only renumbered is not gone: it is
    /// reported where it is now).
    /// </summary>
    private static string OrphanedHashesSql(bool oneStream) => $"""
        select h.seq_id, h.stream_id, h.version from {S}.{HashChain.Table} h
         where not exists (select 1 from {S}.mt_events e where e.seq_id = h.seq_id){(oneStream ? " and h.stream_id = $1" : "")}
           and not exists (select 1 from {S}.mt_events e where e.stream_id = h.stream_id and e.version = h.version)
         order by h.seq_id
        """;

    /// <summary>
    /// Streams whose row disagrees with their events: a row gone while its events remain, a row with no events, a version
    /// other than the last event's, or a stream archived (the service never archives). Marten's tombstone streams are left
    /// out (every event a tombstone, or a row at version 0 with none): they fill the numbers of failed appends, in a stream
    /// each process makes. And commitments whose progress model is at another version than their last event: the service
    /// writes the model in the transaction of every event it appends, so a difference is an event appended, or the last
    /// events cut, by someone else (through the log's triggers, which hash what they are given), or a model not rebuilt
    /// after an import. One pass over the log, grouped by stream.
    /// </summary>
    /// <summary>Whether a start's upgrade of the progress models holds its lock (ProgressModelUpgrade): an SQL condition.</summary>
    private static readonly string UpgradeRunning =
        // pg_locks lists every database's locks: only this database's upgrade counts.
        $"exists (select 1 from pg_locks l where l.locktype = 'advisory' and l.granted and l.objsubid = 1 and " +
        "l.database = (select oid from pg_database where datname = current_database()) and " +
        $"((l.classid::bigint << 32) | l.objid::bigint) = {ProgressModelUpgrade.LockKey})";

    private static string StreamRowsSql(bool oneStream) => $"""
        select coalesce(s.id, x.stream_id), s.version, x.last_version, x.last_seq, coalesce(s.is_archived, false),
               (m.data ->> 'Version')::bigint, coalesce(x.states_a_commitment, false) and m.id is null and not {UpgradeRunning},
               (select e.type from {S}.mt_events e where e.seq_id = x.last_seq)
          from (select stream_id, max(version) filter (where type <> 'tombstone') as last_version,
                       max(seq_id) filter (where type <> 'tombstone') as last_seq, bool_and(type = 'tombstone') as tombstones,
                       bool_or(type = 'commitment_stated') as states_a_commitment
                  from {S}.mt_events{(oneStream ? " where stream_id = $1" : "")} group by stream_id) x
          full join (select id, version, is_archived from {S}.mt_streams{(oneStream ? " where id = $1" : "")}) s on s.id = x.stream_id
          left join {S}.{Tracker.Projections.Commitments.CommitmentRows.ModelTable} m on m.id = coalesce(s.id, x.stream_id)
         where not coalesce(x.tombstones, false) and not (x.stream_id is null and s.version = 0)
           and (s.id is null or x.stream_id is null or s.version is distinct from x.last_version or coalesce(s.is_archived, false)
                or (m.id is not null and x.stream_id is not null and (m.data ->> 'Version')::bigint is distinct from x.last_version)
                -- A commitment's stream without its model: the service writes the model with the statement (not while a
                -- start's upgrade rebuilds the models, which empties their table first).
                or (m.id is null and coalesce(x.states_a_commitment, false) and not {UpgradeRunning}))
        union all
        -- A model whose commitment has neither events nor a stream row left: removed whole, hashes and all.
        select m.id, null, null, null, false, (m.data ->> 'Version')::bigint, false, null
          from {S}.{Tracker.Projections.Commitments.CommitmentRows.ModelTable} m
         where {(oneStream ? "m.id = $1 and " : "")}not exists (select 1 from {S}.mt_events e where e.stream_id = m.id)
           and not exists (select 1 from {S}.mt_streams s where s.id = m.id)
         order by 4 nulls first
        """;

    public async Task<VerificationReport> VerifyAll(Checkpoint? keptOutside, CancellationToken token) =>
        await Verify($"{LogCheckpoints.EntriesSql} order by e.seq_id", null, await checkpoints.All(token), keptOutside, token);

    private async Task<VerificationReport> Verify(string sql, Guid? streamId, IReadOnlyList<Checkpoint>? signed,
        Checkpoint? keptOutside, CancellationToken token, Findings? found = null, StreamAgainstCheckpoints? streamSigned = null)
    {
        found ??= new Findings();
        var ranges = signed is null ? null : new CheckpointRanges(signed, checkpoints, signer, found);
        var external = keptOutside is null ? null : new KeptOutside(keptOutside, signed ?? [], signer, found);

        long? firstCurrentScheme;
        await using (var first = dataSource.CreateCommand(FirstCurrentSchemeSql))
        {
            firstCurrentScheme = await first.ExecuteScalarAsync(token) as long?;
        }
        // Looked up once a row without a time of hashing is met (a log begun since 2026-12-06 has none): the walk to the
        // first timed row passes every row hashed before.
        long? firstTimed = null;
        var firstTimedRead = false;
        async Task<long?> FirstTimed()
        {
            if (firstTimedRead) return firstTimed;
            await using var first = dataSource.CreateCommand(FirstTimedSql);
            (firstTimed, firstTimedRead) = (await first.ExecuteScalarAsync(token) as long?, true);
            return firstTimed;
        }
        // An event removed with its hash left behind is reported once, as removed, and not again as the next one's link.
        var removed = await ReportRemovedEvents(streamId, found, token);
        var models = await ReportStreamRows(streamId, removed, found, token);

        await using var command = dataSource.CreateCommand(sql);
        if (streamId is { } id) command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(token);

        long checkedCount = 0;
        while (await reader.ReadAsync(token))
        {
            var recorded = LogCheckpoints.RecordedEventOf(reader);
            var stored = reader.IsDBNull(2) ? null : reader.GetString(2);
            short? scheme = reader.IsDBNull(3) ? null : reader.GetInt16(3);
            var storedPrevious = reader.IsDBNull(4) ? null : reader.GetString(4);
            // The first event of a stream has none before it: an event slipped in at 0 or below is named on its own, not
            // also as this one's broken link.
            var previousInLog = reader.IsDBNull(5) || recorded.Version <= 1 ? null : reader.GetString(5);
            // The previous event is in the log without its hash, which that event's own break says.
            var previousEventInLog = recorded.Version > 1 && reader.GetBoolean(LogCheckpoints.PreviousEventInLogOrdinal);
            checkedCount++;

            // The previous event has no hash to link to, and its own break says why (its hash was never written, or it
            // was removed with its hash left): this event's link is not a second break; what it records is still checked.
            var linkSaidBefore = previousInLog is null && (previousEventInLog || removed.Contains((recorded.StreamId, recorded.Version - 1)));
            // What this event's link says of the one before it, when that one did not match its hash: which of the two
            // (the event or its hash row) was changed, and whether this link's break is that one's.
            var linkExplained = found.ExplainByNextLink(recorded.StreamId, recorded.Version - 1, storedPrevious, previousInLog, stored is not null);
            var hashedAs = reader.IsDBNull(LogCheckpoints.HashStreamOrdinal) ? ((Guid, long)?)null
                : (reader.GetGuid(LogCheckpoints.HashStreamOrdinal), reader.GetInt64(LogCheckpoints.HashVersionOrdinal));
            long? ownHashAt = reader.IsDBNull(LogCheckpoints.OwnHashSequenceOrdinal) ? null : reader.GetInt64(LogCheckpoints.OwnHashSequenceOrdinal);
            var renumbered = ownHashAt is { } was ? Renumbered(reader, recorded, was) : null;
            // Where a checkpoint recorded it: not also missing there (one renumbered event, one break).
            if (ownHashAt is { } from) found.RenumberedFrom.Add(from);
            ChainBreak Break(string reason) => new(recorded.Sequence, recorded.StreamId, recorded.Version, recorded.Type, reason);
            string? reason = null;
            // Marten numbers a stream's events from 1: an event at 0 or below was written outside the service, and no
            // stream row, model or link would name it (until 2026-12-06 one at -1 verified intact and moved the trend's
            // figures; one at 0 was named as a broken link).
            if (!IsTombstone(recorded) && recorded.Version < 1)
            {
                reason = $"its version is {recorded.Version}, where a stream's events are numbered from 1: it was written outside the " +
                         "service, and the service's own reads of its stream leave it out while the reads by date count it";
            }
            else if (stored is null)
            {
                if (renumbered is not null) reason = renumbered;
                else if (Break(Reasons.NoHash) is var unhashed && found.Add(unhashed, ofAnEvent: true))
                {
                    // The hash it would have had, under either scheme, to know the next event's link when it comes.
                    found.AwaitNextLink(unhashed, null, HashChain.Compute(HashChain.CurrentScheme, recorded, previousInLog),
                        HashChain.Compute(1, recorded, previousInLog));
                }
            }
            else if (hashedAs is var (hashStream, hashVersion) && (hashStream != recorded.StreamId || hashVersion != recorded.Version))
                reason = renumbered is not null
                    ? $"{renumbered} (the hash recorded at {recorded.Sequence} is of stream {hashStream}'s version {hashVersion})"
                    : $"it is not the event whose hash was recorded at {recorded.Sequence} (stream {hashStream}'s version {hashVersion}): its stream " +
                      "or version was changed, or another event was put in its place";
            else if (!IsTombstone(recorded) && recorded.Version > 1 && previousInLog is null && !linkSaidBefore)
                reason = "the event before it in its stream is missing (it, or its hash, was removed)";
            else if (!IsTombstone(recorded) && !linkSaidBefore && !linkExplained && storedPrevious != previousInLog)
                reason = HashChain.Compute(scheme, recorded, previousInLog) == stored
                    ? $"its hash row's link to the previous event of its stream (version {recorded.Version - 1}) was edited: the event and its hash are as recorded"
                    : $"its link to the previous event of its stream (version {recorded.Version - 1}) is broken: that event was rewritten and its " +
                      "hash recomputed after this one was recorded, or this event's hash row was edited";
            else if (HashChain.Compute(scheme, recorded, storedPrevious) is var computed && computed != stored)
            {
                if (Break(Reasons.HashMismatch) is var mismatch && found.Add(mismatch, ofAnEvent: true)) found.AwaitNextLink(mismatch, stored, computed);
            }
            else if (scheme is null or 1 && recorded.Sequence > firstCurrentScheme)
                reason = "its hash is of the old scheme (type, version and data only), written after the current scheme took over";
            // The time an event records is given by whoever appends it: the database's clock at the hash says when that was.
            // (Until 2026-12-06 the service's role could append an event dated a day back, and the past as recorded on
            // that day counted it.)
            else if (!IsTombstone(recorded) && !reader.IsDBNull(LogCheckpoints.SecondsBeforeHashedOrdinal) &&
                     reader.GetDouble(LogCheckpoints.SecondsBeforeHashedOrdinal) is var before && Math.Abs(before) > ClockTolerance.TotalSeconds)
                reason = $"it is dated {recorded.RecordedAtUtc}, {Duration(before)} {(before > 0 ? "before" : "after")} the database appended it " +
                         $"({reader.GetString(LogCheckpoints.HashedAtOrdinal)}): its time was set outside the service, or the clock of the " +
                         $"process that appended it and the database's disagreed by more than {ClockTolerance.TotalMinutes:0} minutes";
            // The trigger records the time of hashing on every row since it began to: a row without one after that was
            // hashed by an older trigger put back (which would switch the check above off), or edited.
            else if (reader.GetBoolean(LogCheckpoints.NotTimedOrdinal) && await FirstTimed() is { } timedFrom && recorded.Sequence > timedFrom)
                reason = "its hash row has no time of hashing, though the log's trigger records one on every row since sequence " +
                         $"{timedFrom}: the trigger was replaced by an older one, or the row was edited";
            if (reason is not null) found.Add(Break(reason), ofAnEvent: true);

            if (ranges is not null || external is not null || streamSigned is not null)
            {
                var entry = LogCheckpoints.EntryOf(reader);
                streamSigned?.Add(entry, recorded, scheme);
                if (ranges is not null) await ranges.Add(entry, recorded, scheme, token);
                external?.Add(entry);
            }
        }
        if (ranges is not null) await ranges.End(token);
        external?.End();
        streamSigned?.End();
        foreach (var (model, from, to) in models)
        {
            // Events cut after the last one left are named by their sequence numbers (a checkpoint's entry has no version).
            if (found.NamedAfter(model) < to - from) found.Add(model);
        }
        await ReportUnreadableEvents(streamId, found, token);

        var breaks = await AsTheApiNamesThem(found.Breaks.OrderBy(b => b.Sequence).ToList(), token);
        return new VerificationReport(checkedCount, found.Count == 0, found.Count, breaks,
            (signed?.Count ?? streamSigned?.Compared ?? 0) + (keptOutside is null ? 0 : 1),
            signed is { Count: > 0 } ? signed[^1] : streamSigned?.Latest);
    }

    /// <summary>
    /// The listed breaks as the rest of the API names things: each event's type as the history and the feed spell it
    /// ("pledge-announced", where the log stores "pledge_announced"), and the key of the commitment each stream is (from
    /// its progress model: a stream id is a hash of the key, which cannot be turned back), so that an auditor reading the
    /// whole log's report knows which commitment to look at. One query for the listed breaks' streams.
    /// </summary>
    private async Task<List<ChainBreak>> AsTheApiNamesThem(List<ChainBreak> breaks, CancellationToken token)
    {
        breaks = [.. breaks.Select(b => b.Type is { } stored ? b with { Type = stored.Replace('_', '-') } : b)];
        var streams = breaks.Where(b => b.StreamId is not null).Select(b => b.StreamId!.Value).Distinct().ToArray();
        if (streams.Length == 0) return breaks;
        var keys = new Dictionary<Guid, string>();
        await using (var command = dataSource.CreateCommand(
                         $"select id, data ->> 'Key' from {S}.{Tracker.Projections.Commitments.CommitmentRows.ModelTable} where id = any($1)"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = streams });
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                if (!reader.IsDBNull(1)) keys[reader.GetGuid(0)] = reader.GetString(1);
            }
        }
        return [.. breaks.Select(b => b.StreamId is { } stream && keys.TryGetValue(stream, out var key) ? b with { Commitment = key } : b)];
    }

    /// <summary>
    /// An event found at another sequence number than the one its hash row was recorded at: whether it is otherwise as
    /// recorded (its hash, computed at the old number, is the one recorded there).
    /// </summary>
    private static string Renumbered(NpgsqlDataReader reader, RecordedEvent recorded, long was)
    {
        var ordinal = LogCheckpoints.OwnHashSequenceOrdinal;
        var (hash, previous) = (reader.GetString(ordinal + 1), reader.IsDBNull(ordinal + 2) ? null : reader.GetString(ordinal + 2));
        short? scheme = reader.IsDBNull(ordinal + 3) ? null : reader.GetInt16(ordinal + 3);
        var asRecorded = HashChain.Compute(scheme, recorded with { Sequence = was }, previous) == hash;
        return $"its sequence number was changed from {was}, where its hash was recorded, to {recorded.Sequence}" +
               (asRecorded ? ": the event is otherwise as recorded" : $", and {Reasons.WhatItRecords} no longer gives that hash");
    }

    private async Task<HashSet<(Guid Stream, long Version)>> ReportRemovedEvents(Guid? streamId, Findings found, CancellationToken token)
    {
        var removed = new HashSet<(Guid Stream, long Version)>();
        await using var orphans = dataSource.CreateCommand(OrphanedHashesSql(streamId is not null));
        if (streamId is { } id) orphans.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await orphans.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token))
        {
            var (sequence, stream, version) = (reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2));
            removed.Add((stream, version));
            found.Add(new ChainBreak(sequence, stream, version, null,
                "the event was removed from the log; its hash, recorded when it was appended, remains"), ofAnEvent: true);
        }
        return removed;
    }

    /// <summary>
    /// Events that do not read: a stored body not of its type's shape, or a type the service no longer knows. Appended
    /// outside the service through the log's own triggers, they hash and chain like any other, so only reading them finds
    /// them (until 2026-12-06 a verification called such a log intact while its reads answered "log damaged"). Every event
    /// verified is read as the service reads it, upcasters included, a page of <see cref="ReadPage"/> at a time; a page
    /// that fails is read again without the event its failure names, or an event at a time where the failure names none
    /// (a type no longer known: Marten reads a type by its name or, failing that, by the .NET type the row names, so a
    /// type's name alone does not tell whether it reads). (Archived events, which the service never writes and the stream rows' check names, are
    /// left out, as Marten's reads leave them out.) Until 2026-12-06 only the events the async daemon had skipped were read again, so one no
    /// projection had reached yet, one whose dead letter was deleted, or one of a type no longer known (for which the
    /// daemon writes no dead letter) was not named. Reported after every other check, so an event edited after it was
    /// written is named as edited.
    /// </summary>
    private async Task ReportUnreadableEvents(Guid? streamId, Findings found, CancellationToken token)
    {
        await using var session = store.QuerySession();
        var after = 0L;
        while (true)
        {
            var page = await ReadablePage(session, streamId, after, found, token);
            if (page is null) return;
            after = page.Value;
        }
    }

    /// <summary>How many events verification reads through the service's deserialisation at once.</summary>
    internal const int ReadPage = 1000;

    /// <summary>
    /// Reads the page of events after a sequence, naming each that does not read; the last sequence of the page, or null
    /// past the end.
    /// </summary>
    private async Task<long?> ReadablePage(Marten.IQuerySession session, Guid? streamId, long after, Findings found, CancellationToken token)
    {
        var sequences = new List<long>(ReadPage);
        await using (var bounds = dataSource.CreateCommand(
                         $"select seq_id from {S}.mt_events where seq_id > $1{(streamId is null ? "" : " and stream_id = $2")} order by seq_id limit {ReadPage}"))
        {
            bounds.Parameters.Add(new NpgsqlParameter { Value = after });
            if (streamId is { } id) bounds.Parameters.Add(new NpgsqlParameter { Value = id });
            await using var reader = await bounds.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token)) sequences.Add(reader.GetInt64(0));
        }
        if (sequences.Count == 0) return null;
        var (first, last) = (sequences[0], sequences[^1]);
        var unreadable = new List<long>();
        while (true)
        {
            try
            {
                var left = unreadable.ToArray();
                var page = session.Events.QueryAllRawEvents()
                    .Where(e => e.Sequence >= first && e.Sequence <= last && !left.Contains(e.Sequence));
                // A stream's verification reads its own events only: another stream's between them is not its to name.
                if (streamId is { } stream) page = page.Where(e => e.StreamId == stream);
                await page.ToListAsync(token);
                break;
            }
            catch (Exception e) when (Tracker.Projections.ReadableEvents.UnreadableSequence(e) is long sequence and > 0 && !unreadable.Contains(sequence))
            {
                unreadable.Add(sequence);
            }
            // Any other failure to read a row (a type no longer known, whose failure names no sequence; a row Marten's
            // reader cannot take, such as one without its .NET type): each event of the page read on its own, and each
            // that fails named. A database that stops answering, or a request given up, ends the verification.
            catch (Exception e) when (e is not OperationCanceledException && !DatabaseOutage.Is(e))
            {
                unreadable.Clear();
                foreach (var one in sequences)
                {
                    try
                    {
                        await session.Events.QueryAllRawEvents().Where(x => x.Sequence == one).ToListAsync(token);
                    }
                    catch (Exception single) when (single is not OperationCanceledException && !DatabaseOutage.Is(single))
                    {
                        unreadable.Add(one);
                    }
                }
                break;
            }
        }
        if (unreadable.Count > 0) await NameUnreadable(unreadable, found, token);
        return last;
    }

    private async Task NameUnreadable(List<long> unreadable, Findings found, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand($"select seq_id, stream_id, version, type from {S}.mt_events where seq_id = any($1) order by seq_id");
        command.Parameters.Add(new NpgsqlParameter { Value = unreadable.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token))
        {
            var type = reader.GetString(3);
            found.Add(new ChainBreak(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), type,
                KnownEventTypes.Contains(type)
                    ? "the event does not read as the kind of event it says it is: it was written outside the service, or in a " +
                      "shape no upcaster reads (the projections leave it out)"
                    : $"the event does not read as the kind of event it says it is: no event is of the type '{type}' here (it was " +
                      "written outside the service, or by a version that had a type this one dropped; the projections leave it out)"),
                ofAnEvent: true);
        }
    }

    /// <summary>The event type names the service reads: its events' and the older names its upcasters read.</summary>
    private HashSet<string> KnownEventTypes =>
        [.. store.Options.Events.AllKnownEventTypes().Select(t => t.EventTypeName), .. Infrastructure.EventVersions.StoredShapes.UpcastNames];

    /// <summary>
    /// Reports the streams whose row disagrees with their events; returns the commitments whose model does, each with the
    /// versions between its last event and its model: reported once the checkpoints are compared, unless each event cut
    /// after the last one left was already named (removed, or missing from a checkpoint: one cut, one break), counted
    /// whether listed or not. A model whose events and row are all gone is one of them.
    /// </summary>
    private async Task<List<(ChainBreak Break, long From, long To)>> ReportStreamRows(Guid? streamId,
        IReadOnlySet<(Guid Stream, long Version)> removed, Findings found, CancellationToken token)
    {
        var models = new List<(ChainBreak, long, long)>();
        await using var streams = dataSource.CreateCommand(StreamRowsSql(streamId is not null));
        if (streamId is { } id) streams.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await streams.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token))
        {
            var stream = reader.GetGuid(0);
            long? rowVersion = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            long? lastVersion = reader.IsDBNull(2) ? null : reader.GetInt64(2);
            long? modelVersion = reader.IsDBNull(5) ? null : reader.GetInt64(5);
            var lastSequence = reader.IsDBNull(3) ? 0 : reader.GetInt64(3);
            // The type of the event each break below is placed at (the stream's last), as an event's own break gives it.
            var lastType = reader.IsDBNull(7) ? null : reader.GetString(7);
            if (rowVersion is null && lastVersion is null && modelVersion is { } without)
            {
                models.Add((found.Watch(new ChainBreak(0, stream, null, null,
                    $"the commitment's model is at version {without}, and the log holds neither its events nor its stream row: they were " +
                    "removed with their hashes, or the model was added by hand"), LongRange(0, without).Count(v => removed.Contains((stream, v)))), 0, without));
                continue;
            }
            // A commitment stated with no model beside it: the service writes the model in the statement's transaction, so the
            // stream was written outside the service (a commitment made up in the database: until 2026-12-06 verified
            // intact, its history and trend served), or its model was deleted.
            if (reader.GetBoolean(6))
            {
                found.Add(new ChainBreak(lastSequence, stream, lastVersion, lastType,
                    "the stream states a commitment that has no model: the service writes the model in the statement's transaction, so " +
                    "the stream was written outside the service, or the model was deleted (an admin rebuild would make one from it)"));
                if (rowVersion == lastVersion && !reader.GetBoolean(4)) continue;
            }
            // Placed at the stream's last event, named by that event's own version (the row's or the model's is in the reason).
            if (modelVersion is { } model && lastVersion is { } eventsTo && model != eventsTo &&
                !(model > eventsTo && LongRange(eventsTo, model).All(v => removed.Contains((stream, v)))))
            {
                // Events appended with neither the row nor the model moved: one cause, one break (not also the row's).
                if (model < eventsTo && rowVersion == model && !reader.GetBoolean(4))
                {
                    models.Add((found.Watch(new ChainBreak(lastSequence, stream, lastVersion, lastType,
                        $"events after version {model} were appended outside the service: the stream's row and the commitment's model are both " +
                        $"at version {model}, its last event is version {eventsTo}")), model, eventsTo));
                    continue;
                }
                models.Add((found.Watch(new ChainBreak(lastSequence, stream, lastVersion, lastType, model < eventsTo
                    ? $"the commitment's model is at version {model}, its last event is version {eventsTo}: events after {model} " +
                      "were not written by the service (which writes the model with every event it appends), or the models were not rebuilt after an import"
                    : $"the commitment's model is at version {model}, its last event is version {eventsTo}: its last events were removed " +
                      "(with their hashes, or before their hashes were kept), or the model was changed by hand"),
                    LongRange(eventsTo, model).Count(v => removed.Contains((stream, v)))), Math.Min(model, eventsTo), Math.Max(model, eventsTo)));
            }
            if (rowVersion == lastVersion && !reader.GetBoolean(4)) continue;
            // The stream's last events removed, their hashes left: each is reported as removed, which says it already.
            if (rowVersion is { } rowAt && rowAt > (lastVersion ?? 0) &&
                LongRange(lastVersion ?? 0, rowAt).All(v => removed.Contains((stream, v)))) continue;
            var reason = (rowVersion, lastVersion) switch
            {
                (null, _) => "the stream's row is gone while its events remain: its writes are refused",
                (_, null) => "the stream has a row but no events: its events were removed, or the row was added by hand",
                var (row, last) when row > last =>
                    $"the stream's row says version {row}, its last event is version {last}: its last events were removed or hidden (as tombstones), or the row was changed by hand; its writes are refused",
                var (row, last) when row != last =>
                    $"the stream's row says version {row}, its last event is version {last}: events were appended behind the service's back, or the row was changed by hand",
                _ => "the stream was archived, which the service never does: its writes are refused"
            };
            found.Add(new ChainBreak(lastSequence, stream, lastVersion ?? rowVersion, lastType, reason));
        }
        return models;
    }

    /// <summary>The versions after one up to another, inclusive.</summary>
    private static IEnumerable<long> LongRange(long after, long through)
    {
        for (var v = after + 1; v <= through; v++) yield return v;
    }

    // Marten's tombstones hold no fact (they fill the sequence numbers of a failed append, several at once and not always
    // in version order, in a stream of their own): their own hash is checked but not their link.
    private static bool IsTombstone(RecordedEvent e) => e.Type == "tombstone" && e.Data == "{}";

    /// <summary>Why an event does not match its hash, as far as the event alone can tell and once its neighbours have.</summary>
    private static class Reasons
    {
        public const string WhatItRecords = "what it records (its data, type, time, actor, correlation or other metadata)";
        public const string NoHash = "no hash is stored for it: it was appended behind the log's trigger, or its hash row was removed";
        public const string NeverHashed = "no hash was recorded for it: it was appended behind the log's trigger (the next event of its stream is chained to none)";
        private const string AsTheNextLinkSays = "the event gives the hash the next event of its stream is chained to, so it is as it was appended " +
                                                 "unless that link was rewritten too (a checkpoint since would prove it)";
        public const string HashRowRemoved = $"its hash row was removed: {AsTheNextLinkSays}";
        public const string HashRowRemovedAndChanged = $"its hash row was removed (the next event of its stream is chained to a hash it had), and {WhatItRecords} no longer gives that hash";
        public const string HashMismatch = $"it no longer gives the hash recorded for it: {WhatItRecords} changed after it was recorded, or its hash row was edited";
        public const string Changed = $"{WhatItRecords} changed after it was recorded";
        public const string HashRowEdited = $"its hash row was edited: {AsTheNextLinkSays}";
        public static string ChangedSigned(long checkpoint) => $"{Changed} (its hash is as checkpoint {checkpoint} signed it)";
        public static string ChangedAndRehashed(long checkpoint) =>
            $"{Changed}, and its hash row was changed too: neither is as checkpoint {checkpoint} signed it";
        public static string HashRowEditedSigned(long checkpoint) => $"its hash row was edited: the event is as checkpoint {checkpoint} signed it";
        public static string UnhashedAndChanged(long checkpoint) => $"{NoHash}; and {WhatItRecords} is not as checkpoint {checkpoint} signed it";
    }

    private sealed class Findings
    {
        public List<ChainBreak> Breaks { get; } = [];
        public long Count { get; private set; }

        private readonly HashSet<long> _sequences = [];

        /// <summary>
        /// An event that does not match its hash (or has none), whose cause a checkpoint (which signed the hash the event
        /// had) or the next event of its stream (chained to that hash when it was appended) tells. A checkpoint's word is
        /// proof and is not overruled by a link, which sits in a table whoever edited the hash row can edit too.
        /// </summary>
        private sealed class Unexplained(ChainBreak found, string? stored, string[] wouldBe)
        {
            public ChainBreak Found { get; set; } = found;
            public string? Stored { get; } = stored;
            public string[] WouldBe { get; } = wouldBe;
            public Verdict Verdict { get; set; }
        }

        private enum Verdict { Open, Changed, HashRowEdited, Told }

        /// <summary>Sequence numbers events were moved from: a checkpoint's entry there is not also missing.</summary>
        public HashSet<long> RenumberedFrom { get; } = [];

        private readonly Dictionary<(Guid Stream, long Version), Unexplained> _unexplained = [];

        // The commitments whose model is at another version than their last event: the breaks of each event after that
        // last one, counted (listed or not) to know whether every cut event was named already.
        private readonly Dictionary<Guid, (long After, long Named)> _watched = [];

        /// <summary>Counts from now on the events' breaks in the stream after the model break's place (see <see cref="NamedAfter"/>).</summary>
        public ChainBreak Watch(ChainBreak model, long alreadyNamed = 0)
        {
            _watched[model.StreamId!.Value] = (model.Sequence, alreadyNamed);
            return model;
        }

        /// <summary>How many events' breaks were found in the stream after the model break's place.</summary>
        public long NamedAfter(ChainBreak model) => _watched.TryGetValue(model.StreamId!.Value, out var watched) ? watched.Named : 0;

        /// <summary>
        /// A break; one of an event is reported once, however many checks find it (an event removed is one break, not
        /// also the checkpoint's missing entry). A checkpoint's or a stream row's break is a place of its own. True when
        /// it was counted (listed only among the first <see cref="MaxReportedBreaks"/>).
        /// </summary>
        public bool Add(ChainBreak found, bool ofAnEvent = false)
        {
            if (ofAnEvent && !_sequences.Add(found.Sequence)) return false;
            Count++;
            if (ofAnEvent && found.StreamId is { } stream && _watched.TryGetValue(stream, out var watched) && found.Sequence > watched.After)
                _watched[stream] = watched with { Named = watched.Named + 1 };
            if (Breaks.Count < MaxReportedBreaks) Breaks.Add(found);
            return true;
        }

        /// <summary>
        /// An event that does not match its stored hash (or has none), and the hashes it gives now: kept whether or not
        /// its break is listed, so that the next event's link counts the same (one break) anywhere in the log.
        /// </summary>
        public void AwaitNextLink(ChainBreak found, string? stored, params string[] wouldBe) =>
            _unexplained[(found.StreamId!.Value, found.Version!.Value)] = new Unexplained(found, stored, wouldBe);

        /// <summary>
        /// The next event's link to an event that did not match its hash (or had none): chained to the hash the event gives
        /// now, its hash row was edited (or removed); chained to the stored hash, the event changed; a next event with no
        /// hash row of its own tells nothing. True when this link's own break is that one's (the edited hash row), not a
        /// second break. After a checkpoint proved the event changed, this link's break stands on its own.
        /// </summary>
        public bool ExplainByNextLink(Guid stream, long version, string? linkedTo, string? previousInLog, bool nextHasHashRow)
        {
            if (!_unexplained.Remove((stream, version), out var before)) return false;
            var chainedToWhatItGives = linkedTo is not null && before.WouldBe.Contains(linkedTo);
            if (before.Stored is null)
            {
                if (nextHasHashRow && before.Verdict == Verdict.Open)
                    Settle(before, linkedTo is null ? Reasons.NeverHashed : chainedToWhatItGives ? Reasons.HashRowRemoved : Reasons.HashRowRemovedAndChanged);
                return false;
            }
            var explained = chainedToWhatItGives && linkedTo != previousInLog;
            switch (before.Verdict)
            {
                case Verdict.Open when explained:
                    Settle(before, Reasons.HashRowEdited, Verdict.HashRowEdited);
                    return true;
                case Verdict.Open when linkedTo == before.Stored:
                    Settle(before, Reasons.Changed, Verdict.Changed);
                    return false;
                case Verdict.HashRowEdited:
                    return explained;
                default:
                    return false;
            }
        }

        /// <summary>A checkpoint's signed hash of an event that did not match its stored hash (or had none): which changed.</summary>
        public void ExplainBySignedHash(RecordedEvent recorded, byte[] signed, long checkpoint)
        {
            if (!_unexplained.TryGetValue((recorded.StreamId, recorded.Version), out var unexplained)) return;
            var signedHex = Convert.ToHexStringLower(signed);
            var givesSigned = unexplained.WouldBe.Contains(signedHex);
            // Without a hash row, a checkpoint that signed what the event gives says nothing of whether the row ever was
            // (a checkpoint records the hash an unhashed event gives); one that signed another hash proves it changed.
            if (unexplained.Stored is null)
            {
                if (!givesSigned) Settle(unexplained, Reasons.UnhashedAndChanged(checkpoint), Verdict.Told);
                return;
            }
            if (signedHex == unexplained.Stored) Settle(unexplained, Reasons.ChangedSigned(checkpoint), Verdict.Changed);
            else if (givesSigned) Settle(unexplained, Reasons.HashRowEditedSigned(checkpoint), Verdict.HashRowEdited);
            else Settle(unexplained, Reasons.ChangedAndRehashed(checkpoint), Verdict.Changed);
        }

        private void Settle(Unexplained unexplained, string reason, Verdict verdict = Verdict.Told)
        {
            if (unexplained.Verdict != Verdict.Open) return;
            unexplained.Verdict = verdict;
            var at = Breaks.IndexOf(unexplained.Found);
            unexplained.Found = unexplained.Found with { Reason = reason };
            if (at >= 0) Breaks[at] = unexplained.Found;
        }
    }

    /// <summary>The log, in sequence order, against the checkpoints the database holds.</summary>
    private sealed class CheckpointRanges
    {
        private readonly IReadOnlyList<Checkpoint> _signed;
        private readonly LogCheckpoints _store;
        private readonly Findings _found;
        private readonly bool[] _trusted;
        private int _index;
        private RunningRoot _root = new();
        private Queue<CheckpointEntry> _expected = new();
        private bool _opened;
        private bool _baseTrusted;
        // Whether the open range had a break of its own (an event's, reported or already reported by another check):
        // its root then differs too, which says nothing more.
        private bool _brokenInRange;
        // The streams whose last event differs from what a checkpoint signed, with that event's signed hash: only streams
        // found rewritten are kept.
        private readonly Dictionary<Guid, byte[]> _diverged = [];
        // The open range's recorded entries no longer give the root it signed: they say nothing of single events.
        private bool _entriesAltered;

        public CheckpointRanges(IReadOnlyList<Checkpoint> signed, LogCheckpoints store, CheckpointSigner signer, Findings found)
        {
            _signed = signed;
            _store = store;
            _found = found;
            _trusted = new bool[signed.Count];
            for (var i = 0; i < signed.Count; i++)
            {
                var c = signed[i];
                var problem = signer.Check(c.KeyId, c.Payload(), c.Signature);
                var previous = i == 0 ? null : signed[i - 1];
                problem ??= (previous, c) switch
                {
                    (null, { Number: not 1 }) => "the checkpoints before it are missing",
                    (null, { AfterSequence: not 0 }) => "it does not start at the beginning of the log",
                    ({ } p, _) when c.Number != p.Number + 1 => $"checkpoint {p.Number + 1} is missing before it",
                    ({ } p, _) when c.AfterSequence != p.ThroughSequence => $"it does not start where checkpoint {p.Number} ends",
                    _ => null
                };
                _trusted[i] = problem is null;
                if (problem is not null) Report(c.ThroughSequence, null, null, null, $"Checkpoint {c.Number} cannot be trusted: {problem}", c.Number);
            }
        }

        public async Task Add(CheckpointEntry entry, RecordedEvent recorded, short? scheme, CancellationToken token)
        {
            while (_index < _signed.Count && entry.Sequence > _signed[_index].ThroughSequence) await Close(token);
            if (_index >= _signed.Count) return;
            if (!_opened) await Open(token);

            var current = _signed[_index];
            _root.Add(entry);
            // A checkpoint that cannot be trusted says nothing about its range (its own break is reported), and events
            // between two checkpoints that do not meet (one is missing) belong to no range.
            if (!_trusted[_index] || _entriesAltered || entry.Sequence <= current.AfterSequence) return;
            while (_expected.TryPeek(out var missing) && missing.Sequence < entry.Sequence)
            {
                _expected.Dequeue();
                Missing(missing, current);
            }
            if (_expected.TryPeek(out var expected) && expected.Sequence == entry.Sequence)
            {
                _expected.Dequeue();
                var differs = expected.StreamId != entry.StreamId || !expected.Hash.AsSpan().SequenceEqual(entry.Hash);
                _found.ExplainBySignedHash(recorded, expected.Hash, current.Number);
                // After a rewritten event, each later event of its stream differs too, its hash recomputed from the new
                // one: it is reported only when what it records changed (its hash from the signed previous one is not
                // the signed hash), so one rewritten event is one break however long the stream.
                var onlyRechained = differs && _diverged.TryGetValue(entry.StreamId, out var signedPrevious) &&
                                    HashChain.Compute(scheme, recorded, Convert.ToHexStringLower(signedPrevious)) ==
                                    Convert.ToHexStringLower(expected.Hash);
                if (differs && !onlyRechained)
                {
                    Report(entry.Sequence, recorded.StreamId, recorded.Version, recorded.Type,
                        $"it differs from what checkpoint {current.Number} recorded: it was rewritten and its hashes recomputed", current.Number,
                        ofAnEvent: true);
                }
                else if (onlyRechained) _brokenInRange = true;
                if (differs) _diverged[entry.StreamId] = expected.Hash;
                else _diverged.Remove(entry.StreamId);
            }
            else
            {
                Report(entry.Sequence, recorded.StreamId, recorded.Version, recorded.Type,
                    $"it was not in the log when checkpoint {current.Number} was taken: it was added to a part of the log already signed",
                    current.Number, ofAnEvent: true);
            }
        }

        public async Task End(CancellationToken token)
        {
            while (_index < _signed.Count) await Close(token);
            foreach (var (sequence, stream, checkpoint) in _missing.Where(m => !_found.RenumberedFrom.Contains(m.Sequence)))
            {
                _found.Add(new ChainBreak(sequence, stream, null, null,
                    $"it is missing: checkpoint {checkpoint} recorded this event of stream {stream}", checkpoint), ofAnEvent: true);
            }
        }

        private async Task Open(CancellationToken token)
        {
            var current = _signed[_index];
            _opened = true;
            _baseTrusted = _index == 0 || _trusted[_index - 1];
            if (!_trusted[_index]) return;
            var entries = CheckpointEntry.ReadAll(await _store.Entries(current.Number, token)).ToList();
            _expected = new Queue<CheckpointEntry>(entries);
            // From the root the range starts at: the one the previous checkpoint signed (or nothing, for the first).
            var fromEntries = new RunningRoot(_root.Hex);
            foreach (var e in entries) fromEntries.Add(e);
            _entriesAltered = _baseTrusted && fromEntries.Hex != current.Root;
            if (_entriesAltered)
            {
                Report(current.ThroughSequence, null, null, null,
                    $"Checkpoint {current.Number}'s recorded entries were altered: they no longer give the root it signed", current.Number);
                // The log is then judged by the root alone (at the range's end), not by entries that were changed.
                _expected = new Queue<CheckpointEntry>();
            }
            _brokenInRange = false;
        }

        private async Task Close(CancellationToken token)
        {
            var current = _signed[_index];
            if (!_opened) await Open(token); // a range the log holds nothing of
            foreach (var missing in _expected) Missing(missing, current);
            if (_trusted[_index] && _baseTrusted && _root.Hex != current.Root && !_brokenInRange)
            {
                Report(current.ThroughSequence, null, null, null,
                    $"The log through sequence {current.ThroughSequence} no longer gives the root checkpoint {current.Number} signed " +
                    $"({current.EventCount} events)", current.Number);
            }
            // The next range is judged on its own, from the root this one signed (when its signature holds).
            _root = new RunningRoot(_trusted[_index] ? current.Root : _root.Hex);
            _expected = new Queue<CheckpointEntry>();
            _opened = false;
            _index++;
        }

        // Reported at the end: an event moved to a later sequence number is found there, after its old number has passed,
        // and is then one break (renumbered), not also missing here. (32 bytes each: a log cut whole stays small.)
        private readonly List<(long Sequence, Guid Stream, long Checkpoint)> _missing = [];

        private void Missing(CheckpointEntry missing, Checkpoint current)
        {
            _brokenInRange = true;
            _missing.Add((missing.Sequence, missing.StreamId, current.Number));
        }

        private void Report(long sequence, Guid? stream, long? version, string? type, string reason, long? checkpoint,
            bool ofAnEvent = false)
        {
            _brokenInRange = true;
            _found.Add(new ChainBreak(sequence, stream, version, type, reason, checkpoint), ofAnEvent);
        }
    }

    /// <summary>
    /// One stream's events against the checkpoints that recorded them: each checkpoint is read once (56 bytes an event of
    /// the whole log), its entries chained from the root before it, and only the stream's own entries kept. A run of checkpoints whose entries chain from one root to the next is
    /// trusted when the last of them is signed (nobody can find other entries that chain to a signed root), so a stream's
    /// check verifies a signature or two, not one per checkpoint. What it finds is what the whole log's check finds for
    /// that stream: an event a checkpoint recorded that is missing (a stream cut back or removed with its hashes and row),
    /// one added to a part of the log already signed, one rewritten with its hashes recomputed; and a checkpoint whose
    /// entries, root, signature or place in the chain no longer hold, whose range it then leaves uncompared.
    /// </summary>
    private sealed class StreamAgainstCheckpoints
    {
        private readonly Findings _found;
        private readonly Dictionary<long, (byte[] Hash, long Checkpoint)> _expected = [];
        // The trusted ranges, in order, to find the one an event falls in (an event in no trusted range is not compared).
        private readonly List<(long After, long Through, long Number)> _ranges = [];
        private long _untrusted;
        // After a rewritten event, the hash the checkpoint recorded for it: the stream's later events then differ only by
        // their recomputed chain, which is not a break of its own (as in the whole log's check).
        private byte[]? _signedPrevious;

        private readonly Guid _stream;

        private StreamAgainstCheckpoints(Guid stream, Findings found) => (_stream, _found) = (stream, found);

        public long Compared => _ranges.Count + _untrusted;
        public Checkpoint? Latest { get; private set; }

        public static async Task<StreamAgainstCheckpoints> Read(Guid stream, LogCheckpoints store,
            CheckpointSigner signer, Findings found, CancellationToken token)
        {
            var against = new StreamAgainstCheckpoints(stream, found);
            // The checkpoints whose entries chain since the last root known to hold, with their entries of the stream.
            var run = new List<(Checkpoint Checkpoint, List<CheckpointEntry> OfStream)>();
            Checkpoint? previous = null;
            string? root = null;
            await foreach (var (checkpoint, entries) in store.AllWithEntries(token))
            {
                against.Latest = checkpoint;
                var chained = new RunningRoot(root);
                var ofStream = new List<CheckpointEntry>();
                foreach (var entry in CheckpointEntry.ReadAll(entries))
                {
                    chained.Add(entry);
                    if (entry.StreamId == stream) ofStream.Add(entry);
                }
                var misplaced = (previous, checkpoint) switch
                {
                    (null, { Number: not 1 }) => "the checkpoints before it are missing",
                    (null, { AfterSequence: not 0 }) => "it does not start at the beginning of the log",
                    ({ } p, _) when checkpoint.Number != p.Number + 1 => $"checkpoint {p.Number + 1} is missing before it",
                    ({ } p, _) when checkpoint.AfterSequence != p.ThroughSequence => $"it does not start where checkpoint {p.Number} ends",
                    _ => null
                };
                if (misplaced is null && chained.Hex == checkpoint.Root)
                {
                    run.Add((checkpoint, ofStream));
                }
                else
                {
                    against.Trust(run, signer);
                    run.Clear();
                    var signature = signer.Check(checkpoint.KeyId, checkpoint.Payload(), checkpoint.Signature);
                    against.Untrusted(checkpoint, misplaced is null && signature is null
                        ? $"Checkpoint {checkpoint.Number}'s recorded entries were altered: they no longer give the root it signed"
                        : $"Checkpoint {checkpoint.Number} cannot be trusted: {misplaced ?? signature}");
                    // The next range starts from this one's root when its signature holds, else from what its entries give.
                    if (misplaced is null && signature is not null)
                    {
                        (previous, root) = (checkpoint, chained.Hex);
                        continue;
                    }
                }
                (previous, root) = (checkpoint, checkpoint.Root);
            }
            against.Trust(run, signer);
            return against;
        }

        /// <summary>
        /// A run of checkpoints that chain: trusted up to its last one whose signature holds (usually its last), each
        /// checkpoint after that one reported and its range left uncompared.
        /// </summary>
        private void Trust(List<(Checkpoint Checkpoint, List<CheckpointEntry> OfStream)> run, CheckpointSigner signer)
        {
            var signedUpTo = run.Count - 1;
            var failed = new List<(Checkpoint, string)>();
            for (; signedUpTo >= 0; signedUpTo--)
            {
                var c = run[signedUpTo].Checkpoint;
                if (signer.Check(c.KeyId, c.Payload(), c.Signature) is not { } problem) break;
                failed.Add((c, problem));
            }
            for (var i = 0; i <= signedUpTo; i++)
            {
                var (c, ofStream) = run[i];
                _ranges.Add((c.AfterSequence, c.ThroughSequence, c.Number));
                foreach (var entry in ofStream) _expected[entry.Sequence] = (entry.Hash, c.Number);
            }
            foreach (var (c, problem) in Enumerable.Reverse(failed)) Untrusted(c, $"Checkpoint {c.Number} cannot be trusted: {problem}");
        }

        private void Untrusted(Checkpoint checkpoint, string reason)
        {
            _untrusted++;
            _found.Add(new ChainBreak(checkpoint.ThroughSequence, null, null, null, reason, checkpoint.Number));
        }

        /// <summary>One of the stream's events, in version order, as a checkpoint would record it.</summary>
        public void Add(CheckpointEntry entry, RecordedEvent recorded, short? scheme)
        {
            if (RangeOf(recorded.Sequence) is not { } range) return;
            if (!_expected.Remove(recorded.Sequence, out var expected))
            {
                _signedPrevious = null;
                _found.Add(new ChainBreak(recorded.Sequence, recorded.StreamId, recorded.Version, recorded.Type,
                    $"it was not in the log when checkpoint {range.Number} was taken: it was added to a part of the log already signed",
                    range.Number), ofAnEvent: true);
                return;
            }
            var differs = !entry.Hash.AsSpan().SequenceEqual(expected.Hash);
            _found.ExplainBySignedHash(recorded, expected.Hash, expected.Checkpoint);
            var onlyRechained = differs && _signedPrevious is not null &&
                                HashChain.Compute(scheme, recorded, Convert.ToHexStringLower(_signedPrevious)) ==
                                Convert.ToHexStringLower(expected.Hash);
            if (differs && !onlyRechained)
            {
                _found.Add(new ChainBreak(recorded.Sequence, recorded.StreamId, recorded.Version, recorded.Type,
                    $"it differs from what checkpoint {expected.Checkpoint} recorded: it was rewritten and its hashes recomputed",
                    expected.Checkpoint), ofAnEvent: true);
            }
            _signedPrevious = differs ? expected.Hash : null;
        }

        /// <summary>The events the checkpoints recorded of the stream that it no longer holds.</summary>
        public void End()
        {
            foreach (var (sequence, (_, checkpoint)) in _expected.Where(e => !_found.RenumberedFrom.Contains(e.Key)).OrderBy(e => e.Key))
            {
                _found.Add(new ChainBreak(sequence, _stream, null, null,
                    $"it is missing: checkpoint {checkpoint} recorded this event of the stream", checkpoint), ofAnEvent: true);
            }
        }

        // Trusted ranges follow each other in sequence order (each starts where the one before it ends): the first that
        // ends at or after the event's sequence, if it starts before it.
        private (long After, long Through, long Number)? RangeOf(long sequence)
        {
            int low = 0, high = _ranges.Count;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (_ranges[middle].Through < sequence) low = middle + 1;
                else high = middle;
            }
            return low < _ranges.Count && _ranges[low].After < sequence ? _ranges[low] : null;
        }
    }

    /// <summary>The log against one checkpoint an auditor kept outside the database.</summary>
    private sealed class KeptOutside
    {
        private readonly Checkpoint _kept;
        private readonly Findings _found;
        private readonly RunningRoot _root = new();
        private bool _closed;

        public KeptOutside(Checkpoint kept, IReadOnlyList<Checkpoint> signed, CheckpointSigner signer, Findings found)
        {
            _kept = kept;
            _found = found;
            if (signer.Check(kept.KeyId, kept.Payload(), kept.Signature) is { } problem)
            {
                if (signer.Trusts(kept.KeyId))
                {
                    // Under a key the service trusts, a signature that does not hold is a copy that is not what it signed.
                    Report($"The checkpoint you kept (number {kept.Number}) cannot be trusted: {problem}");
                    _closed = true;
                    return;
                }
                // A key the service no longer holds says as much about the service as about the copy (its checkpoints may
                // have been replaced under a new key): said so, and the log is compared with the copy's root all the same
                // (until 2026-12-08 the comparison stopped here, and the break read as the auditor's copy being at fault).
                Report($"The checkpoint you kept (number {kept.Number}) is signed by key {kept.KeyId}, which this service neither holds nor trusts: " +
                       "either its key was replaced without the old public key listed in Audit:Checkpoints:TrustedPublicKeys, or its checkpoints " +
                       "were replaced under another key. Check your copy's signature with the public key you kept beside it; the log is compared " +
                       "with your copy's root all the same");
            }
            var same = signed.FirstOrDefault(c => c.Number == kept.Number);
            if (same is null)
            {
                Report(signed.Count == 0 || signed[^1].Number < kept.Number
                    ? $"Checkpoint {kept.Number}, which you kept, is missing from the database (it holds {signed.Count} checkpoints): they were removed"
                    : $"Checkpoint {kept.Number}, which you kept, is missing from the database");
            }
            else if (same.Root != kept.Root || same.ThroughSequence != kept.ThroughSequence || same.Signature != kept.Signature)
            {
                Report($"Checkpoint {kept.Number} in the database is not the one you kept");
            }
        }

        public void Add(CheckpointEntry entry)
        {
            if (_closed) return;
            if (entry.Sequence > _kept.ThroughSequence)
            {
                End();
                return;
            }
            _root.Add(entry);
        }

        public void End()
        {
            if (_closed) return;
            _closed = true;
            if (_root.Hex != _kept.Root)
            {
                Report($"The log through sequence {_kept.ThroughSequence} holds {_root.Count} events and no longer gives the root of the " +
                       $"checkpoint you kept ({_kept.EventCount} events, signed {_kept.TakenAt:yyyy-MM-dd HH:mm:ss}Z)");
            }
        }

        private void Report(string reason) =>
            _found.Add(new ChainBreak(_kept.ThroughSequence, null, null, null, reason, _kept.Number));
    }
}
