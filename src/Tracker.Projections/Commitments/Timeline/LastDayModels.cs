using System.Collections.Concurrent;

namespace Tracker.Projections.Commitments.Timeline;

/// <summary>
/// The model at the end of each commitment's last day, as the timeline last took it in, with the stream version it took
/// in and the model's last change time. One version of a stream always folds to the same model (events are never
/// changed), so an entry is right whenever the stored last day names both: after a rebuild or another node's page alike.
/// The time guards against a database restored to an earlier point and written to again, where one version could name
/// a different fact (and the tests, which reset the database under a running host). It spares a page
/// reading and parsing the commitment's keyframe (the whole model) for each commitment it continues. Bounded: a miss
/// costs a keyframe and fewer than <see cref="TimelineDays.KeyframeEvery"/> facts.
/// </summary>
public sealed class LastDayModels(int capacity = 256)
{
    private readonly ConcurrentDictionary<Guid, (int Through, DateTimeOffset ChangedAt, CommitmentProgress Model)> _models = new();

    public bool TryGet(Guid id, int through, DateTimeOffset changedAt, out CommitmentProgress model)
    {
        if (_models.TryGetValue(id, out var kept) && kept.Through == through && kept.ChangedAt == changedAt)
        {
            model = kept.Model;
            return true;
        }
        model = null!;
        return false;
    }

    /// <summary>The version and time kept for each of these commitments (0: none), for a query to leave their keyframes out.</summary>
    public (int[] Versions, DateTimeOffset[] ChangedAt) Kept(IReadOnlyList<Guid> ids)
    {
        var kept = ids.Select(id => _models.TryGetValue(id, out var k) ? (k.Through, k.ChangedAt.ToUniversalTime()) : (0, DateTimeOffset.MinValue)).ToList();
        return (kept.Select(k => k.Item1).ToArray(), kept.Select(k => k.Item2).ToArray());
    }

    public void Keep(Guid id, int through, CommitmentProgress model)
    {
        // Past its size it starts again rather than tracking recency: the commitments written to most come back first.
        if (_models.Count >= capacity && !_models.ContainsKey(id)) _models.Clear();
        _models[id] = (through, model.LastChangedAt, model);
    }
}
