using Marten;
using Tracker.Projections.Commitments;
using Tracker.Projections.Pledgers;

namespace Tracker.Api.Admin;

/// <summary>
/// How the stored read models compare with a fresh rebuild from the log up to the high-water mark, model by model, as
/// Marten serialises them. Models changed by events after the high-water mark are left out of the comparison.
/// </summary>
public sealed record ProjectionCheckReport(string Projection, long HighWaterMark, int Compared, int Matching,
    IReadOnlyList<string> Differing, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, int NewerLeftOut)
{
    public bool Consistent => Differing.Count == 0 && Missing.Count == 0 && Unexpected.Count == 0;
}

public sealed class ProjectionCheck(IDocumentStore store)
{
    public async Task<ProjectionCheckReport> Run(string projection, CancellationToken token)
    {
        var highWaterMark = await store.Storage.Database.FetchHighestEventSequenceNumber(token);
        await using var session = store.QuerySession();
        if (projection == PledgerProjection.ProjectionName)
        {
            var rebuilt = await ReadModelReplay.All(ReadModelReplay.Pledgers(store, highWaterMark, _ => { }, token), p => p.Id);
            var stored = await session.Query<PledgerCommitment>().ToListAsync(token);
            return Compare(projection, highWaterMark, rebuilt, stored.ToDictionary(p => p.Id), p => p.LastEventSequence);
        }
        else
        {
            var rebuilt = await ReadModelReplay.All(ReadModelReplay.CommitmentProgress(store, highWaterMark, _ => { }, token), p => p.Id);
            var stored = await session.Query<CommitmentProgress>().ToListAsync(token);
            return Compare(projection, highWaterMark, rebuilt, stored.ToDictionary(p => p.Id), p => p.LastEventSequence);
        }
    }

    private ProjectionCheckReport Compare<TId, TDoc>(string projection, long highWaterMark, IReadOnlyDictionary<TId, TDoc> rebuilt,
        IReadOnlyDictionary<TId, TDoc> stored, Func<TDoc, long> lastSequence) where TId : notnull where TDoc : notnull
    {
        var newer = stored.Where(s => lastSequence(s.Value) > highWaterMark).Select(s => s.Key).ToHashSet();
        var differing = new List<string>();
        var missing = new List<string>();
        var matching = 0;
        foreach (var (id, model) in rebuilt.Where(r => !newer.Contains(r.Key)))
        {
            if (!stored.TryGetValue(id, out var current)) missing.Add(id.ToString()!);
            else if (store.Options.Serializer().ToJson(current) != store.Options.Serializer().ToJson(model)) differing.Add(id.ToString()!);
            else matching++;
        }
        var unexpected = stored.Keys.Where(id => !newer.Contains(id) && !rebuilt.ContainsKey(id)).Select(id => id.ToString()!).ToList();
        return new ProjectionCheckReport(projection, highWaterMark, rebuilt.Count - newer.Count(rebuilt.ContainsKey), matching,
            differing, missing, unexpected, newer.Count);
    }
}
