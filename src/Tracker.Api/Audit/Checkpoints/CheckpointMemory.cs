using System.Text.Json;
using Npgsql;
using Tracker.Api.Infrastructure;

namespace Tracker.Api.Audit.Checkpoints;

/// <summary>
/// The latest checkpoint this node signed, kept in a file beside its key (Audit:Checkpoints:MemoryFile), outside the
/// database: a database whose checkpoints no longer hold it (emptied or replaced by whoever owns the database, or restored
/// from a backup older than it) is refused further checkpoints and fails readiness, until an auditor has looked. Until
/// 2026-12-08 the service remembered nothing outside the database: checkpoints emptied by the database's owner were
/// followed by a fresh chain from number 1 signed with the same key, and only a copy kept outside told.
/// <para>
/// The memory names its database (the cluster's system identifier and the database's oid): another database (a new
/// cluster, a test's) is not held to it, and the next checkpoint signed there is remembered instead, with a warning.
/// A file that cannot be read or written is said in the log and does not stop the checkpoints (the memory is a second
/// line; a copy kept by an auditor is the first).
/// </para>
/// </summary>
public sealed class CheckpointMemory(Microsoft.Extensions.Options.IOptions<CheckpointOptions> options, IHostEnvironment environment,
    NpgsqlDataSource database, ILogger<CheckpointMemory> logger)
{
    /// <summary>What is kept: the checkpoint's number, through sequence, root, key and time, and the database it is of.</summary>
    public sealed record Remembered(string Database, long Number, long ThroughSequence, string Root, string KeyId, DateTimeOffset TakenAt);

    /// <summary>
    /// The file, or null when none is kept (an empty setting). Unset, it sits beside the signing key's file, which a
    /// deployment keeps on a volume of its own (the container's /keys) where the content root may not be writable.
    /// </summary>
    public string? File => options.Value.MemoryFile switch
    {
        null => Rooted(Path.Combine(Path.GetDirectoryName(options.Value.SigningKeyFile) ?? "", "checkpoint-memory.json")),
        var file when string.IsNullOrWhiteSpace(file) => null,
        var file => Rooted(file)
    };

    private string Rooted(string file) => Path.IsPathRooted(file) ? file : Path.Combine(environment.ContentRootPath, file);

    // One write at a time in this process (the minute's checkpoint and an admin's); another process writes a file of its own
    // name first, and each rename is whole.
    private readonly SemaphoreSlim _writing = new(1, 1);
    // Said once until the file is written again, not at every checkpoint or readiness probe.
    private int _unwritableSaid;
    private int _unreadableSaid;
    private int _unidentifiedSaid;

    /// <summary>
    /// Why the database no longer holds the checkpoint this node remembers signing; null when it does, or none is kept.
    /// On the connection given (a health probe's one), else on one of its own.
    /// </summary>
    public async Task<string?> Problem(CancellationToken token, NpgsqlConnection? on = null)
    {
        if (File is not { } file || Read(file) is not { } remembered) return null;
        await using var own = on is null ? await database.OpenConnectionAsync(token) : null;
        // Which database this is, and what it holds at the number remembered, in one round trip (a readiness probe's).
        await using var command = new NpgsqlCommand(
            $"select c.root, (select max(number) from {TrackerDatabase.Schema}.{LogCheckpoints.Table}), {IdentitySql} " +
            $"from (select 1) one left join {TrackerDatabase.Schema}.{LogCheckpoints.Table} c on c.number = $1", on ?? own!);
        command.Parameters.Add(new NpgsqlParameter { Value = remembered.Number });
        await using var row = await Identified<NpgsqlDataReader>(async () => await command.ExecuteReaderAsync(token));
        if (row is null || !await row.ReadAsync(token) || row.IsDBNull(2) || row.GetString(2) != remembered.Database) return null;
        var signed = $"Checkpoint {remembered.Number}, which this node signed at {remembered.TakenAt:yyyy-MM-dd HH:mm:ss}Z (root {remembered.Root}, " +
                     $"through event {remembered.ThroughSequence}; remembered in {file})";
        if (row.IsDBNull(0))
        {
            var latest = row.IsDBNull(1) ? "none" : $"{row.GetInt64(1)}";
            return $"{signed}, is missing from the database (its latest checkpoint: {latest}): its checkpoints were removed, or it was " +
                   "restored from a backup older than that checkpoint";
        }
        return row.GetString(0) == remembered.Root ? null
            : $"{signed}, is in the database with another root ({row.GetString(0)}): its checkpoints were replaced";
    }

    /// <summary>Keeps a checkpoint just signed and recorded, unless a later one of the same database is kept already.</summary>
    public async Task Remember(Checkpoint signed)
    {
        if (File is not { } file) return;
        // Not cancelled with the request that took the checkpoint: it is recorded, and is remembered whole or not at all.
        var token = CancellationToken.None;
        await _writing.WaitAsync(token);
        var written = $"{file}.{Guid.NewGuid():N}.tmp";
        try
        {
            string? id;
            await using (var connection = await database.OpenConnectionAsync(token)) id = await DatabaseId(connection, token);
            if (id is null) return;
            var kept = Read(file);
            if (kept is not null && kept.Database == id && kept.Number >= signed.Number) return;
            if (kept is not null && kept.Database != id)
            {
                logger.LogWarning("The checkpoint memory {File} was of another database ({Kept}, checkpoint {Number}); it now keeps this one's ({Database})",
                    file, kept.Database, kept.Number, id);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            // Flushed to the disk before it takes the file's name, so a power cut leaves the old memory or the new one.
            await using (var stream = new FileStream(written, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await JsonSerializer.SerializeAsync(stream, new Remembered(id, signed.Number, signed.ThroughSequence, signed.Root,
                    signed.KeyId, signed.TakenAt), cancellationToken: token);
                stream.Flush(flushToDisk: true);
            }
            System.IO.File.Move(written, file, overwrite: true);
            Interlocked.Exchange(ref _unwritableSaid, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NpgsqlException)
        {
            if (Interlocked.Exchange(ref _unwritableSaid, 1) == 0)
            {
                logger.LogWarning("Could not keep checkpoint {Number} in the checkpoint memory {File} ({Problem}): a database whose checkpoints are " +
                                  "later removed or replaced is not told from this node until one is kept (Audit:Checkpoints:MemoryFile)",
                    signed.Number, file, e.Message);
            }
        }
        finally
        {
            try { System.IO.File.Delete(written); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            _writing.Release();
        }
    }

    private Remembered? Read(string file)
    {
        try
        {
            var remembered = System.IO.File.Exists(file) ? JsonSerializer.Deserialize<Remembered>(System.IO.File.ReadAllText(file)) : null;
            Interlocked.Exchange(ref _unreadableSaid, 0);
            return remembered;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            if (Interlocked.Exchange(ref _unreadableSaid, 1) == 0)
                logger.LogWarning("The checkpoint memory {File} cannot be read ({Problem}); it is written again at the next checkpoint", file, e.Message);
            return null;
        }
    }

    /// <summary>
    /// The cluster's system identifier and the database's oid: what a memory is of; null where the role may not read the
    /// identifier (a managed server that restricts pg_control_system): no memory is kept or compared there, which is said
    /// once, rather than failing readiness or the checkpoints.
    /// </summary>
    private async Task<string?> DatabaseId(NpgsqlConnection connection, CancellationToken token)
    {
        await using var command = new NpgsqlCommand($"select {IdentitySql}", connection);
        return await Identified<string>(async () => await command.ExecuteScalarAsync(token) as string);
    }

    private const string IdentitySql = "(select system_identifier from pg_control_system())::text || ':' || " +
                                       "(select oid from pg_database where datname = current_database())::text";

    /// <summary>A statement that reads the database's identity (IdentitySql), or null where the role may not.</summary>
    private async Task<T?> Identified<T>(Func<Task<T?>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            if (Interlocked.Exchange(ref _unidentifiedSaid, 1) == 0)
            {
                logger.LogWarning("The checkpoint memory is off: the service's role may not read which database it is connected to " +
                                  "(pg_control_system: {Problem}); grant it EXECUTE on pg_control_system() to have it kept", e.MessageText);
            }
            return null;
        }
    }
}
