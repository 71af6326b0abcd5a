using JasperFx.Events;
using Marten.Events.Projections;
using Tracker.Domain;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Pledgers;

/// <summary>Routes every pledge event, and every correction of one, to its pledger's view.</summary>
public sealed partial class PledgerProjection : MultiStreamProjection<PledgerView, string>
{
    public const string ProjectionName = "Pledgers";

    public PledgerProjection()
    {
        Name = ProjectionName;
        Identity<PledgeAnnounced>(e => Slug.From(e.Pledger));
        Identity<PledgeRevised>(e => Slug.From(e.Pledger));
        Identity<PledgeStageRecorded>(e => Slug.From(e.Pledger));
        Identities<EventCorrected>(e => e.Pledger is null ? [] : [Slug.From(e.Pledger)]);
    }

    /// <summary>The pledger view an event belongs to, by the same rule as the routing above; null for none.</summary>
    public static string? PledgerOf(object data) => data switch
    {
        PledgeAnnounced x => Slug.From(x.Pledger),
        PledgeRevised x => Slug.From(x.Pledger),
        PledgeStageRecorded x => Slug.From(x.Pledger),
        EventCorrected { Pledger: { } pledger } => Slug.From(pledger),
        _ => null
    };

    public override PledgerView? Evolve(PledgerView? snapshot, string id, IEvent e)
    {
        var view = snapshot ?? new PledgerView { Id = id, Name = (e.Data as PledgeAnnounced)?.Pledger ?? id };
        var version = (int)e.Version;
        var commitment = e.StreamId;

        var pledges = e.Data switch
        {
            PledgeAnnounced x => [.. view.Pledges, new PledgerPledge(commitment, x.CommitmentKey, Pledge.Announced(x, version))],
            PledgeRevised x => Change(view, commitment, x.PledgeId, p => p.Revised(x, version)),
            PledgeStageRecorded x => Change(view, commitment, x.PledgeId, p => p.Staged(x, version)),
            EventCorrected x => view.Pledges
                .Where(p => p.CommitmentId != commitment || p.Pledge.AnnouncedVersion != x.CorrectedVersion)
                .Select(p => p.CommitmentId == commitment ? p with { Pledge = p.Pledge.Without(x.CorrectedVersion) } : p)
                .ToList(),
            _ => view.Pledges
        };
        return view with { Pledges = pledges, LastEventSequence = e.Sequence };
    }

    private static List<PledgerPledge> Change(PledgerView view, Guid commitment, string pledgeId, Func<Pledge, Pledge> change) =>
        view.Pledges
            .Select(p => p.CommitmentId == commitment && p.Pledge.PledgeId == pledgeId ? p with { Pledge = change(p.Pledge) } : p)
            .ToList();
}
