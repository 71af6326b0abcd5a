using System.Runtime.CompilerServices;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Marten.Internal;
using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Api.Infrastructure.EventVersions;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;

namespace Tracker.Api.Admin;

/// <summary>An event a replay cannot read or a projection cannot apply, named so an operator can find it in the log.</summary>
public sealed class PoisonEventException : Exception
{
    private PoisonEventException(long sequence, string typeName, Guid stream, long version, string cannot, Exception inner)
        : base($"Event {sequence} ({typeName}, stream {stream} version {version}) cannot be {cannot}: {Why(inner)}", inner) =>
        Sequence = sequence;

    // The reader's own words name .NET types and byte positions, which say nothing to an operator.
    private static string Why(Exception inner) => inner switch
    {
        System.Text.Json.JsonException or NotSupportedException or EventDeserializationFailureException
            or Marten.Exceptions.EventDeserializationFailureException or InvalidCastException or NullReferenceException =>
            "its stored body does not have the shape of its type (changed outside the service?); GET /api/audit/verify names the change",
        _ when inner.InnerException is System.Text.Json.JsonException => Why(inner.InnerException),
        _ => inner.Message
    };

    public long Sequence { get; }

    public static PoisonEventException NotApplied(string projection, LoggedEvent e, Exception inner) =>
        new(e.Sequence, e.TypeName, e.StreamId, e.Version, $"applied to {projection}", inner);

    /// <summary>A row no type reads (its type unknown here, its body not the type's shape).</summary>
    public static PoisonEventException Unreadable(long sequence, string typeName, Guid stream, long version, Exception inner) =>
        new(sequence, typeName, stream, version, "read", inner);
}

/// <summary>An event of the log as a replay reads it: its data and what the folds need to place it.</summary>
public readonly record struct LoggedEvent(object Data, Guid StreamId, long Version, long Sequence, DateTimeOffset Timestamp, string TypeName);

/// <summary>
/// The read models computed from the log up to a high-water mark, by the same steps the projections take: what a rebuild
/// writes and what a verification compares the stored models with. An event that cannot be applied stops it, named.
/// </summary>
/// <remarks>
/// Every model here is folded from one stream (a commitment's progress, its checkpoints, its pledges' rows), so
/// the log is read in stream order, a few thousand events at a time, and a stream's models are final once the next
/// stream begins: a rebuild writes them and lets them go, so its memory does not grow with the log (only with the
/// longest stream's state). Events are folded as they are read, while PostgreSQL goes on sending the page.
/// </remarks>
public static class ReadModelReplay
{
    public const int EventsPerPage = 5_000;

    public static async IAsyncEnumerable<IReadOnlyList<Replayed<CommitmentProgress>>> CommitmentProgress(IDocumentStore store,
        long highWaterMark, Action<int> onEvents, [EnumeratorCancellation] CancellationToken token, int eventsPerPage = EventsPerPage)
    {
        await using var session = store.QuerySession();
        var fold = new CommitmentProgressFold(session);
        await foreach (var _ in Replay(store, highWaterMark, [fold], onEvents, token, eventsPerPage)) yield return fold.TakeFinished();
    }

    public static async IAsyncEnumerable<IReadOnlyList<Replayed<PledgeLedgerRow>>> PledgeLedgers(IDocumentStore store,
        long highWaterMark, Action<int> onEvents, [EnumeratorCancellation] CancellationToken token, int eventsPerPage = EventsPerPage)
    {
        var fold = new PledgeLedgerFold();
        await foreach (var _ in Replay(store, highWaterMark, [fold], onEvents, token, eventsPerPage)) yield return fold.TakeFinished();
    }

    /// <summary>
    /// One pass over the log for any number of folds: after each page (and once more at the end) the caller takes each
    /// fold's finished documents. Reading and deserialising the log once for every read model is the expensive part.
    /// </summary>
    public static async IAsyncEnumerable<int> Replay(IDocumentStore store, long highWaterMark, IReadOnlyList<IStreamFold> folds,
        Action<int> onEvents, [EnumeratorCancellation] CancellationToken token, int eventsPerPage = EventsPerPage)
    {
        Guid? stream = null;
        foreach (var page in await PageBounds(store, eventsPerPage, token))
        {
            var count = 0;
            await foreach (var e in Read(store, page, highWaterMark, token))
            {
                if (e.StreamId != stream)
                {
                    foreach (var fold in folds) fold.EndStream();
                    stream = e.StreamId;
                }
                foreach (var fold in folds) await fold.Apply(e, token);
                count++;
            }
            onEvents(count);
            yield return count;
        }
        foreach (var fold in folds) fold.EndStream();
        yield return 0;
    }

    /// <summary>Every model at once, by id: for a verification, which compares them with the stored ones.</summary>
    public static async Task<Dictionary<TId, TModel>> All<TId, TModel>(IAsyncEnumerable<IReadOnlyList<Replayed<TModel>>> chunks,
        Func<TModel, TId> idOf) where TId : notnull
    {
        var all = new Dictionary<TId, TModel>();
        await foreach (var chunk in chunks)
        {
            foreach (var replayed in chunk) all[idOf(replayed.Model)] = replayed.Model;
        }
        return all;
    }

    /// <summary>Whole streams, or one stream's versions from (exclusive) to (inclusive).</summary>
    private sealed record PageBound(Guid[] Streams, long From = 0, long To = long.MaxValue);

