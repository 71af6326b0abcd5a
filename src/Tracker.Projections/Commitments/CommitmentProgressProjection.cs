using JasperFx.Events;
using Marten.Events.Aggregation;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>
/// Folds each event with the domain's own fold (Commitment.After), so the read model can never disagree with the state
/// the write rules decided against, then summarises the state for dashboards.
/// </summary>
public sealed partial class CommitmentProgressProjection : SingleStreamProjection<CommitmentProgress, Guid>
{
    public override CommitmentProgress? Evolve(CommitmentProgress? snapshot, Guid id, IEvent e)
    {
        var state = e.Data is CommitmentStated stated
            ? Commitment.Create(stated) with { Id = id }
            : snapshot?.Detail.After(e.Data);
        return state is null ? snapshot : CommitmentProgress.From(state, Timestamps.AsStored(e.Timestamp), e.Sequence);
    }
}
