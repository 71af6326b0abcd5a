using Marten.Schema;
using Tracker.Domain;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments.Pledges;

/// <summary>
/// One pledge toward one commitment as its write rules need it and its pages list it: who, the amount in force and the
/// earlier ones a retraction can bring back, how much is committed and disbursed, and when the money arrived. A row per
/// pledge, so a write about a pledge loads that pledge and no other, the commitment's own state keeps only the pledges'
/// totals, and a pledger's pledges across commitments are one index range (the pledger views read them, Pledgers/).
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

    /// <summary>The commitment's key, which the pledger views list beside the pledge. Empty in rows stored before it was kept.</summary>
    public string CommitmentKey { get; init; } = "";

    /// <summary>The pledger as a key: its name as a slug ("United States" is "united-states"). Empty in rows stored before it was kept.</summary>
    public string PledgerKey { get; init; } = "";

    /// <summary>
    /// The stem its id is numbered after ("germany" for "germany-3"), null for another id: an announcement that numbers
    /// its pledge after its pledger loads the rows of that stem, whoever their pledgers (a caller may have named a pledge
    /// "germany-2" for another one).
    /// </summary>
    public string? IdStem => AnnouncePledge.NumberedStem(Ledger.PledgeId);

    /// <summary>The disbursements that stand, by the version that recorded each: how long the money took to arrive.</summary>
    public IReadOnlyList<Versioned<DatedAmount>> Disbursements { get; init; } = [];

    // The pledge's figures in its own currency, stored with the row (as read-only members are) so the pledger views can
    // sum them in SQL by these names (Pledgers/PledgerTotals).
    public string Currency => Ledger.Currency;
    public decimal Pledged => Ledger.Amount.Amount;
    public int? DaysToFirstDisbursement => FirstDisbursedOn is { } first ? first.DayNumber - Ledger.AnnouncedOn.DayNumber : null;
    public int? DaysToFullDisbursement => FullyDisbursedOn is { } full ? full.DayNumber - Ledger.AnnouncedOn.DayNumber : null;

    /// <summary>The first disbursement's date, if any.</summary>
    public DateOnly? FirstDisbursedOn => Disbursements.Count == 0 ? null : Disbursements.Min(d => d.Value.On);

    /// <summary>The date the disbursements reached the pledge's amount in force, if they have.</summary>
    public DateOnly? FullyDisbursedOn
    {
        get
        {
            var total = 0m;
            foreach (var disbursement in Disbursements.Select(d => d.Value).OrderBy(d => d.On))
            {
                total += disbursement.Amount;
                if (total >= Ledger.Amount.Amount) return disbursement.On;
            }
            return null;
        }
    }

    /// <summary>
    /// The stream and the announcing version as columns, with one index over both: a commitment's pledges in their order
    /// (its pledges page) and among them a pledger's (an announcement's numbering) are one range of it, and each new row
    /// updates one index, not two. The stream and the id's stem under a second one: the pledges an announcement numbers
    /// its own among. The pledger key has an index of its own: a pledger's pledges across commitments.
    /// </summary>
    public static void Configure(DocumentMapping<PledgeLedgerRow> mapping)
    {
        DuplicatedColumns.UnderOneIndex(mapping, r => r.StreamId, r => r.AnnouncedVersion);
        DuplicatedColumns.UnderOneIndex(mapping, r => r.StreamId, r => r.IdStem);
        // A column, not an index over the document: an update that leaves the indexed columns alone is then made in
        // place (a heap-only tuple) and touches no index, which an index over `data` would rule out on every update.
        mapping.Duplicate(r => r.PledgerKey);
    }

    public static string IdOf(Guid streamId, string pledgeId) => $"{streamId:N}/{pledgeId.ToLowerInvariant()}";

    /// <summary>An announced pledge's row.</summary>
    public static PledgeLedgerRow Announced(Guid streamId, PledgeAnnounced e, int version) => new()
    {
        Id = IdOf(streamId, e.PledgeId),
        StreamId = streamId,
        AnnouncedVersion = version,
        Version = version,
        Ledger = PledgeLedger.Announced(e, version),
        CommitmentKey = e.CommitmentKey,
        PledgerKey = Slug.From(e.Pledger)
    };

    /// <summary>The row after one more fact about its pledge (not its announcement or retraction), recorded at version.</summary>
    public PledgeLedgerRow Stepped(object fact, int version) => this with
    {
        Version = version,
        Ledger = PledgeLedgerProjection.Stepped(Ledger, fact, version),
        Disbursements = fact switch
        {
            PledgeStageRecorded { Stage: PledgeStage.Disbursed } x => [.. Disbursements, new(version, new DatedAmount(x.On, x.Amount.Amount))],
            PledgeStageRetracted { Stage: PledgeStage.Disbursed } x => Disbursements.Where(d => d.Version != x.RetractedVersion).ToList(),
            _ => Disbursements
        }
    };
}

/// <summary>An amount in the pledge's currency, on a date.</summary>
public sealed record DatedAmount(DateOnly On, decimal Amount);
