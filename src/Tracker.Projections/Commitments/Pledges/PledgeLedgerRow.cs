using System.Text.Json.Serialization;
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

    /// <summary>
    /// The number its id is numbered with (3 for "germany-3"), under the stem's index: an announcement numbers its pledge
    /// after the highest, one index entry. Null in rows stored before it was kept (an announcement reads their ids).
    /// </summary>
    public long? IdNumber => AnnouncePledge.NumberOf(Ledger.PledgeId);

    /// <summary>
    /// The disbursements that stand, summed by the day each was made on, in date order: how long the money took to
    /// arrive. As many entries as days with disbursements, whatever their number, so a pledge paid in a thousand
    /// instalments is as cheap to step as one paid in two.
    /// </summary>
    public IReadOnlyList<DisbursedOn> DisbursedByDay { get; init; } = [];

    /// <summary>
    /// Rows stored before disbursements were summed by day listed each one with the version that recorded it: read into
    /// <see cref="DisbursedByDay"/>, so those rows need no rebuild. Never written.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Versioned<DatedAmount>>? Disbursements
    {
        get => null;
        init => DisbursedByDay = (value ?? []).Aggregate((IReadOnlyList<DisbursedOn>)[], (days, d) => DisbursedOn.Added(days, d.Value.On, d.Value.Amount));
    }

    // The pledge's figures in its own currency, stored with the row (as read-only members are) so the pledger views can
    // sum them in SQL by these names (Pledgers/PledgerTotals).
    public string Currency => Ledger.Currency;
    public decimal Pledged => Ledger.Amount.Amount;
    public int? DaysToFirstDisbursement => FirstDisbursedOn is { } first ? first.DayNumber - Ledger.AnnouncedOn.DayNumber : null;
    public int? DaysToFullDisbursement => FullyDisbursedOn is { } full ? full.DayNumber - Ledger.AnnouncedOn.DayNumber : null;

    /// <summary>The first disbursement's date, if any.</summary>
    public DateOnly? FirstDisbursedOn => DisbursedByDay.Count == 0 ? null : DisbursedByDay[0].On;

    /// <summary>
    /// The day the disbursements reached the pledge's amount in force that day and have not fallen below it since, if they
    /// have: a pledge of 100 with 40 disbursed on 1 February, cut to 40 from 1 April, was fully disbursed on 1 April
    /// (until 2026-12-06 the disbursements were compared with today's amount alone, and it read 1 February). A revision
    /// stored without its day counts from the announcement.
    /// </summary>
    public DateOnly? FullyDisbursedOn
    {
        get
        {
            var revisedOn = Ledger.Amounts.Skip(1).Select(a => a.Value.On).OfType<DateOnly>();
            DateOnly? full = null;
            var disbursed = 0m;
            var counted = 0;
            foreach (var day in DisbursedByDay.Select(d => d.On).Concat(revisedOn).Distinct().Order())
            {
                for (; counted < DisbursedByDay.Count && DisbursedByDay[counted].On <= day; counted++) disbursed += DisbursedByDay[counted].Amount;
                full = disbursed >= AmountOn(day) ? full ?? day : null;
            }
            return full;
        }
    }

    /// <summary>
    /// The pledge's amount in force on a day: the last revision in force by then, by its day and then its version, as
    /// the effective timeline orders them; or the amount announced.
    /// </summary>
    private decimal AmountOn(DateOnly day) => Ledger.Amounts.Skip(1)
        .Where(a => a.Value.On is not { } on || on <= day)
        .OrderBy(a => a.Value.On ?? Ledger.AnnouncedOn).ThenBy(a => a.Version)
        .Select(a => a.Value.Amount.Amount)
        .LastOrDefault(Ledger.Amounts[0].Value.Amount.Amount);

    /// <summary>
    /// The stream and the announcing version as columns, with one index over both: a commitment's pledges in their order
    /// (its pledges page) and among them a pledger's (an announcement's numbering) are one range of it, and each new row
    /// updates one index, not two. The stream, the id's stem and its number under a second one: the highest number an
    /// announcement numbers its own after. The pledger key, then each pledge's place among the pledger's (its announcement's
    /// date, commitment and version) under a third: a pledger's pledges across commitments in that order, so a page of
    /// them reads the rows it shows however many the pledger has, and the pledge that names a pledger is the range's first.
    /// </summary>
    public static void Configure(DocumentMapping<PledgeLedgerRow> mapping)
    {
        DuplicatedColumns.UnderOneIndex(mapping, r => r.StreamId, r => r.AnnouncedVersion);
        DuplicatedColumns.UnderOneIndex(mapping, r => r.StreamId, r => r.IdStem, r => r.IdNumber);
        // Columns, not an index over the document: an update that leaves the indexed columns alone is then made in place
        // (a heap-only tuple) and touches no index, which an index over `data` would rule out on every update. The date is
        // the ledger's own (a column Marten's migration fills from the stored rows, which all have it).
        DuplicatedColumns.UnderOneIndex(mapping, PledgerPlaceIndex,
            r => r.PledgerKey, r => r.Ledger.AnnouncedOn, r => r.CommitmentKey, r => r.AnnouncedVersion);
    }

    /// <summary>The index of a pledger's pledges in their order (its derived name would pass PostgreSQL's 63 characters).</summary>
    public const string PledgerPlaceIndex = "mt_doc_pledgeledgerrow_idx_pledger_place";

    /// <summary>A pledge's place among its pledger's (row alias `r`): its columns in their order (<see cref="PledgerPlaceIndex"/>).</summary>
    public static string PlaceOrder(string r) => $"{r}.ledger_announced_on, {r}.commitment_key, {r}.announced_version";

    public static string IdOf(Guid streamId, string pledgeId) => $"{streamId:N}/{pledgeId.ToLowerInvariant()}";

    /// <summary>The pledge's id in a row's id (lower case, as <see cref="IdOf"/> stored it).</summary>
    public static string PledgeIdOf(string rowId) => rowId[(rowId.IndexOf('/') + 1)..];

    /// <summary>An announced pledge's row.</summary>
    public static PledgeLedgerRow Announced(Guid streamId, PledgeAnnounced e, int version) => new()
    {
        Id = IdOf(streamId, e.PledgeId),
        StreamId = streamId,
        AnnouncedVersion = version,
        Version = version,
        Ledger = PledgeLedger.Announced(e, version),
        CommitmentKey = e.CommitmentKey,
        PledgerKey = Slug.PledgerKey(e.Pledger, e.PledgerKey)
    };

    /// <summary>The row after one more fact about its pledge (not its announcement or retraction), recorded at version.</summary>
    public PledgeLedgerRow Stepped(object fact, int version, DateOnly? recordedOn = null) => this with
    {
        Version = version,
        Ledger = PledgeLedgerProjection.Stepped(Ledger, fact, version, recordedOn),
        DisbursedByDay = fact switch
        {
            PledgeStageRecorded { Stage: PledgeStage.Disbursed } x => DisbursedOn.Added(DisbursedByDay, x.On, x.Amount.Amount),
            PledgeStageRetracted { Stage: PledgeStage.Disbursed } x => DisbursedOn.Taken(DisbursedByDay, x.On ?? throw new InvalidOperationException(
                $"The retraction at version {version} of the disbursement at version {x.RetractedVersion} names no date; " +
                "its readers fill it in from the retracted event."), x.Amount.Amount),
            _ => DisbursedByDay
        }
    };
}

