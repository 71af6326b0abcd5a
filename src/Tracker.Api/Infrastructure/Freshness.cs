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

    /// <summary>The newest event, and how many events each async projection's shard is behind it (readiness, metrics).</summary>
    public static async Task<(long Highest, IReadOnlyDictionary<string, long> LagByShard)> AllShards(IDocumentStore store,
        CancellationToken token)
    {
        var database = store.Storage.Database;
        var highest = await database.FetchHighestEventSequenceNumber(token);
        var lag = (await database.AllProjectionProgress(token))
            .Where(s => s.ShardName != "HighWaterMark")
            .ToDictionary(s => s.ShardName, s => Math.Max(0, highest - s.Sequence));
        return (highest, lag);
    }

    public const string LagHeader = "X-Tracker-Projection-Lag";

    /// <summary>
    /// Waits, at most a few seconds, until an async projection has taken in every event committed before the call, so a
    /// read of it includes what the caller has just written; then says how far behind that it still is (0 once caught up:
    /// the high-water mark it reports is the newest event committed when the call began).
    /// </summary>
    public static async Task<Freshness> CaughtUp(IDocumentStore store, string projection, CancellationToken token,
        TimeSpan? wait = null)
    {
        var wanted = await NewestCommitted(store, token);
        var deadline = DateTimeOffset.UtcNow + (wait ?? CatchUpWait);
        while (true)
        {
            var now = await Of(store, projection, token);
            if (now.ProjectedThrough >= wanted || DateTimeOffset.UtcNow >= deadline) return now with { HighWaterMark = wanted };
            await Task.Delay(25, token);
        }
    }

    /// <summary>
    /// The newest event committed: not the sequence's last value, which counts appends still in flight and ones rolled
    /// back (the daemon passes those gaps only after a timeout).
    /// </summary>
    private static async Task<long> NewestCommitted(IDocumentStore store, CancellationToken token)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(token);
        await using var command = connection.CreateCommand();
        command.CommandText = $"select coalesce(max(seq_id), 0) from {store.Options.Events.DatabaseSchemaName}.mt_events";
        return (long)(await command.ExecuteScalarAsync(token))!;
    }

    public static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(3);

    /// <summary>How long the present dashboard waits for its rollup before summing the commitments themselves instead.</summary>
    public static readonly TimeSpan RollupWait = TimeSpan.FromMilliseconds(250);
}
