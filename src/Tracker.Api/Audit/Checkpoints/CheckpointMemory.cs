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

    /// <summary>The file, or null when none is kept (an empty setting).</summary>
    public string? File => options.Value.MemoryFile is { Length: > 0 } file && !string.IsNullOrWhiteSpace(file)
        ? Path.IsPathRooted(file) ? file : Path.Combine(environment.ContentRootPath, file)
        : null;

    /// <summary>
    /// Why the database no longer holds the checkpoint this node remembers signing; null when it does, or none is kept.
    /// On the connection given (a health probe's one), else on one of its own.
    /// </summary>
    public async Task<string?> Problem(CancellationToken token, NpgsqlConnection? on = null)
    {
        if (File is not { } file || Read(file) is not { } remembered) return null;
        await using var own = on is null ? await database.OpenConnectionAsync(token) : null;
        var connection = on ?? own!;
        if (await DatabaseId(connection, token) != remembered.Database) return null;
        await using var command = new NpgsqlCommand(
            $"select root, (select max(number) from {TrackerDatabase.Schema}.{LogCheckpoints.Table}) " +
            $"from (select 1) one left join {TrackerDatabase.Schema}.{LogCheckpoints.Table} c on c.number = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = remembered.Number });
        await using var row = await command.ExecuteReaderAsync(token);
        await row.ReadAsync(token);
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
    public async Task Remember(Checkpoint signed, CancellationToken token)
    {
        if (File is not { } file) return;
        try
        {
            string id;
            await using (var connection = await database.OpenConnectionAsync(token)) id = await DatabaseId(connection, token);
            var kept = Read(file);
            if (kept is not null && kept.Database == id && kept.Number >= signed.Number) return;
            if (kept is not null && kept.Database != id)
            {
                logger.LogWarning("The checkpoint memory {File} was of another database ({Kept}, checkpoint {Number}); it now keeps this one's ({Database})",
                    file, kept.Database, kept.Number, id);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            var written = $"{file}.{Environment.ProcessId}.tmp";
            await System.IO.File.WriteAllTextAsync(written, JsonSerializer.Serialize(new Remembered(id, signed.Number, signed.ThroughSequence,
                signed.Root, signed.KeyId, signed.TakenAt)), token);
            System.IO.File.Move(written, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NpgsqlException)
        {
            logger.LogWarning("Could not keep checkpoint {Number} in the checkpoint memory {File} ({Problem}): a database whose checkpoints are " +
                              "later removed or replaced is not told from this node until one is kept", signed.Number, file, e.Message);
        }
    }

    private Remembered? Read(string file)
    {
        try
        {
            return System.IO.File.Exists(file) ? JsonSerializer.Deserialize<Remembered>(System.IO.File.ReadAllText(file)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            logger.LogWarning("The checkpoint memory {File} cannot be read ({Problem}); it is written again at the next checkpoint", file, e.Message);
            return null;
        }
    }

    /// <summary>The cluster's system identifier and the database's oid: what a memory is of.</summary>
    private static async Task<string> DatabaseId(NpgsqlConnection connection, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(
            "select (select system_identifier from pg_control_system())::text || ':' || " +
            "(select oid from pg_database where datname = current_database())::text", connection);
        return (string)(await command.ExecuteScalarAsync(token))!;
    }
}
