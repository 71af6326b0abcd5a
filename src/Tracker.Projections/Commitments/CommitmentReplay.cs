using JasperFx.Events;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>
/// Folds a commitment's events into the full commitment (every entry of its history) outside the event store's
/// projections: what the full-history export and the catalogue import step.
/// </summary>
public static class CommitmentReplay
{
    /// <summary>The commitment after one event; null when the event does not apply (or there is no commitment yet).</summary>
    public static Commitment? Step(Commitment? state, Guid id, IEvent e) => e.Data is CommitmentStated stated
        ? Commitment.Create(stated) with { Id = id }
        : state?.After(e.Data, CommitmentProgressProjection.RecordedOn(e));
}
