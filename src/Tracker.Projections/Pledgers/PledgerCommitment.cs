using Tracker.Domain.Commitments;

namespace Tracker.Projections.Pledgers;

/// <summary>
/// One pledger's pledges toward one commitment: the stored unit of the pledger views. Kept per commitment, not per
/// pledger, so a document stays the size of a few pledges however many a member makes across commitments (a view per
/// pledger held thousands of pledges and was rewritten whole on every one), and so each is folded from one stream.
/// </summary>
public sealed record PledgerCommitment
{
    /// <summary>"{pledger key}/{commitment stream id}".</summary>
    public required string Id { get; init; }

    /// <summary>The pledger's key: its name as a slug ("United States" is "united-states").</summary>
    public required string PledgerKey { get; init; }

    /// <summary>The pledger's name as first announced toward this commitment.</summary>
    public required string Name { get; init; }

    public required Guid CommitmentId { get; init; }
    public required string CommitmentKey { get; init; }
    public IReadOnlyList<Pledge> Pledges { get; init; } = [];

    /// <summary>The first event folded into this document: orders a pledger's commitments, and names the pledger.</summary>
    public long FirstEventSequence { get; init; }
    public long LastEventSequence { get; init; }

    public static string IdOf(string pledgerKey, Guid commitmentId) => $"{pledgerKey}/{commitmentId}";
}
