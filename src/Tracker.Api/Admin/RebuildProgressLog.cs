using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using Tracker.Api.Infrastructure;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Tracker.Api.Admin;

/// <summary>
/// Each rebuild's progress where every node reads it, so its Location answers the same behind a load balancer: the node
/// running it writes it when it starts, every second while it runs and at its end. A rebuild still running whose progress
/// has not been written for <see cref="Silence"/> was cut off (its node stopped or lost the database): it is answered as
/// failed, and the next start follows up its writes (<see cref="InterruptedRebuilds"/>).
/// </summary>
public sealed class RebuildProgressLog(NpgsqlDataSource database, ILogger<RebuildProgressLog> logger)
{
    public const string Table = "rebuild_progress";
    private static string Qualified => $"{TrackerDatabase.Schema}.{Table}";

    public static readonly TimeSpan WriteEvery = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Silence = TimeSpan.FromSeconds(15);
    // Kept long after the rebuild, for whoever follows it up; a few hundred bytes each.
    private static readonly TimeSpan KeptFor = TimeSpan.FromDays(90);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static Table Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Table, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn("progress", "jsonb").NotNull();
        table.AddColumn("written_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        return table;
    }

    /// <summary>
    /// Writes a rebuild's progress as it stands. A failure is logged, not thrown: the rebuild goes on, and its node still
    /// answers for it.
    /// </summary>
    public async Task Write(RebuildProgress progress, CancellationToken token)
    {
        try
        {
            await WriteOrThrow(progress, token);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // Once per rebuild, not every second.
            if (_told.TryAdd(progress.Id, true))
            {
                logger.LogWarning("Rebuild {Id}'s progress could not be written for the other nodes ({Problem}); the node running it still answers for it",
                    progress.Id, e.Message);
            }
        }
    }

    /// <summary>The progress written, or the database's failure thrown (a rebuild's end, which is tried again).</summary>
    public async Task WriteOrThrow(RebuildProgress progress, CancellationToken token)
    {
        await using var command = database.CreateCommand($"""
            insert into {Qualified} (id, progress, written_at) values ($1, $2::jsonb, now())
            on conflict (id) do update set progress = excluded.progress, written_at = excluded.written_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = progress.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(progress, Json) });
        await command.ExecuteNonQueryAsync(token);
    }

    /// <summary>Rebuilds finished long ago forgotten: when a new one starts (a failure is left for the next).</summary>
    public async Task ForgetOld(CancellationToken token)
    {
        try
        {
            await using var command = database.CreateCommand($"delete from {Qualified} where written_at < now() - $1");
            command.Parameters.Add(new NpgsqlParameter { Value = KeptFor });
            await command.ExecuteNonQueryAsync(token);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            logger.LogWarning("Rebuilds' progress older than {Days} days could not be forgotten ({Problem})", KeptFor.TotalDays, e.Message);
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, bool> _told = new();

    /// <summary>A rebuild's progress as last written; null when none was (or the schema predates the table).</summary>
    public async Task<RebuildProgress?> Find(Guid id, CancellationToken token)
    {
        try
        {
            return await Read(id, token);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }

    private async Task<RebuildProgress?> Read(Guid id, CancellationToken token)
    {
        await using var command = database.CreateCommand(
            $"select progress::text, now() - written_at > $2 from {Qualified} where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = Silence });
        await using var reader = await command.ExecuteReaderAsync(token);
        if (!await reader.ReadAsync(token)) return null;
        var progress = JsonSerializer.Deserialize<RebuildProgress>(reader.GetString(0), Json)!;
        return progress.Status == RebuildStatus.Running && reader.GetBoolean(1)
            ? progress with
            {
                Status = RebuildStatus.Failed,
                Error = $"Interrupted: its progress has not been written for over {Silence.TotalSeconds:0} s (its node stopped or lost the " +
                        "database); the next start follows up what it wrote. Start it again."
            }
            : progress;
    }
}
