using JasperFx.Events;
using Marten;

namespace Tracker.Projections;

/// <summary>
/// A commitment's events read again from its stream for a fold the async daemon keeps (the effective timeline and its
/// start-up backfill; its verification reads them as they are, and names such an event), leaving out any event whose
/// stored body does not read as its type, or whose type is no longer known: the daemon
/// skipped such an event as a dead letter when its page came, and every read again must skip it alike. Until 2026-12-06
/// a read again threw on it, the daemon took the page again and again, and no commitment's timeline moved on. Each such
/// event costs one more read (the failure names it); a stream without one is read once.
/// </summary>
public static class ReadableEvents
{
    /// <summary>The events of a stream from one version through another (0: through its last).</summary>
    public static Task<IReadOnlyList<IEvent>> Of(IQuerySession session, Guid stream, long from, long through, CancellationToken token) =>
        Skipping(unreadable =>
        {
            if (unreadable.Length == 0) return session.Events.FetchStreamAsync(stream, version: through, fromVersion: from, token: token);
            var last = through == 0 ? long.MaxValue : through;
            return Listed(session.Events.QueryAllRawEvents()
                .Where(e => e.StreamId == stream && e.Version >= from && e.Version <= last && !unreadable.Contains(e.Sequence))
                .OrderBy(e => e.Version), token);
        });

    /// <summary>The events of a stream at the versions given, in the order of their versions.</summary>
    public static Task<IReadOnlyList<IEvent>> At(IQuerySession session, Guid stream, long[] versions, CancellationToken token) =>
        Skipping(unreadable => Listed(session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == stream && versions.Contains(e.Version) && !unreadable.Contains(e.Sequence))
            .OrderBy(e => e.Version), token));

    private static async Task<IReadOnlyList<IEvent>> Listed(IQueryable<IEvent> query, CancellationToken token) =>
        await query.ToListAsync(token);

    private static async Task<IReadOnlyList<IEvent>> Skipping(Func<long[], Task<IReadOnlyList<IEvent>>> read)
    {
        var unreadable = Array.Empty<long>();
        while (true)
        {
            try
            {
                return await read(unreadable);
            }
            // A failure that names no event (-1) is thrown on: it cannot be left out by its sequence.
            catch (Exception e) when (UnreadableSequence(e) is > 0 and var sequence && !unreadable.Contains(sequence))
            {
                unreadable = [.. unreadable, sequence];
            }
        }
    }

    /// <summary>
    /// The sequence of the event a read could not make an event of (its body not its type's shape, or a type no longer
    /// known), -1 where the failure does not say which; null for any other failure.
    /// </summary>
    public static long? UnreadableSequence(Exception e) => e switch
    {
        Marten.Exceptions.EventDeserializationFailureException marten => marten.Sequence,
        EventDeserializationFailureException jasper => jasper.Sequence,
        Marten.Exceptions.UnknownEventTypeException unknown => unknown is JasperFx.Events.Daemon.IEventFailureContext { Sequence: var known } ? known : -1,
        { InnerException: { } inner } => UnreadableSequence(inner),
        _ => null
    };
}
