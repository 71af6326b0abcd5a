using System.Runtime.CompilerServices;
using JasperFx.Events;
using Marten;
using Tracker.Api.Infrastructure;
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

/// <summary>A read model computed from the log, with its revision (the number Marten keeps beside a projected document).</summary>
public sealed record Replayed<TModel>(TModel Model, long Revision);

/// <summary>
/// The read models computed from the log up to a high-water mark, by the same steps the projections take: what a rebuild
/// writes and what a verification compares the stored models with. An event that cannot be applied stops it, named.
/// </summary>
/// <remarks>
/// Every model here is folded from one stream (a commitment's progress; a pledger's pledges toward one commitment), so
/// the log is read in stream order, a few thousand events at a time, and a stream's models are final once the next
/// stream begins: a rebuild writes them and lets them go, so its memory does not grow with the log (only with the
/// longest stream's state). The next page is read while the current one is folded.
/// </remarks>
public static class ReadModelReplay
{
    public const int EventsPerPage = 5_000;

    public static async IAsyncEnumerable<IReadOnlyList<Replayed<CommitmentProgress>>> CommitmentProgress(IDocumentStore store,
        long highWaterMark, Action<int> onEvents, [EnumeratorCancellation] CancellationToken token, int eventsPerPage = EventsPerPage)
    {
        // Folded event by event, the progress computed once at the end of each stream: the same result as the inline
        // projection's step-by-step models (CommitmentProgress.From depends only on the state and the last event).
        Commitment? state = null;
        IEvent? last = null;
        Guid? stream = null;
        Replayed<CommitmentProgress>? Finished()
        {
            if (state is null || last is null) return null;
            var progress = Projections.Commitments.CommitmentProgress.From(state, Timestamps.AsStored(last.Timestamp), last.Sequence);
            return new(progress, state.Version);
        }

        await foreach (var page in Pages(store, highWaterMark, eventsPerPage, onEvents, token))
        {
            var models = new List<Replayed<CommitmentProgress>>();
            foreach (var e in page)
            {
                if (e.StreamId != stream)
                {
                    if (Finished() is { } model) models.Add(model);
                    (state, last, stream) = (null, null, e.StreamId);
                }
                if (Applied("CommitmentProgress", e, () => CommitmentReplay.Step(state, e.StreamId, e)) is not { } next) continue;
                state = next;
                last = e;
            }
            yield return models;
        }
        if (Finished() is { } final) yield return [final];
    }

    public static async IAsyncEnumerable<IReadOnlyList<Replayed<PledgerCommitment>>> Pledgers(IDocumentStore store,
        long highWaterMark, Action<int> onEvents, [EnumeratorCancellation] CancellationToken token, int eventsPerPage = EventsPerPage)
    {
        // A pledger's document belongs to one stream: when the stream changes, every open document is final.
        var projection = new PledgerProjection();
        var open = new Dictionary<string, Replayed<PledgerCommitment>>();
        Guid? stream = null;
        await foreach (var page in Pages(store, highWaterMark, eventsPerPage, onEvents, token))
        {
            var models = new List<Replayed<PledgerCommitment>>();
            foreach (var e in page)
            {
                if (e.StreamId != stream)
                {
                    models.AddRange(open.Values);
                    open.Clear();
                    stream = e.StreamId;
                }
                if (PledgerProjection.DocumentOf(e) is not { } id) continue;
                var current = open.GetValueOrDefault(id);
                var next = Applied(PledgerProjection.ProjectionName, e, () => projection.Evolve(current?.Model, id, e))!;
                open[id] = new(next, (current?.Revision ?? 0) + 1);
            }
            yield return models;
        }
        if (open.Count > 0) yield return open.Values.ToList();
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

    private static T Applied<T>(string projection, IEvent e, Func<T> apply)
    {
        try
        {
            return apply();
        }
        catch (Exception failure)
        {
            throw new PoisonEventException(projection, e, failure);
        }
    }

    /// <summary>
    /// The log up to the high-water mark in pages of about EventsPerPage events, ordered by stream and then version: short
    /// streams are read whole, many to a page; a longer one is read over consecutive pages by version. A page is read
    /// while the one before it is used.
    /// </summary>
    private static async IAsyncEnumerable<IReadOnlyList<IEvent>> Pages(IDocumentStore store, long highWaterMark,
        int eventsPerPage, Action<int> onEvents, [EnumeratorCancellation] CancellationToken token)
    {
        var pages = await PageBounds(store, eventsPerPage, token);
        if (pages.Count == 0) yield break;
        var reading = Read(store, pages[0], highWaterMark, token);
        for (var i = 0; i < pages.Count; i++)
        {
            var events = await reading;
            if (i + 1 < pages.Count) reading = Read(store, pages[i + 1], highWaterMark, token);
            onEvents(events.Count);
            yield return events;
        }
    }

    /// <summary>Whole streams, or one stream's versions from (exclusive) to (inclusive).</summary>
    private sealed record PageBound(Guid[] Streams, long From = 0, long To = long.MaxValue);

    private static async Task<IReadOnlyList<IEvent>> Read(IDocumentStore store, PageBound page, long highWaterMark,
        CancellationToken token)
    {
        await using var session = store.QuerySession();
        var streams = page.Streams;
        return await session.Events.QueryAllRawEvents()
            .Where(e => streams.Contains(e.StreamId) && e.Version > page.From && e.Version <= page.To && e.Sequence <= highWaterMark)
            .OrderBy(e => e.StreamId).ThenBy(e => e.Version)
            .ToListAsync(token);
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
