using JasperFx.Events;
using Marten;
using Tracker.Domain.Commitments;
using Tracker.Projections;
using Tracker.Projections.Commitments;
using Tracker.Projections.Pledgers;

namespace Tracker.Api.Admin;

/// <summary>An event a projection cannot apply, named so an operator can find it in the log.</summary>
public sealed class PoisonEventException(string projection, IEvent e, Exception inner) : Exception(
    $"Event {e.Sequence} ({e.EventTypeName}, stream {e.StreamId} version {e.Version}) cannot be applied to {projection}: {inner.Message}",
    inner)
{
    public long Sequence { get; } = e.Sequence;
}

/// <summary>
/// The read models computed from the log up to a high-water mark, by the same steps the projections take: what a rebuild
/// writes and what a verification compares the stored models with. An event that cannot be applied stops it, named.
/// </summary>
public static class ReadModelReplay
{
    private const int PageSize = 500;

    public static async Task<Dictionary<Guid, CommitmentProgress>> CommitmentProgress(IDocumentStore store, long highWaterMark,
        Action<int> onPage, CancellationToken token)
    {
        // The commitments are folded event by event and their progress computed once at the end: the same result as the
        // inline projection's step-by-step models (CommitmentProgress.From depends only on the state and the last event).
        var folded = new Dictionary<Guid, (Commitment State, IEvent Last)>();
        await Replay(store, "CommitmentProgress", highWaterMark, onPage, token, e =>
        {
            var current = folded.TryGetValue(e.StreamId, out var known) ? known.State : null;
            if (CommitmentReplay.Step(current, e.StreamId, e) is { } next) folded[e.StreamId] = (next, e);
        });
        return folded.ToDictionary(f => f.Key,
            f => Projections.Commitments.CommitmentProgress.From(f.Value.State, Timestamps.AsStored(f.Value.Last.Timestamp), f.Value.Last.Sequence));
    }

    public static async Task<Dictionary<string, PledgerView>> Pledgers(IDocumentStore store, long highWaterMark,
        Action<int> onPage, CancellationToken token)
    {
        var projection = new PledgerProjection();
        var rebuilt = new Dictionary<string, PledgerView>();
        await Replay(store, PledgerProjection.ProjectionName, highWaterMark, onPage, token, e =>
        {
            var pledger = PledgerProjection.PledgerOf(e.Data);
            if (pledger is null) return;
            rebuilt[pledger] = projection.Evolve(rebuilt.GetValueOrDefault(pledger), pledger, e)!;
        });
        return rebuilt;
    }

    /// <summary>Reads the log up to the high-water mark, in order, a page at a time.</summary>
    private static async Task Replay(IDocumentStore store, string projection, long highWaterMark, Action<int> onPage,
        CancellationToken token, Action<IEvent> apply)
    {
        long after = 0;
        while (true)
        {
            await using var session = store.QuerySession();
            var page = await session.Events.QueryAllRawEvents()
                .Where(e => e.Sequence > after && e.Sequence <= highWaterMark)
                .OrderBy(e => e.Sequence).Take(PageSize).ToListAsync(token);
            if (page.Count == 0) return;
            foreach (var e in page)
            {
                try
                {
                    apply(e);
                }
                catch (Exception failure)
                {
                    throw new PoisonEventException(projection, e, failure);
                }
            }
            after = page[^1].Sequence;
            onPage(page.Count);
        }
    }
}
