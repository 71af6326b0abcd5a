using Marten;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// How fresh an async read model is: the last event sequence its projection has processed, the store's newest event
/// (the high-water mark), and the difference. A lag of 0 means the model includes every event recorded so far.
/// </summary>
public sealed record Freshness(string Projection, long ProjectedThrough, long HighWaterMark)
{
    public long Lag => Math.Max(0, HighWaterMark - ProjectedThrough);

    public static async Task<Freshness> Of(IDocumentStore store, string projection, CancellationToken token)
    {
        var database = store.Storage.Database;
        var highest = await database.FetchHighestEventSequenceNumber(token);
        var shards = await database.AllProjectionProgress(token);
        var through = shards.Where(s => s.ShardName.StartsWith(projection + ":", StringComparison.Ordinal))
            .Select(s => s.Sequence).DefaultIfEmpty(0).Min();
        return new Freshness(projection, through, highest);
    }
}
