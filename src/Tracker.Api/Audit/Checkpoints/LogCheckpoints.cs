using System.Buffers;
using System.Buffers.Binary;
using System.Data;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Projections;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Tracker.Api.Audit.Checkpoints;

/// <summary>
/// A signed statement of what the whole log held through a global sequence number: how many events, and the running
/// root, a SHA-256 chain over every event in sequence order (its sequence number, stream and hash). The root depends on
/// the log alone, so a copy of the latest checkpoint kept anywhere proves every event before it: a deleted stream or
/// tail, a truncated table, a rewritten event whose hashes were recomputed, or a rewound sequence all give another root.
/// </summary>
public sealed record Checkpoint(long Number, long AfterSequence, long ThroughSequence, long EventCount, string Root,
    DateTimeOffset TakenAt, string KeyId, string Signature)
{
    /// <summary>What the signature covers.</summary>
    public string Payload() => string.Join('\n', "tracker-log-checkpoint v1",
        Number.ToString(CultureInfo.InvariantCulture), AfterSequence.ToString(CultureInfo.InvariantCulture),
        ThroughSequence.ToString(CultureInfo.InvariantCulture), EventCount.ToString(CultureInfo.InvariantCulture), Root,
        TakenAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
}

/// <summary>One event as a checkpoint records it: sequence, stream and hash.</summary>
public readonly record struct CheckpointEntry(long Sequence, Guid StreamId, byte[] Hash)
{
    public const int Size = 8 + 16 + 32;

    public void Write(Span<byte> into)
    {
        BinaryPrimitives.WriteInt64BigEndian(into, Sequence);
        StreamId.TryWriteBytes(into[8..], bigEndian: true, out _);
        Hash.CopyTo(into[24..]);
    }

    public static IEnumerable<CheckpointEntry> ReadAll(byte[] entries)
    {
        for (var at = 0; at + Size <= entries.Length; at += Size)
        {
            yield return new CheckpointEntry(BinaryPrimitives.ReadInt64BigEndian(entries.AsSpan(at)),
                new Guid(entries.AsSpan(at + 8, 16), bigEndian: true), entries.AsSpan(at + 24, 32).ToArray());
        }
    }
}

/// <summary>The running root: start from 32 zero bytes; each event in sequence order hashes the root so far with its entry.</summary>
public sealed class RunningRoot
{
    private byte[] _root;
    private readonly byte[] _buffer = new byte[32 + CheckpointEntry.Size];

    public RunningRoot(string? from = null) => _root = from is null ? new byte[32] : Convert.FromHexString(from);

    public long Count { get; private set; }

    public void Add(CheckpointEntry entry)
    {
        _root.CopyTo(_buffer, 0);
        entry.Write(_buffer.AsSpan(32));
        _root = SHA256.HashData(_buffer);
        Count++;
    }

    public string Hex => Convert.ToHexStringLower(_root);
}

/// <summary>The checkpoints' table, and taking and reading them.</summary>
public sealed class LogCheckpoints(NpgsqlDataSource dataSource, CheckpointSigner signer, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<CheckpointOptions> options, CheckpointMemory memory)
{
    public const string Table = "log_checkpoints";
    private const string S = TrackerDatabase.Schema;

    public static IEnumerable<ISchemaObject> Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Table, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<long>("number").AsPrimaryKey();
        table.AddColumn<long>("after_sequence").NotNull();
        table.AddColumn<long>("through_sequence").NotNull();
        table.AddColumn<long>("event_count").NotNull();
        table.AddColumn<string>("root").NotNull();
        table.AddColumn<DateTimeOffset>("taken_at").NotNull();
        table.AddColumn<string>("key_id").NotNull();
        table.AddColumn<string>("signature").NotNull();
        // The range's entries (sequence, stream, hash; 56 bytes each): what lets verification name the first event
        // that differs, not only the checkpoint.
        table.AddColumn("entries", "bytea").NotNull();
        yield return table;

        // The one way in for the service's role (it may not insert into the table itself): a checkpoint that follows the
        // latest one, with as many entries as it counts, over events that exist; one node at a time. It runs as the
        // schema's owner, so a role that can only call it cannot write a row that would stop or derail the chain.
        var record = new PostgresqlObjectName(schema, RecordFunction, SchemaUtils.IdentifierUsage.General);
        yield return StoredFunction.Of(record,
            "p_number bigint, p_after bigint, p_through bigint, p_count bigint, p_root text, " +
            "p_taken_at timestamp with time zone, p_key_id text, p_signature text, p_entries bytea", "boolean",
            ["LANGUAGE plpgsql", "SECURITY DEFINER", "SET search_path TO 'pg_catalog'"], $"""
            DECLARE
              latest record;
            BEGIN
              PERFORM pg_advisory_xact_lock(7311240118);
              SELECT c.number, c.through_sequence, c.event_count INTO latest
                FROM {schema}.{Table} c ORDER BY c.number DESC LIMIT 1;
              IF p_number <> coalesce(latest.number, 0) + 1 THEN
                RETURN false;
              END IF;
              IF p_after <> coalesce(latest.through_sequence, 0) OR p_through <= p_after
                 OR length(p_root) <> 64 OR p_root !~ '^[0-9a-f]+$' OR length(p_key_id) <> 16 OR p_key_id !~ '^[0-9a-f]+$'
                 OR length(p_entries) % {CheckpointEntry.Size} <> 0
                 OR p_count <> coalesce(latest.event_count, 0) + length(p_entries) / {CheckpointEntry.Size}
                 OR p_through > (SELECT coalesce(max(e.seq_id), 0) FROM {schema}.mt_events e) THEN
                RAISE EXCEPTION 'A checkpoint must follow the latest one, count its entries and cover events that exist'
                  USING ERRCODE = 'check_violation';
              END IF;
              INSERT INTO {schema}.{Table} ({Columns}, entries)
              VALUES (p_number, p_after, p_through, p_count, p_root, p_taken_at, p_key_id, p_signature, p_entries);
              RETURN true;
            END;
            """);
    }

    public const string RecordFunction = "mt_record_log_checkpoint";

    private const string Columns = "number, after_sequence, through_sequence, event_count, root, taken_at, key_id, signature";

    /// <summary>
    /// Each event's entry in sequence order over a range, with the hash the trigger stored (or, when none was stored,
    /// the one its row gives now, so a missing hash row is the per-event check's finding, not the checkpoint's).
    /// </summary>
    public static readonly string EntriesSql = Entries(recordedOnlyWithoutHash: false);

    /// <summary>In a row of <see cref="EntriesSql"/>: the event before it in its stream is in the log without a hash.</summary>
    public const int PreviousEventInLogOrdinal = 19;

    /// <summary>
    /// In a row of <see cref="EntriesSql"/>: the stream and version its hash row was recorded for (another event's when
    /// sequence numbers were changed), and, when that is not the event itself, the event's own hash row (where it was
    /// recorded), if any: its sequence number, hash, link and scheme.
    /// </summary>
    public const int HashStreamOrdinal = 20, HashVersionOrdinal = 21, OwnHashSequenceOrdinal = 22;

    /// <summary>
    /// In a row of <see cref="EntriesSql"/>: how many seconds before the database hashed the event the time it records
    /// lies (negative: after; infinite for an event dated infinity or -infinity), null when the hash row has no such time;
    /// the time it was hashed, written as the hash writes times, only where the two lie further apart than the tolerance;
    /// and whether the hash row has no time of hashing (a row hashed before 2026-12-06, or by an older trigger).
    /// </summary>
    public const int SecondsBeforeHashedOrdinal = 26, HashedAtOrdinal = 27, NotTimedOrdinal = 28;

    private const string SecondsBeforeHashed =
        "case when h.hashed_at is null then null when isfinite(e.timestamp) then extract(epoch from h.hashed_at - e.timestamp)::float8 " +
        "when e.timestamp < h.hashed_at then 'Infinity'::float8 else '-Infinity'::float8 end";

    /// <summary>
    /// <see cref="EntriesSql"/> for taking a checkpoint, which needs an event's recorded fields only when no hash was
    /// stored for it: a range of 50,000 events otherwise sent every event's data as text, to be thrown away (a second of
    /// both cores, and the garbage, every second while a backlog is signed).
    /// </summary>
    public static readonly string CheckpointEntriesSql = Entries(recordedOnlyWithoutHash: true);

    private static string Entries(bool recordedOnlyWithoutHash)
    {
        string Recorded(string column) => recordedOnlyWithoutHash ? $"case when h.hash is null then {column} end" : column;
        // The previous event's hash, which only an event without a stored hash needs (to compute its own): looked up for
        // those alone when taking a checkpoint, a second index probe per event otherwise (a third of the statement).
        // Verifying, an event whose previous one has no hash is told whether that event is in the log (its own break
        // then says so); an event removed with its hash left is found by its orphaned hash (LogVerifier).
        var previous = recordedOnlyWithoutHash
            ? $"case when h.hash is null then (select p.hash from {S}.{HashChain.Table} p where p.stream_id = e.stream_id and p.version = e.version - 1) end"
            : "p.hash";
        // An event whose sequence number holds another event's hash row (or none): its own, where it was recorded.
        string OwnHash(string column) =>
            $"case when h.seq_id is null or h.stream_id <> e.stream_id or h.version <> e.version then (select o.{column} from {S}.{HashChain.Table} o where o.stream_id = e.stream_id and o.version = e.version) end";
        return $"""
            select e.seq_id, e.stream_id, h.hash, h.scheme, h.previous_hash, {previous},
                   e.version, {Recorded("e.type")}, {Recorded("e.data::text")},
                   {Recorded(HashChain.RecordedAtSql("e.timestamp"))},
                   {Recorded("e.tenant_id")}, {Recorded("e.mt_dotnet_type")}, {Recorded("e.user_name")}, {Recorded("e.correlation_id")},
                   {Recorded("e.causation_id")}, {Recorded("e.headers::text")}, {Recorded("e.bdata")}, coalesce(e.is_archived, false), e.id
                   {(recordedOnlyWithoutHash ? "" : $", p.hash is null and exists (select 1 from {S}.mt_events pe where pe.stream_id = e.stream_id and pe.version = e.version - 1)")}
                   {(recordedOnlyWithoutHash ? "" : $", h.stream_id, h.version, {OwnHash("seq_id")}, {OwnHash("hash")}, {OwnHash("previous_hash")}, {OwnHash("scheme")}")}
                   {(recordedOnlyWithoutHash ? "" : $", {SecondsBeforeHashed}, case when h.hashed_at is not null and abs({SecondsBeforeHashed}) > {(int)LogVerifier.ClockTolerance.TotalSeconds} then {HashChain.RecordedAtSql("h.hashed_at")} end, h.hashed_at is null")}
              from {S}.mt_events e
              left join {S}.{HashChain.Table} h on h.seq_id = e.seq_id
            {(recordedOnlyWithoutHash ? "" : $"left join {S}.{HashChain.Table} p on p.stream_id = e.stream_id and p.version = e.version - 1")}
            """;
    }

    public async Task<Checkpoint?> Latest(CancellationToken token)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from {S}.{Table} order by number desc limit 1");
        await using var reader = await command.ExecuteReaderAsync(token);
        return await reader.ReadAsync(token) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<Checkpoint>> Page(long? before, int limit, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand(
            $"select {Columns} from {S}.{Table} where number < $1 order by number desc limit $2");
        command.Parameters.Add(new NpgsqlParameter { Value = before ?? long.MaxValue });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        return await ReadList(command, token);
    }

    /// <summary>The checkpoints that end after one sequence number and at or before another (the event feed's page).</summary>
    public async Task<IReadOnlyList<Checkpoint>> Ending(long after, long through, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand(
            $"select {Columns} from {S}.{Table} where through_sequence > $1 and through_sequence <= $2 order by number");
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        command.Parameters.Add(new NpgsqlParameter { Value = through });
        return await ReadList(command, token);
    }

    public async Task<IReadOnlyList<Checkpoint>> All(CancellationToken token)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from {S}.{Table} order by number");
        return await ReadList(command, token);
    }

    /// <summary>
    /// Every checkpoint in order, each with its recorded entries, one row at a time: a stream's verification keeps only
    /// its own entries.
    /// </summary>
    public async IAsyncEnumerable<(Checkpoint Checkpoint, byte[] Entries)> AllWithEntries(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token)
    {
        await using var command = dataSource.CreateCommand($"select {Columns}, entries from {S}.{Table} order by number");
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, token);
        while (await reader.ReadAsync(token))
        {
            var checkpoint = Read(reader);
            yield return (checkpoint, await reader.GetFieldValueAsync<byte[]>(8, token));
        }
    }

    public async Task<byte[]> Entries(long number, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand($"select entries from {S}.{Table} where number = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        return await command.ExecuteScalarAsync(token) as byte[] ?? [];
    }

    /// <summary>
    /// Signs what the log holds past the latest checkpoint (at most Audit:Checkpoints:MaxEvents events), through Marten's high-water mark (below it every sequence
    /// number is either in the log or was given up, so no transaction still in flight can add an event to a range once
    /// it is signed) and, with a settle time, through the newest event older than it; null when there is nothing new,
    /// or when another node took this number first. Refuses (<see cref="CheckpointRefused"/>) to build on a latest
    /// checkpoint whose signature does not hold.
    /// </summary>
    public async Task<Checkpoint?> Take(TimeSpan? settle, CancellationToken token)
    {
        var latest = await Latest(token);
        if (latest is not null && signer.Check(latest.KeyId, latest.Payload(), latest.Signature) is { } problem)
        {
            throw new CheckpointRefused($"Checkpoint {latest.Number}, the latest, cannot be trusted ({problem}): no checkpoint " +
                                        "is taken on top of it until an auditor has looked (GET /api/audit/verify)");
        }
        // A database that lost the checkpoint this node remembers signing is not signed on top of, as a fresh chain.
        if (await memory.Problem(token) is { } forgotten)
        {
            throw new CheckpointRefused($"{forgotten}: no checkpoint is taken until an auditor has looked (POST /api/audit/verify with a " +
                                        $"checkpoint kept outside); to go on from the database as it is, delete {memory.File}");
        }
        var after = latest?.ThroughSequence ?? 0;
        var settledBefore = clock.GetUtcNow() - (settle ?? options.Value.SettleTime);

        await using var connection = await dataSource.OpenConnectionAsync(token);
        // The range is chosen and read in parts within one snapshot: an event committed meanwhile into a gap below the
        // high-water mark (one Marten gave up waiting for) is then in neither, rather than in a part read after it.
        await using var reading = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, token);
        long? through;
        // Up to the first event not yet settled, walking the log in sequence order from the latest checkpoint: a tick
        // with nothing settled reads one event, where it read every event of the last settle time (at a thousand writes
        // a second, tens of thousands of rows). A transaction's events carry the time it began, so an event recorded
        // after an unsettled one may be older than it: it waits for the next checkpoint.
        await using (var target = new NpgsqlCommand($"""
                         select max(t.seq_id) from (
                           select e.seq_id from {S}.mt_events e
                            where e.seq_id > $1
                              and e.seq_id < coalesce((select u.seq_id from {S}.mt_events u
                                                        where u.seq_id > $1 and u.timestamp > $2 order by u.seq_id limit 1),
                                                      9223372036854775807)
                              and e.seq_id <= (select p.last_seq_id from {S}.mt_event_progression p where p.name = 'HighWaterMark')
                            order by e.seq_id limit $3) t
                         """, connection))
        {
            target.Parameters.Add(new NpgsqlParameter { Value = after });
            target.Parameters.Add(new NpgsqlParameter { Value = settledBefore });
            target.Parameters.Add(new NpgsqlParameter { Value = Math.Max(1, options.Value.MaxEvents) });
            through = await target.ExecuteScalarAsync(token) as long?;
        }
        if (through is null) return null;

        var root = new RunningRoot(latest?.Root);
        // The entries (2.8 MB at 50,000 events) in a pooled buffer: a new one each minute was a large-object allocation,
        // and those bring on full collections, which pause every request.
        var entries = ArrayPool<byte>.Shared.Rent(
            (int)Math.Min(through.Value - after, Math.Max(1, options.Value.MaxEvents)) * CheckpointEntry.Size);
        try
        {
            await ReadRange(connection, after, through.Value, root, entries, token);
            await reading.CommitAsync(token);
            var unsigned = new Checkpoint((latest?.Number ?? 0) + 1, after, through.Value, (latest?.EventCount ?? 0) + root.Count,
                root.Hex, TruncatedToMicroseconds(clock.GetUtcNow()), signer.KeyId, "");
            var checkpoint = unsigned with { Signature = signer.Sign(unsigned.Payload()) };

            await using var record = new NpgsqlCommand($"select {S}.{RecordFunction}($1, $2, $3, $4, $5, $6, $7, $8, $9)", connection);
            foreach (var value in new object[]
                     {
                         checkpoint.Number, checkpoint.AfterSequence, checkpoint.ThroughSequence, checkpoint.EventCount,
                         checkpoint.Root, checkpoint.TakenAt, checkpoint.KeyId, checkpoint.Signature,
                         new ArraySegment<byte>(entries, 0, (int)root.Count * CheckpointEntry.Size)
                     })
            {
                record.Parameters.Add(new NpgsqlParameter { Value = value });
            }
            if (await record.ExecuteScalarAsync(token) is not true) return null;
            await memory.Remember(checkpoint);
            return checkpoint;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(entries);
        }
    }

    /// <summary>
    /// Adds each event of the range to the root and writes its entry into the buffer, reading Audit:Checkpoints:EventsPerRead
    /// events at a time with a pause between, not in one statement: a range of tens of thousands of events (the minute
    /// after a busy one) read at once took both cores long enough to show in the requests' latency.
    /// </summary>
    private async Task ReadRange(NpgsqlConnection connection, long after, long through, RunningRoot root, byte[] entries,
        CancellationToken token)
    {
        var eventsPerRead = Math.Max(1, options.Value.EventsPerRead);
        for (var readThrough = after; readThrough < through;)
        {
            if (readThrough > after) await Task.Delay(options.Value.PauseBetweenReads, token);
            await using var rows = new NpgsqlCommand(
                $"{CheckpointEntriesSql} where e.seq_id > $1 and e.seq_id <= $2 order by e.seq_id limit $3", connection);
            rows.Parameters.Add(new NpgsqlParameter { Value = readThrough });
            rows.Parameters.Add(new NpgsqlParameter { Value = through });
            rows.Parameters.Add(new NpgsqlParameter { Value = eventsPerRead });
            await using var reader = await rows.ExecuteReaderAsync(token);
            var read = 0;
            while (await reader.ReadAsync(token))
            {
                var current = EntryOf(reader);
                current.Write(entries.AsSpan((int)root.Count * CheckpointEntry.Size, CheckpointEntry.Size));
                root.Add(current);
                readThrough = current.Sequence;
                read++;
            }
            if (read < eventsPerRead) return;
        }
    }

    /// <summary>An event's checkpoint entry from a row of <see cref="EntriesSql"/>.</summary>
    public static CheckpointEntry EntryOf(NpgsqlDataReader reader)
    {
        var stored = reader.IsDBNull(2) ? null : reader.GetString(2);
        var hash = stored ?? HashChain.Compute(HashChain.CurrentScheme, RecordedEventOf(reader),
            reader.IsDBNull(5) ? null : reader.GetString(5));
        return new CheckpointEntry(reader.GetInt64(0), reader.GetGuid(1), HexOrZero(hash));
    }

    /// <summary>The event of a row of <see cref="EntriesSql"/>.</summary>
    /// (The timestamp is read as the text the trigger hashed: a year PostgreSQL can hold and .NET cannot still verifies.)
    public static RecordedEvent RecordedEventOf(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetGuid(18), reader.GetGuid(1), reader.GetInt64(6), reader.GetString(7), reader.GetString(8),
        reader.GetString(9), Text(reader, 10), Text(reader, 11), Text(reader, 12), Text(reader, 13),
        Text(reader, 14), Text(reader, 15), reader.IsDBNull(16) ? null : reader.GetFieldValue<byte[]>(16), reader.GetBoolean(17));

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    // A stored hash that is not 64 hex digits (written by hand) still gives an entry, one that matches nothing.
    private static byte[] HexOrZero(string hex)
    {
        try
        {
            var bytes = Convert.FromHexString(hex);
            return bytes.Length == 32 ? bytes : SHA256.HashData(bytes);
        }
        catch (FormatException)
        {
            return SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(hex));
        }
    }

    private static DateTimeOffset TruncatedToMicroseconds(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    private static async Task<IReadOnlyList<Checkpoint>> ReadList(NpgsqlCommand command, CancellationToken token)
    {
        await using var reader = await command.ExecuteReaderAsync(token);
        var list = new List<Checkpoint>();
        while (await reader.ReadAsync(token)) list.Add(Read(reader));
        return list;
    }

    private static Checkpoint Read(NpgsqlDataReader reader) => new(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2),
        reader.GetInt64(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6), reader.GetString(7));
}

