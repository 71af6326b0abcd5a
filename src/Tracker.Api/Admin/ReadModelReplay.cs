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
/// the log is read stream by stream, a few thousand events at a time, and the models of each chunk are final once it
/// is read: a rebuild writes them and lets them go, so its memory does not grow with the log. The next chunk is read
/// while the current one is folded.
/// </remarks>
public static class ReadModelReplay
{
    private const int EventsPerChunk = 5_000;

    public static async IAsyncEnumerable<IReadOnlyList<Replayed<CommitmentProgress>>> CommitmentProgress(IDocumentStore store,
        long highWaterMark, Action<int> onEvents, [EnumeratorCancellation] CancellationToken token)
    {
        await foreach (var chunk in Chunks(store, highWaterMark, onEvents, token))
        {
            var models = new List<Replayed<CommitmentProgress>>();
            foreach (var stream in chunk)
            {
                // Folded event by event, the progress computed once at the end: the same result as the inline projection's
                // step-by-step models (CommitmentProgress.From depends only on the state and the last event).
                Commitment? state = null;
                IEvent? last = null;
                foreach (var e in stream)
                {
                    if (Applied("CommitmentProgress", e, () => CommitmentReplay.Step(state, e.StreamId, e)) is not { } next) continue;
                    state = next;
                    last = e;
                }
                if (state is not null && last is not null)
                {
                    var progress = Projections.Commitments.CommitmentProgress.From(state, Timestamps.AsStored(last.Timestamp), last.Sequence);
                    models.Add(new(progress, state.Version));
                }
            }
            yield return models;
        }
    }

    public static async IAsyncEnumerable<IReadOnlyList<Replayed<PledgerCommitment>>> Pledgers(IDocumentStore store,
        long highWaterMark, Action<int> onEvents, [EnumeratorCancellation] CancellationToken token)
    {
        var projection = new PledgerProjection();
        await foreach (var chunk in Chunks(store, highWaterMark, onEvents, token))
        {
            var models = new Dictionary<string, Replayed<PledgerCommitment>>();
            foreach (var e in chunk.SelectMany(stream => stream))
            {
                if (PledgerProjection.DocumentOf(e) is not { } id) continue;
                var current = models.GetValueOrDefault(id);
                var next = Applied(PledgerProjection.ProjectionName, e, () => projection.Evolve(current?.Model, id, e))!;
                models[id] = new(next, (current?.Revision ?? 0) + 1);
            }
            yield return models.Values.ToList();
        }
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
    /// The log up to the high-water mark as chunks of whole streams, each stream's events in order; a chunk is read
    /// while the one before it is used.
    /// </summary>
    private static async IAsyncEnumerable<IReadOnlyList<IReadOnlyList<IEvent>>> Chunks(IDocumentStore store, long highWaterMark,
        Action<int> onEvents, [EnumeratorCancellation] CancellationToken token)
    {
        var chunks = await StreamChunks(store, token);
        if (chunks.Count == 0) yield break;
        var reading = Read(store, chunks[0], highWaterMark, token);
        for (var i = 0; i < chunks.Count; i++)
        {
            var events = await reading;
            if (i + 1 < chunks.Count) reading = Read(store, chunks[i + 1], highWaterMark, token);
            onEvents(events.Count);
            yield return events.GroupBy(e => e.StreamId).Select(g => (IReadOnlyList<IEvent>)g.ToList()).ToList();
        }
    }

    private static async Task<IReadOnlyList<IEvent>> Read(IDocumentStore store, Guid[] streams, long highWaterMark,
        CancellationToken token)
    {
        await using var session = store.QuerySession();
        return await session.Events.QueryAllRawEvents()
            .Where(e => streams.Contains(e.StreamId) && e.Sequence <= highWaterMark)
            .OrderBy(e => e.StreamId).ThenBy(e => e.Version)
            .ToListAsync(token);
    }

    /// <summary>The streams in groups of about EventsPerChunk events (a longer stream is a group of its own).</summary>
    private static async Task<List<Guid[]>> StreamChunks(IDocumentStore store, CancellationToken token)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(token);
        await using var command = connection.CreateCommand();
        command.CommandText = $"select id, version from {TrackerDatabase.Schema}.mt_streams order by id";
        var chunks = new List<Guid[]>();
        var current = new List<Guid>();
        long events = 0;
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token))
        {
            current.Add(reader.GetGuid(0));
            events += reader.GetInt64(1);
            if (events < EventsPerChunk) continue;
            chunks.Add([.. current]);
            current.Clear();
            events = 0;
        }
        if (current.Count > 0) chunks.Add([.. current]);
        return chunks;
    }
}