    /// <summary>
    /// A page of the log (whole streams, or one stream's versions), each event handed on as it is read: a page's events
    /// never live long enough together for the collector to promote them, which, held a page at a time, it did with
    /// nearly every event of a rebuild (over a hundred full collections for a million events).
    /// </summary>
    /// <remarks>
    /// An event of a type Marten knows by its stored name (and its stored .NET type, when there is one) is deserialised
    /// here, with the store's serializer, from the row Marten's own event storage selects; any other row (an upcast name,
    /// a binary body, a type known by its .NET name only) is resolved by Marten's event storage, which applies the
    /// upcasters. Marten wraps every event it resolves in an `Event&lt;T&gt;` whose id starts as a fresh `Guid` (then
    /// overwritten by the stored one): a system call each on Linux, about a tenth of a rebuild's CPU in the service
    /// (2026-12-04), for an id no fold reads. Synchronously: the asynchronous resolve goes through System.Text.Json's
    /// resumable stream reader, which cost the rebuild more CPU than its folds.
    /// </remarks>
    private static async IAsyncEnumerable<LoggedEvent> Read(IDocumentStore store, PageBound page, long highWaterMark,
        [EnumeratorCancellation] CancellationToken token)
    {
        await using var session = store.QuerySession();
        var storage = (EventDocumentStorage)((IMartenSession)session).EventStorage();
        var serializer = store.Options.Serializer();
        var fields = storage.SelectFields();
        await using var command = new NpgsqlCommand($"""
            select {string.Join(", ", fields)} from {TrackerDatabase.Schema}.mt_events
             where stream_id = any($1) and version > $2 and version <= $3 and seq_id <= $4 and not is_archived
             order by stream_id, version
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = page.Streams });
        command.Parameters.Add(new NpgsqlParameter { Value = page.From });
        command.Parameters.Add(new NpgsqlParameter { Value = page.To });
        command.Parameters.Add(new NpgsqlParameter { Value = highWaterMark });
        // Marten's event selector: the body first, its type name, .NET type and binary body next (EventDocumentStorage.Resolve).
        const int body = 0, typeName = 1, dotNetType = 2, binaryBody = 3;
        var (sequence, stream, version, timestamp) = (Array.IndexOf(fields, "seq_id"), Array.IndexOf(fields, "stream_id"),
            Array.IndexOf(fields, "version"), Array.IndexOf(fields, "timestamp"));
        var known = KnownByName(store);
        await using var reader = await session.ExecuteReaderAsync(command, token);
        while (await reader.ReadAsync(token)) yield return Row();

        // The row read whole before it is handed on: no I/O below, so what fails is the row itself, named.
        LoggedEvent Row()
        {
            var name = reader.GetString(typeName);
            try
            {
                if (known.TryGetValue(name, out var mapping) && reader.IsDBNull(binaryBody) &&
                    (reader.IsDBNull(dotNetType) || reader.GetString(dotNetType) == mapping.DotNetTypeName))
                {
                    return new(serializer.FromJson(mapping.DocumentType, reader, body), reader.GetGuid(stream),
                        reader.GetInt64(version), reader.GetInt64(sequence), reader.GetFieldValue<DateTimeOffset>(timestamp), name);
                }
                var e = storage.Resolve(reader);
                return new(e.Data, e.StreamId, e.Version, e.Sequence, e.Timestamp, e.EventTypeName);
            }
            catch (Exception failure) when (failure is not (OperationCanceledException or NpgsqlException))
            {
                throw PoisonEventException.Unreadable(reader.GetInt64(sequence), name, reader.GetGuid(stream), reader.GetInt64(version), failure);
            }
        }
    }

    /// <summary>
    /// The event types the store knows by one stored name each, less every name an upcaster reads (StoredShapes): those
    /// rows go through Marten's resolve, which applies it. Read for each page, so a type Marten came to know on an earlier
    /// one counts.
    /// </summary>
    private static Dictionary<string, EventMapping> KnownByName(IDocumentStore store)
    {
        var known = new Dictionary<string, EventMapping>();
        var shared = new HashSet<string>();
        foreach (var mapping in store.Options.Events.AllKnownEventTypes().OfType<EventMapping>())
        {
            if (!known.TryAdd(mapping.EventTypeName, mapping)) shared.Add(mapping.EventTypeName);
        }
        foreach (var name in shared.Concat(StoredShapes.UpcastNames)) known.Remove(name);
        return known;
    }

    private static async Task<List<PageBound>> PageBounds(IDocumentStore store, int eventsPerPage, CancellationToken token)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(token);
        await using var command = connection.CreateCommand();
        command.CommandText = $"select id, version from {TrackerDatabase.Schema}.mt_streams order by id";
        var pages = new List<PageBound>();
        var current = new List<Guid>();
        long events = 0;
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token))
        {
            var (id, version) = (reader.GetGuid(0), reader.GetInt64(1));
            if (version > eventsPerPage)
            {
                for (long from = 0; from < version; from += eventsPerPage)
                {
                    // The last range is open: events appended after the streams were listed are still read, up to the
                    // high-water mark.
                    pages.Add(new PageBound([id], from, from + eventsPerPage >= version ? long.MaxValue : from + eventsPerPage));
                }
                continue;
            }
            current.Add(id);
            events += version;
            if (events < eventsPerPage) continue;
            pages.Add(new PageBound([.. current]));
            current.Clear();
            events = 0;
        }
        if (current.Count > 0) pages.Add(new PageBound([.. current]));
        return pages;
    }
}
