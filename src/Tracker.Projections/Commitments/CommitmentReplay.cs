using JasperFx.Events;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>
/// Folds a commitment's events into its progress model outside the event store's projections: for the state at a
/// past version or instant (the events recorded by then) and for the state on a past date (the events that refer to a
/// date on or before it, skipped events still counted so versions stay those of the log).
/// </summary>
public static class CommitmentReplay
{
    /// <param name="start">The state to continue from (a checkpoint), or null to start from the first event.</param>
    /// <param name="atCheckpoint">Told of each state the fold passes at a multiple of ReplayCheckpoint.Interval.</param>
    /// <remarks>
    /// Folds the commitment itself and computes its progress model only where it is wanted (at checkpoints and at the
    /// end): computing it after every event made a long stream's first read quadratic. The result is the one the inline
    /// projection reaches step by step, since a progress model depends only on the state and the last applied event.
    /// </remarks>
    public static CommitmentProgress? Fold(Guid id, IEnumerable<IEvent> events, Func<IEvent, bool>? include = null,
        ReplayCheckpoint? start = null, Action<ReplayCheckpoint>? atCheckpoint = null)
    {
        var state = start?.State;
        var changedAt = start?.LastChangedAt ?? default;
        var sequence = start?.LastEventSequence ?? 0;
        foreach (var e in events)
        {
            if (include is null || include(e))
            {
                if (Step(state, id, e) is not { } next) continue;
                state = next;
                changedAt = Timestamps.AsStored(e.Timestamp);
                sequence = e.Sequence;
                if (atCheckpoint is not null && state.Version % ReplayCheckpoint.Interval == 0)
                {
                    atCheckpoint(new ReplayCheckpoint(ReplayCheckpoint.IdFor(id, state.Version), id, state.Version, state,
                        changedAt, sequence));
                }
            }
            else if (state is not null)
            {
                state = state.Skip();
            }
        }
        return state is null ? null : CommitmentProgress.From(state, changedAt, sequence);
    }

    /// <summary>The commitment after one event; null when the event does not apply (or there is no commitment yet).</summary>
    public static Commitment? Step(Commitment? state, Guid id, IEvent e) => e.Data is CommitmentStated stated
        ? Commitment.Create(stated) with { Id = id }
        : state?.After(e.Data);

    /// <summary>Whether an event belongs in the state on a date: it refers to that date or earlier, or it corrects one that does.</summary>
    public static Func<IEvent, bool> EffectiveOn(DateOnly date, IReadOnlyList<IEvent> all)
    {
        var byVersion = all.ToDictionary(e => e.Version);
        bool Included(IEvent e) => RetractedVersion(e.Data) is { } retracted
            ? byVersion.TryGetValue(retracted, out var corrected) && Included(corrected)
            : EffectiveDate.Of(e.Data, DateOnly.FromDateTime(e.Timestamp.UtcDateTime)) <= date;
        return Included;
    }

    /// <summary>The version a correction or retraction takes back; null for any other event.</summary>
    public static int? RetractedVersion(object data) => data switch
    {
        EventCorrected c => c.CorrectedVersion,
        IRetraction r => r.RetractedVersion,
        _ => null
    };
}
