using System.Diagnostics.CodeAnalysis;
using JasperFx.Events.Fetching;
using Marten;
using Marten.Services;
using Tracker.Projections.Commitments;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// The progress models this node last committed, which <c>FetchForWriting</c> uses instead of loading and deserialising
/// the stored one when the stream's version (still read on every fetch) is exactly the cached one. Marten's least-recently
/// used cache underneath, with two differences:
/// - Marten writes back the instance it fetched, expecting the inline projection to have changed it in place; our models
///   are immutable records, so that instance is the model before the write. Such a write-back is refused (its version is
///   not the one committed), and the model the projection committed is stored instead, after the commit
///   (<see cref="AfterCommitAsync"/>).
/// - It can forget everything: streams are never deleted in production, but a test that empties the database under a
///   running host recreates the same stream ids at the same versions, and a rebuild may change a model at its version.
/// One database and no tenants here, so a model is cached by its stream id alone.
/// </summary>
public sealed class ProgressModelCache(int sizeLimit) : DocumentSessionListenerBase, IAggregateWriteCache
{
    private RecentlyUsedAggregateWriteCache _inner = new(sizeLimit);

    private static AggregateCacheKey KeyOf(object streamId) =>
        new(typeof(CommitmentProgress), "", AggregateCacheKey.GlobalTenant, streamId);

    public bool TryTake(AggregateCacheKey key, [MaybeNullWhen(false)] out object aggregate, out long version) =>
        _inner.TryTake(KeyOf(key.Id), out aggregate, out version);

    public void Store(AggregateCacheKey key, object aggregate, long version)
    {
        if (aggregate is CommitmentProgress model && model.Version == version) _inner.Store(KeyOf(key.Id), model, version);
    }

    public void Evict(AggregateCacheKey key) => _inner.Evict(KeyOf(key.Id));

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var model in commit.Updated.Concat(commit.Inserted).OfType<CommitmentProgress>())
        {
            _inner.Store(KeyOf(model.Id), model, model.Version);
        }
        return Task.CompletedTask;
    }

    /// <summary>Writes that decided on a cached model (diagnostics; nothing branches on it).</summary>
    public long Hits => _inner.Hits;

    /// <summary>For tests that empty the database under a running host, and after a rebuild.</summary>
    public void Forget() => _inner = new RecentlyUsedAggregateWriteCache(sizeLimit);
}
