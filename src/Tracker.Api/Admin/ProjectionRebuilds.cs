using System.Collections.Concurrent;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Tracker.Projections.Commitments;
using Tracker.Projections.Pledgers;

namespace Tracker.Api.Admin;

public enum RebuildStatus { Running, Completed, Failed }

/// <summary>What a rebuild has done so far.</summary>
public sealed record RebuildProgress(Guid Id, string Projection, RebuildStatus Status, long HighWaterMark,
    long EventsProcessed, int ModelsWritten, int ModelsKeptNewer, int ModelsDeleted, DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt, string? Error);

/// <summary>
/// Rebuilds a read model from the event log while the service keeps serving the current one: the models are computed
/// from the events up to the store's high-water mark at the start, then written over the live ones (a model a write
/// made newer in the meantime is kept), so readers never see an empty or half-built table. The command line
/// (`projections rebuild`) is Marten's own rebuild, which empties the table first; use it when the service is down.
/// Progress lives in memory: a restart forgets it, and the rebuild can simply be run again.
/// </summary>
public sealed class ProjectionRebuilds(IDocumentStore store, NpgsqlDataSource database, IHostApplicationLifetime lifetime,
    ILogger<ProjectionRebuilds> logger)
{
    public static readonly IReadOnlyList<string> Supported = ["CommitmentProgress", PledgerProjection.ProjectionName];
    private const int BatchSize = 500;
    private readonly ConcurrentDictionary<Guid, RebuildProgress> _jobs = new();

    public RebuildProgress? Find(Guid id) => _jobs.GetValueOrDefault(id);

    public bool AnyRunning => _jobs.Values.Any(j => j.Status == RebuildStatus.Running);

    public RebuildProgress Start(string projection)
    {
        var progress = new RebuildProgress(Guid.NewGuid(), projection, RebuildStatus.Running, 0, 0, 0, 0, 0,
            DateTimeOffset.UtcNow, null, null);
        _jobs[progress.Id] = progress;
        _ = Task.Run(() => Run(progress.Id, projection, lifetime.ApplicationStopping));
        return progress;
    }

    private async Task Run(Guid id, string projection, CancellationToken token)
    {
        try
        {
            var highWaterMark = await store.Storage.Database.FetchHighestEventSequenceNumber(token);
            Update(id, p => p with { HighWaterMark = highWaterMark });
            if (projection == PledgerProjection.ProjectionName) await RebuildPledgers(id, highWaterMark, token);
            else await RebuildCommitmentProgress(id, highWaterMark, token);
            Update(id, p => p with { Status = RebuildStatus.Completed, FinishedAt = DateTimeOffset.UtcNow });
            logger.LogInformation("Rebuilt {Projection}: {Progress}", projection, _jobs[id]);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Rebuilding {Projection} failed", projection);
            Update(id, p => p with { Status = RebuildStatus.Failed, FinishedAt = DateTimeOffset.UtcNow, Error = e.Message });
        }
    }

    private Task RebuildCommitmentProgress(Guid id, long highWaterMark, CancellationToken token) =>
        WriteOver(id, ReadModelReplay.CommitmentProgress(store, highWaterMark, Processed(id), token), p => p.Id, highWaterMark, token);

    private async Task RebuildPledgers(Guid id, long highWaterMark, CancellationToken token)
    {
        // The daemon keeps this model too: let it reach the high-water mark first, so the two do not write the same
        // models at once (that deadlocked under a million-event catch-up).
        await DaemonReached(highWaterMark, token);
        await WriteOver(id, ReadModelReplay.Pledgers(store, highWaterMark, Processed(id), token), p => p.Id, highWaterMark, token);
    }

    private Action<int> Processed(Guid id) => count => Update(id, p => p with { EventsProcessed = p.EventsProcessed + count });

    /// <summary>
    /// Writes the rebuilt models over the live ones a batch at a time, each in one statement that leaves alone a model a
    /// write made newer than the high-water mark (decided row by row under the row's lock, so a write racing the rebuild
    /// is never overwritten), then deletes the live models the log no longer accounts for.
    /// </summary>
    private async Task WriteOver<TDoc, TId>(Guid id, IAsyncEnumerable<IReadOnlyList<Replayed<TDoc>>> chunks, Func<TDoc, TId> idOf,
        long highWaterMark, CancellationToken token) where TDoc : notnull where TId : notnull
    {
        var table = store.Options.FindOrResolveDocumentType(typeof(TDoc)).TableName.QualifiedName;
        var serializer = store.Options.Serializer();
        var rebuilt = new HashSet<TId>();
        int written = 0, keptNewer = 0;
        await foreach (var chunk in chunks.WithCancellation(token))
        {
            foreach (var batch in chunk.Chunk(BatchSize))
            {
                var ids = batch.Select(r => idOf(r.Model)).ToArray();
                var upserted = await RetryingDeadlocks(async () =>
                {
                    await using var command = database.CreateCommand($"""
                        insert into {table} as live (id, data, mt_dotnet_type, mt_version, mt_last_modified)
                        select r.id, r.data, $4, r.revision, now() from unnest($1, $2, $3) as r(id, data, revision)
                        on conflict (id) do update set data = excluded.data, mt_dotnet_type = excluded.mt_dotnet_type,
                            mt_version = greatest(live.mt_version, excluded.mt_version), mt_last_modified = now()
                        where (live.data ->> 'LastEventSequence')::bigint <= $5
                        """);
                    command.Parameters.AddWithValue(ids);
                    command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(r => serializer.ToJson(r.Model)).ToArray(),
                        NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
                    command.Parameters.AddWithValue(batch.Select(r => r.Revision).ToArray());
                    command.Parameters.AddWithValue(typeof(TDoc).FullName!);
                    command.Parameters.AddWithValue(highWaterMark);
                    return await command.ExecuteNonQueryAsync(token);
                }, token);
                rebuilt.UnionWith(ids);
                written += upserted;
                keptNewer += batch.Length - upserted;
            }
            Update(id, p => p with { ModelsWritten = written, ModelsKeptNewer = keptNewer });
        }

        var stale = new List<TId>();
        await using (var query = database.CreateCommand($"select id from {table} where (data ->> 'LastEventSequence')::bigint <= $1"))
        {
            query.Parameters.AddWithValue(highWaterMark);
            await using var reader = await query.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                var live = reader.GetFieldValue<TId>(0);
                if (!rebuilt.Contains(live)) stale.Add(live);
            }
        }
        var deleted = 0;
        foreach (var batch in stale.Chunk(BatchSize))
        {
            await using var delete = database.CreateCommand(
                $"delete from {table} where id = any($1) and (data ->> 'LastEventSequence')::bigint <= $2");
            delete.Parameters.AddWithValue(batch);
            delete.Parameters.AddWithValue(highWaterMark);
            deleted += await delete.ExecuteNonQueryAsync(token);
        }
        Update(id, p => p with { ModelsDeleted = deleted });
    }

    private async Task DaemonReached(long highWaterMark, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (DateTime.UtcNow < deadline)
        {
            var shards = await store.Storage.Database.AllProjectionProgress(token);
            if (shards.Where(s => s.ShardName.StartsWith(PledgerProjection.ProjectionName, StringComparison.Ordinal))
                .All(s => s.Sequence >= highWaterMark)) return;
            await Task.Delay(250, token);
        }
        throw new TimeoutException($"The async daemon did not reach event {highWaterMark} within 10 minutes; the rebuild did not start.");
    }

    /// <summary>A batch that lost a deadlock to another writer (the daemon, a request) is written again.</summary>
    private static async Task<T> RetryingDeadlocks<T>(Func<Task<T>> write, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (Exception e) when (attempt < 5 && IsDeadlock(e))
            {
                await Task.Delay(100 * attempt, token);
            }
        }
    }

    private static bool IsDeadlock(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected }) return true;
        }
        return false;
    }

    private void Update(Guid id, Func<RebuildProgress, RebuildProgress> change) =>
        _jobs.AddOrUpdate(id, _ => throw new InvalidOperationException(), (_, p) => change(p));
}
