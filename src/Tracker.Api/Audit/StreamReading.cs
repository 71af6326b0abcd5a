using System.Runtime.CompilerServices;
using JasperFx.Events;
using Marten;

namespace Tracker.Api.Audit;

/// <summary>
/// A stream's events in version order, read a batch at a time: a fold over a long stream holds one batch of events in
/// memory, not all of them.
/// </summary>
public static class StreamReading
{
    public const int Batch = 1000;

    public static async IAsyncEnumerable<IEvent> InVersionOrder(IQuerySession session, Guid streamId, long through,
        [EnumeratorCancellation] CancellationToken token)
    {
        for (long from = 0; from < through; from += Batch)
        {
            var to = Math.Min(through, from + Batch);
            var batch = await session.Events.QueryAllRawEvents()
                .Where(e => e.StreamId == streamId && e.Version > from && e.Version <= to)
                .OrderBy(e => e.Version)
                .ToListAsync(token);
            foreach (var e in batch) yield return e;
            // Versions are contiguous: a short batch is the end of the stream.
            if (batch.Count < to - from) yield break;
        }
    }
}
