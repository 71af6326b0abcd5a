using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Tracker.Projections.Commitments;

/// <summary>
/// Folds each event with the domain's own fold (Commitment.After), so the read model can never disagree with the state
/// the write rules decided against, then summarises the state for dashboards.
/// </summary>
public sealed partial class CommitmentProgressProjection : SingleStreamProjection<CommitmentProgress, Guid>
{
    public override CommitmentProgress? Evolve(CommitmentProgress? snapshot, Guid id, IEvent e) =>
        CommitmentReplay.Evolve(snapshot, id, e);
}
