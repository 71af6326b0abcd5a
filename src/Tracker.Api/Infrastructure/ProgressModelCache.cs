using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using JasperFx.Events.Fetching;
using Marten;
using Marten.Services;
using Tracker.Projections.Commitments;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// The progress models this node last committed, which <c>FetchForWriting</c> uses instead of loading and deserialising
/// the stored one when the stream's version (still read on every fetch) is exactly the cached one. Marten's aggregate
/// write cache contract, with three differences from its default cache:
/// - Marten writes back the instance it fetched, expecting the inline projection to have changed it in place; our models
///   are immutable records, so that instance is the model before the write. Such a write-back is refused (its version is
///   not the one committed), and the model the projection committed is stored instead, after the commit
///   (<see cref="AfterCommitAsync"/>).
/// - Full, it forgets everything at once: Marten's least-recently-used cache rebuilt itself on every store beyond its
///   limit, which made a bulk import of thousands of commitments quadratic. Dropping an entry is always sound (the next
///   write reads the model), and a cache of the commitments written lately refills as they are written again.
/// - It can be told to forget: streams are never deleted in production, but a test that empties the database under a
///   running host recreates the same stream ids at the same versions, and a rebuild may change a model at its version.
/// One database and no tenants here, so a model is cached by its stream id alone.
/// </summary>
public sealed class ProgressModelCache(int sizeLimit) : DocumentSessionListenerBase, IAggregateWriteCache
{
    private readonly ConcurrentDictionary<object, (CommitmentProgress Model, long Version)> _models = new();
    private long _hits;

    /// <summary>Writes that decided on a cached model (diagnostics; nothing branches on it).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Marten takes the entry it uses (one writer per entry: a second one racing on it reads the model).</summary>
    public bool TryTake(AggregateCacheKey key, [MaybeNullWhen(false)] out object aggregate, out long version)
    {
        if (_models.TryRemove(key.Id, out var entry))
        {
            Interlocked.Increment(ref _hits);
            (aggregate, version) = (entry.Model, entry.Version);
            return true;
        }
        (aggregate, version) = (null, 0);
        return false;
    }

    public void Store(AggregateCacheKey key, object aggregate, long version)
    {
        if (aggregate is CommitmentProgress model && model.Version == version) Keep(model);
    }

    public void Evict(AggregateCacheKey key) => _models.TryRemove(key.Id, out _);

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var model in commit.Updated.Concat(commit.Inserted).OfType<CommitmentProgress>()) Keep(model);
        return Task.CompletedTask;
    }

    private void Keep(CommitmentProgress model)
    {
        if (_models.Count >= sizeLimit) _models.Clear();
        _models[model.Id] = (model, model.Version);
    }

    /// <summary>For tests that empty the database under a running host, and after a rebuild.</summary>
    public void Forget() => _models.Clear();
}
