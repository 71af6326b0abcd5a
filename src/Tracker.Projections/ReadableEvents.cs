using JasperFx.Events;
using Marten;

namespace Tracker.Projections;

/// <summary>
/// A commitment's events read again from its stream for a fold the async daemon keeps (the effective timeline and its
/// start-up backfill; its verification reads them as they are, and names such an event), leaving out any event whose
/// stored body does not read as its type, or whose type is no longer known: the daemon skipped such an event when its
/// page came (a dead letter), and every read again must skip it alike. Until 2026-12-06 a read again threw on it, the
/// daemon took the page again and again, and no commitment's timeline moved on. Each such event costs one more read (the
/// failure names it; for a type no longer known, whose failure names none, the stream is read an event at a time); a
/// stream without one is read once.
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
        }, async () =>
        {
            var last = through != 0 ? through : (await session.Events.FetchStreamStateAsync(stream, token))?.Version ?? 0;
            return await OneAtATime(session, stream, LongRange(from, last), token);
        });

    /// <summary>The events of a stream at the versions given, in the order of their versions.</summary>
    public static Task<IReadOnlyList<IEvent>> At(IQuerySession session, Guid stream, long[] versions, CancellationToken token) =>
        Skipping(unreadable => Listed(session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == stream && versions.Contains(e.Version) && !unreadable.Contains(e.Sequence))
            .OrderBy(e => e.Version), token),
            () => OneAtATime(session, stream, versions.Order(), token));

    private static async Task<IReadOnlyList<IEvent>> Listed(IQueryable<IEvent> query, CancellationToken token) =>
        await query.ToListAsync(token);

    /// <summary>
    /// Reads again leaving out each event that failed by its sequence; a failure that names no event (a type no longer
    /// known: Marten's failure then gives no sequence) has the stream read an event at a time instead, each that does not
    /// read left out.
    /// </summary>
    private static async Task<IReadOnlyList<IEvent>> Skipping(Func<long[], Task<IReadOnlyList<IEvent>>> read,
        Func<Task<IReadOnlyList<IEvent>>> oneAtATime)
    {
        var unreadable = Array.Empty<long>();
        while (true)
        {
            try
            {
                return await read(unreadable);
            }
            catch (Exception e) when (UnreadableSequence(e) is { } sequence && !unreadable.Contains(sequence))
            {
                if (sequence <= 0) return await oneAtATime();
                unreadable = [.. unreadable, sequence];
            }
        }
    }

    private static async Task<IReadOnlyList<IEvent>> OneAtATime(IQuerySession session, Guid stream, IEnumerable<long> versions,
        CancellationToken token)
    {
        var readable = new List<IEvent>();
        foreach (var version in versions)
        {
            try
            {
                readable.AddRange(await session.Events.FetchStreamAsync(stream, version: version, fromVersion: version, token: token));
            }
            catch (Exception e) when (UnreadableSequence(e) is not null)
            {
                // Skipped by the daemon when it came (an unknown type is, as a body its type cannot read is).
            }
        }
        return readable;
    }

    private static IEnumerable<long> LongRange(long from, long through)
    {
        for (var version = from; version <= through; version++) yield return version;
    }

    /// <summary>
    /// The sequence of the event a read could not make an event of (its body not its type's shape, or a type no longer
    /// known), -1 where the failure does not say which; null for any other failure.
    /// </summary>
    public static long? UnreadableSequence(Exception e) => e switch
    {
        Marten.Exceptions.EventDeserializationFailureException marten => marten.Sequence,
        EventDeserializationFailureException jasper => jasper.Sequence,
        // (Marten's failure for a type no longer known carries no sequence where it is thrown in a stream's read.)
        Marten.Exceptions.UnknownEventTypeException unknown => unknown is JasperFx.Events.Daemon.IEventFailureContext { Sequence: > 0 and var known } ? known : -1,
        { InnerException: { } inner } => UnreadableSequence(inner),
        _ => null
    };
}
