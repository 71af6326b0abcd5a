using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>
/// The write rules' state, kept inline with every write (FetchForWriting reads it in the fetch's one round trip). Each
/// event is the domain's own step (CommitmentState.After), so the stored state is the one a decision's answer computes.
/// </summary>
public sealed class CommitmentStateProjection : SingleStreamProjection<CommitmentState, Guid>
{
    public const string ProjectionName = "CommitmentState";

    public CommitmentStateProjection() => Name = ProjectionName;

    public override async ValueTask<CommitmentState?> EvolveAsync(CommitmentState? snapshot, Guid id, IQuerySession session,
        IEvent e, CancellationToken cancellation)
    {
        if (e.Data is CommitmentStated stated) return CommitmentState.Stated(stated) with { Id = id };
        if (snapshot is null) return null;
        if (e.Data is not EventCorrected legacy) return snapshot.After(e.Data);

        // Stored before retractions existed: the correction named only a version. The event it corrected is read (once,
        // when this event is first applied or rebuilt) and the retraction it stands for applied.
        return await LogLookups.RetractionFor(session, id, legacy, cancellation) is { } retraction
            ? snapshot.After(retraction)
            : snapshot with { Version = snapshot.Version + 1 };
    }
}
