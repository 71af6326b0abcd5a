using JasperFx.Events;
using Marten.Events.Projections;
using Tracker.Domain;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Pledgers;

/// <summary>Routes every pledge event, and every correction of one, to its pledger's document for that commitment.</summary>
public sealed partial class PledgerProjection : MultiStreamProjection<PledgerCommitment, string>
{
    public const string ProjectionName = "Pledgers";

    public PledgerProjection()
    {
        Name = ProjectionName;
        // One routing rule (DocumentOf) for the daemon and for the admin rebuild, which replays the log without Marten.
        Identity<IEvent<PledgeAnnounced>>(e => DocumentOf(e)!);
        Identity<IEvent<PledgeRevised>>(e => DocumentOf(e)!);
        Identity<IEvent<PledgeStageRecorded>>(e => DocumentOf(e)!);
        Identities<IEvent<EventCorrected>>(e => DocumentOf(e) is { } id ? [id] : []);
        Identity<IEvent<PledgeRetracted>>(e => DocumentOf(e)!);
        Identity<IEvent<PledgeRevisionRetracted>>(e => DocumentOf(e)!);
        Identity<IEvent<PledgeStageRetracted>>(e => DocumentOf(e)!);
    }

    /// <summary>The document an event belongs to; null for none (it is not about a pledge).</summary>
    public static string? DocumentOf(IEvent e) =>
        PledgerOf(e.Data) is { } pledger ? PledgerCommitment.IdOf(pledger, e.StreamId) : null;

    /// <summary>The pledger an event is about, as a key; null for none.</summary>
    public static string? PledgerOf(object data) => data switch
    {
        IPledgeFact x => Slug.From(x.Pledger),
        EventCorrected { Pledger: { } pledger } => Slug.From(pledger),
        _ => null
    };

    public override PledgerCommitment? Evolve(PledgerCommitment? snapshot, string id, IEvent e)
    {
        var document = snapshot ?? Begun(id, e);
        var version = (int)e.Version;
        var pledges = e.Data switch
        {
            PledgeAnnounced x => document.Pledges.Appended(Pledge.Announced(x, version)),
            PledgeRevised x => Change(document, x.PledgeId, p => p.Revised(x, version)),
            PledgeStageRecorded x => Change(document, x.PledgeId, p => p.Staged(x, version)),
            EventCorrected x => Reversed(document, x.CorrectedVersion),
            IPledgeRetraction x => Reversed(document, x.RetractedVersion),
            _ => document.Pledges
        };
        return document with { Pledges = pledges, LastEventSequence = e.Sequence };
    }

    private static PledgerCommitment Begun(string id, IEvent e)
    {
        var pledger = PledgerOf(e.Data) ?? id;
        return new PledgerCommitment
        {
            Id = id,
            PledgerKey = pledger,
            Name = (e.Data as PledgeAnnounced)?.Pledger ?? pledger,
            CommitmentId = e.StreamId,
            // Only an announcement names the commitment's key; a document cannot begin otherwise unless its announcement
            // was never applied (a dead letter), and then the stream id stands in.
            CommitmentKey = (e.Data as PledgeAnnounced)?.CommitmentKey ?? e.StreamId.ToString(),
            FirstEventSequence = e.Sequence
        };
    }

    private static IReadOnlyList<Pledge> Reversed(PledgerCommitment document, int version) => document.Pledges
        .Where(p => p.AnnouncedVersion != version)
        .Select(p => p.Without(version))
        .ToList();

    private static IReadOnlyList<Pledge> Change(PledgerCommitment document, string pledgeId, Func<Pledge, Pledge> change) =>
        document.Pledges.Select(p => p.PledgeId == pledgeId ? change(p) : p).ToList();
}
