using Marten.Schema;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments.Pledges;

/// <summary>
/// One pledge toward one commitment as its write rules need it and its page lists it: who, the amount in force and the
/// earlier ones a retraction can bring back, and how much is committed and disbursed. A row per pledge, so a write
/// about a pledge loads that pledge and no other, and the commitment's own state keeps only the pledges' totals.
/// </summary>
public sealed record PledgeLedgerRow
{
    /// <summary>The commitment's stream id and the pledge id: "{stream}/{pledge}".</summary>
    public required string Id { get; init; }

    public required Guid StreamId { get; init; }

    /// <summary>The pledges' order on their page: the version that announced it.</summary>
    public required int AnnouncedVersion { get; init; }

    /// <summary>The stream version this row has taken in.</summary>
    public required int Version { get; init; }

    public required PledgeLedger Ledger { get; init; }

    /// <summary>
    /// The stream and the announcing version as columns, with one index over both: a commitment's pledges in their order
    /// (its pledges page) and among them a pledger's (an announcement's numbering) are one range of it, and each new row
    /// updates one index, not two.
    /// </summary>
    public static void Configure(DocumentMapping<PledgeLedgerRow> mapping)
        => DuplicatedColumns.UnderOneIndex(mapping, r => r.StreamId, r => r.AnnouncedVersion);

    public static string IdOf(Guid streamId, string pledgeId) => $"{streamId:N}/{pledgeId.ToLowerInvariant()}";

    public static PledgeLedgerRow Of(Guid streamId, PledgeLedger ledger, int version) => new()
    {
        Id = IdOf(streamId, ledger.PledgeId),
        StreamId = streamId,
        AnnouncedVersion = ledger.AnnouncedVersion,
        Version = version,
        Ledger = ledger
    };
}