/// <summary>An amount in the pledge's currency, on a date (the shape rows stored before <see cref="DisbursedOn"/> listed).</summary>
public sealed record DatedAmount(DateOnly On, decimal Amount);

/// <summary>What a pledge's disbursements that stand add up to on one day, and how many they are.</summary>
public sealed record DisbursedOn(DateOnly On, decimal Amount, int Count)
{
    /// <summary>The days with one more disbursement, still in date order.</summary>
    public static IReadOnlyList<DisbursedOn> Added(IReadOnlyList<DisbursedOn> days, DateOnly on, decimal amount)
    {
        var list = days.ToList();
        var at = list.FindIndex(d => d.On >= on);
        if (at >= 0 && list[at].On == on) list[at] = list[at] with { Amount = list[at].Amount + amount, Count = list[at].Count + 1 };
        else list.Insert(at < 0 ? list.Count : at, new DisbursedOn(on, amount, 1));
        return list;
    }

    /// <summary>
    /// The days without one disbursement retracted; a day left with none goes. A day the row does not hold (a row stored
    /// before it kept disbursements) is left as it is, as the list by version did.
    /// </summary>
    public static IReadOnlyList<DisbursedOn> Taken(IReadOnlyList<DisbursedOn> days, DateOnly on, decimal amount)
    {
        var list = days.ToList();
        var at = list.FindIndex(d => d.On == on);
        if (at < 0) return days;
        if (list[at].Count == 1) list.RemoveAt(at);
        else list[at] = list[at] with { Amount = list[at].Amount - amount, Count = list[at].Count - 1 };
        return list;
    }
}