/// <summary>Why no checkpoint may be taken now.</summary>
public sealed class CheckpointRefused(string message) : Exception(message);

/// <summary>
/// Takes a checkpoint every Audit:Checkpoints:Interval when there are settled events past the latest one, from the moment
/// the host has started: a node whose start fails (its port taken, a setting refused) signs nothing. Until 2026-12-06
/// the first checkpoint was taken as the background services started, before the server bound its port, so a node that
/// then failed to start could have signed one with whatever key it had.
/// </summary>
public sealed class Checkpointing(LogCheckpoints checkpoints, Microsoft.Extensions.Options.IOptions<CheckpointOptions> options,
    ILogger<Checkpointing> logger, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken token)
    {
        if (!options.Value.Enabled) return;
        if (!await Infrastructure.HostStart.Started(lifetime, token)) return;
        using var timer = new PeriodicTimer(options.Value.Interval);
        do
        {
            try
            {
                // A backlog (a bulk import, the first checkpoint of an old log) is signed a bounded range at a time,
                // with a pause between, rather than in one long burst.
                var started = Stopwatch.GetTimestamp();
                while (await checkpoints.Take(options.Value.SettleTime, token) is { } taken)
                {
                    logger.LogInformation("Checkpoint {Number} signed in {Milliseconds} ms: the log's {Count} events through sequence {Through}, root {Root}",
                        taken.Number, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds, taken.EventCount,
                        taken.ThroughSequence, taken.Root);
                    if (taken.ThroughSequence - taken.AfterSequence < options.Value.MaxEvents) break;
                    await Task.Delay(TimeSpan.FromSeconds(1), token);
                    started = Stopwatch.GetTimestamp();
                }
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                // Never the host's end: a database that is down, or a checkpoint that does not verify, is logged and
                // tried again; readiness and the checkpoint-age metric show it.
                // A database that is down, or a latest checkpoint this node does not trust (CheckpointRefused, whose message
                // says why and what to set), is said in one line; anything else keeps its stack trace.
                if (DatabaseOutage.Is(e) || e is CheckpointRefused)
                    logger.LogError("Could not take a log checkpoint ({Problem}); trying again in {Interval}", e.Message, options.Value.Interval);
                else logger.LogError(e, "Could not take a log checkpoint; trying again in {Interval}", options.Value.Interval);
            }
        } while (await timer.NextTickOrStop(token));
    }
}
