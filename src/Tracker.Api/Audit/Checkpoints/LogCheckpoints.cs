using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using Tracker.Api.Infrastructure;
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
    Microsoft.Extensions.Options.IOptions<CheckpointOptions> options)
{
    public const string Table = "log_checkpoints";
    private const string S = TrackerDatabase.Schema;

    public static ISchemaObject Define(string schema)
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
        return table;
    }

    private const string Columns = "number, after_sequence, through_sequence, event_count, root, taken_at, key_id, signature";

    /// <summary>
    /// Each event's entry in sequence order over a range, with the hash the trigger stored (or, when none was stored,
    /// the one its row gives now, so a missing hash row is the per-event check's finding, not the checkpoint's).
    /// </summary>
    public const string EntriesSql = $"""
        select e.seq_id, e.stream_id, h.hash, h.scheme, h.previous_hash, p.hash,
               e.version, e.type, e.data::text, e.timestamp, e.tenant_id, e.mt_dotnet_type, e.user_name, e.correlation_id,
               e.causation_id, e.headers::text, e.bdata, coalesce(e.is_archived, false)
          from {S}.mt_events e
          left join {S}.{HashChain.Table} h on h.seq_id = e.seq_id
          left join {S}.{HashChain.Table} p on p.stream_id = e.stream_id and p.version = e.version - 1
        """;

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

    public async Task<byte[]> Entries(long number, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand($"select entries from {S}.{Table} where number = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        return await command.ExecuteScalarAsync(token) as byte[] ?? [];
    }

    /// <summary>
    /// Signs what the log holds past the latest checkpoint, through the newest event older than the settle time; null
    /// when there is nothing new, or when another node took this number first.
    /// </summary>
    public async Task<Checkpoint?> Take(TimeSpan? settle, CancellationToken token)
    {
        var latest = await Latest(token);
        var after = latest?.ThroughSequence ?? 0;
        var settledBefore = clock.GetUtcNow() - (settle ?? options.Value.SettleTime);

        await using var connection = await dataSource.OpenConnectionAsync(token);
        long? through;
        await using (var target = new NpgsqlCommand(
                         $"select max(seq_id) from {S}.mt_events where seq_id > $1 and timestamp <= $2", connection))
        {
            target.Parameters.Add(new NpgsqlParameter { Value = after });
            target.Parameters.Add(new NpgsqlParameter { Value = settledBefore });
            through = await target.ExecuteScalarAsync(token) as long?;
        }
        if (through is null) return null;

        var root = new RunningRoot(latest?.Root);
        var entries = new MemoryStream();
        var entry = new byte[CheckpointEntry.Size];
        await using (var rows = new NpgsqlCommand($"{EntriesSql} where e.seq_id > $1 and e.seq_id <= $2 order by e.seq_id", connection))
        {
            rows.Parameters.Add(new NpgsqlParameter { Value = after });
            rows.Parameters.Add(new NpgsqlParameter { Value = through.Value });
            await using var reader = await rows.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                var current = EntryOf(reader);
                root.Add(current);
                current.Write(entry);
                entries.Write(entry);
            }
        }

        var unsigned = new Checkpoint((latest?.Number ?? 0) + 1, after, through.Value, (latest?.EventCount ?? 0) + root.Count,
            root.Hex, TruncatedToMicroseconds(clock.GetUtcNow()), signer.KeyId, "");
        var checkpoint = unsigned with { Signature = signer.Sign(unsigned.Payload()) };

        await using var insert = new NpgsqlCommand(
            $"insert into {S}.{Table} ({Columns}, entries) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (number) do nothing",
            connection);
        foreach (var value in new object[]
                 {
                     checkpoint.Number, checkpoint.AfterSequence, checkpoint.ThroughSequence, checkpoint.EventCount,
                     checkpoint.Root, checkpoint.TakenAt, checkpoint.KeyId, checkpoint.Signature, entries.ToArray()
                 })
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return await insert.ExecuteNonQueryAsync(token) == 1 ? checkpoint : null;
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
    public static RecordedEvent RecordedEventOf(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(6), reader.GetString(7), reader.GetString(8),
        reader.GetFieldValue<DateTime>(9), Text(reader, 10), Text(reader, 11), Text(reader, 12), Text(reader, 13),
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

/// <summary>Takes a checkpoint every Audit:Checkpoints:Interval when there are settled events past the latest one.</summary>
public sealed class Checkpointing(LogCheckpoints checkpoints, Microsoft.Extensions.Options.IOptions<CheckpointOptions> options,
    ILogger<Checkpointing> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken token)
    {
        if (!options.Value.Enabled) return;
        using var timer = new PeriodicTimer(options.Value.Interval);
        do
        {
            try
            {
                if (await checkpoints.Take(null, token) is { } taken)
                {
                    logger.LogInformation("Checkpoint {Number} signed: {Count} events through sequence {Through}, root {Root}",
                        taken.Number, taken.EventCount, taken.ThroughSequence, taken.Root);
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException && !token.IsCancellationRequested)
            {
                logger.LogError(e, "Could not take a log checkpoint; trying again in {Interval}", options.Value.Interval);
            }
        } while (await timer.WaitForNextTickAsync(token));
    }
}
