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
    /// <remarks>
    /// Folds the commitment itself and computes its progress model once, at the end: computing it after every event
    /// made a long stream's read quadratic. The result is the one the inline projection reaches step by step (the
    /// admin verification compares them).
    /// </remarks>
    public static CommitmentProgress? Fold(Guid id, IEnumerable<IEvent> events, Func<IEvent, bool>? include = null)
    {
        Commitment? state = null;
        IEvent? last = null;
        foreach (var e in events)
        {
            if (include is null || include(e))
            {
                if (Step(state, id, e) is not { } next) continue;
                state = next;
                last = e;
            }
            else if (state is not null)
            {
                state = state.Skip();
            }
        }
        return state is null || last is null
            ? null
            : CommitmentProgress.From(state, Timestamps.AsStored(last.Timestamp), last.Sequence);
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
