using System.Collections.Concurrent;
using Marten;
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
public sealed class ProjectionRebuilds(IDocumentStore store, IHostApplicationLifetime lifetime, ILogger<ProjectionRebuilds> logger)
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

    private async Task RebuildCommitmentProgress(Guid id, long highWaterMark, CancellationToken token)
    {
        var rebuilt = await ReadModelReplay.CommitmentProgress(store, highWaterMark, Processed(id), token);
        await WriteOver(id, rebuilt.Values.ToList(), highWaterMark, p => p.Id, p => p.LastEventSequence, token);
    }

    private async Task RebuildPledgers(Guid id, long highWaterMark, CancellationToken token)
    {
        // The daemon keeps this model too: let it reach the high-water mark first, so the two do not write the same
        // models at once (that deadlocked under a million-event catch-up).
        await DaemonReached(highWaterMark, token);
        var rebuilt = await ReadModelReplay.Pledgers(store, highWaterMark, Processed(id), token);
        await WriteOver(id, rebuilt.Values.ToList(), highWaterMark, p => p.Id, p => p.LastEventSequence, token);
    }

    private Action<int> Processed(Guid id) => count => Update(id, p => p with { EventsProcessed = p.EventsProcessed + count });

    private async Task WriteOver<TDoc, TId>(Guid id, IReadOnlyList<TDoc> rebuilt, long highWaterMark, Func<TDoc, TId> idOf,
        Func<TDoc, long> lastSequence, CancellationToken token) where TDoc : notnull where TId : notnull
    {
        await using var session = store.LightweightSession();
        var live = (await session.Query<TDoc>().ToListAsync(token)).ToDictionary(idOf);
        var keep = rebuilt.Where(d => !live.TryGetValue(idOf(d), out var current) || lastSequence(current) <= highWaterMark).ToList();
        var rebuiltIds = rebuilt.Select(idOf).ToHashSet();
        var stale = live.Values.Where(d => lastSequence(d) <= highWaterMark && !rebuiltIds.Contains(idOf(d))).ToList();

        foreach (var batch in keep.Chunk(BatchSize))
        {
            await RetryingDeadlocks(async () =>
            {
                await using var writer = store.LightweightSession();
                writer.Store(batch);
                await writer.SaveChangesAsync(token);
            }, token);
        }
        foreach (var doc in stale) session.Delete(doc);
        await session.SaveChangesAsync(token);
        Update(id, p => p with
        {
            ModelsWritten = keep.Count, ModelsKeptNewer = rebuilt.Count - keep.Count, ModelsDeleted = stale.Count
        });
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
    private static async Task RetryingDeadlocks(Func<Task> write, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write();
                return;
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
            if (inner is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.DeadlockDetected }) return true;
        }
        return false;
    }

    private void Update(Guid id, Func<RebuildProgress, RebuildProgress> change) =>
        _jobs.AddOrUpdate(id, _ => throw new InvalidOperationException(), (_, p) => change(p));
}
