using System.Collections.Concurrent;

namespace Tracker.Projections.Commitments.Timeline;

/// <summary>
/// The model at the end of each commitment's last day, as the timeline last wrote it, with the stream version it took
/// in and that version's event id. One event of a stream always folds to the same model (events are never changed),
/// so an entry is right whenever the stored last day names that version and the event there has that id: after a
/// rebuild or another node's page alike, and not after a database was restored to an earlier point and written to
/// again (the new event at that version has another id), nor in the tests, which reset the database under a running
/// host. It spares a page reading and parsing the keyframe and folding the facts after it for each commitment it
/// continues. Bounded: past its size one entry makes room for the next.
/// </summary>
public sealed class LastDayModels(int capacity = 256)
{
    private readonly ConcurrentDictionary<Guid, (int Through, Guid Event, CommitmentProgress Model)> _models = new();

    public bool TryGet(Guid id, int through, Guid throughEvent, out CommitmentProgress model)
    {
        if (_models.TryGetValue(id, out var kept) && kept.Through == through && kept.Event == throughEvent)
        {
            model = kept.Model;
            return true;
        }
        model = null!;
        return false;
    }

    /// <summary>The version and event kept for each of these commitments (0: none), for a query to leave their keyframes out.</summary>
    public (int[] Versions, Guid[] Events) Kept(IReadOnlyList<Guid> ids)
    {
        var kept = ids.Select(id => _models.TryGetValue(id, out var k) ? (k.Through, k.Event) : (0, Guid.Empty)).ToList();
        return (kept.Select(k => k.Item1).ToArray(), kept.Select(k => k.Item2).ToArray());
    }

    public void Keep(Guid id, int through, Guid throughEvent, CommitmentProgress model)
    {
        if (_models.Count >= capacity && !_models.ContainsKey(id))
        {
            // Whichever entry the dictionary yields first: no bookkeeping of recency on every page.
            foreach (var (key, _) in _models)
            {
                _models.TryRemove(key, out _);
                break;
            }
        }
        _models[id] = (through, throughEvent, model);
    }
}
