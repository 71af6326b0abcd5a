using Tracker.Domain.Commitments;

namespace Tracker.Projections.Pledgers;

/// <summary>One of a pledger's pledges, and the commitment it is toward.</summary>
public sealed record PledgerPledge(Guid CommitmentId, string CommitmentKey, Pledge Pledge)
{
    public decimal Pledged => Pledge.Current.Amount.Amount;
    public decimal Committed => Pledge.StageTotal(PledgeStage.Committed);
    public decimal Disbursed => Pledge.StageTotal(PledgeStage.Disbursed);
    public decimal Outstanding => Pledged - Disbursed;
    public int? DaysToFirstDisbursement => Pledge.FirstDisbursedOn is { } first ? first.DayNumber - Pledge.AnnouncedOn.DayNumber : null;
    public int? DaysToFullDisbursement => Pledge.FullyDisbursedOn is { } full ? full.DayNumber - Pledge.AnnouncedOn.DayNumber : null;
}

/// <summary>A pledger's totals in one currency, as pledged (never converted: each pledge keeps its own currency).</summary>
public sealed record CurrencyTotals(string Currency, decimal Pledged, decimal Committed, decimal Disbursed, decimal Outstanding);

/// <summary>
/// A member state or organisation across every commitment: what it pledged, committed and disbursed, what is still
/// outstanding, and how long its money took to arrive. Composed when read from its stored per-commitment documents.
/// </summary>
public sealed record PledgerView
{
    /// <summary>The pledger's key: its name as a slug ("United States" is "united-states").</summary>
    public required string Id { get; init; }
    public required string Name { get; init; }
    public IReadOnlyList<PledgerPledge> Pledges { get; init; } = [];
    public long LastEventSequence { get; init; }

    /// <summary>The view of one pledger from its documents (all with the same pledger key), in the order they began.</summary>
    public static PledgerView Of(IReadOnlyCollection<PledgerCommitment> documents)
    {
        var ordered = documents.OrderBy(d => d.FirstEventSequence).ToList();
        return new PledgerView
        {
            Id = ordered[0].PledgerKey,
            Name = ordered[0].Name,
            Pledges = ordered
                .SelectMany(d => d.Pledges.Select(p => new PledgerPledge(d.CommitmentId, d.CommitmentKey, p)))
                .ToList(),
            LastEventSequence = ordered.Max(d => d.LastEventSequence)
        };
    }

    public IReadOnlyList<CurrencyTotals> Totals => Pledges
        .GroupBy(p => p.Pledge.Currency)
        .OrderBy(g => g.Key)
        .Select(g => new CurrencyTotals(g.Key, g.Sum(p => p.Pledged), g.Sum(p => p.Committed), g.Sum(p => p.Disbursed),
            g.Sum(p => p.Outstanding)))
        .ToList();

    /// <summary>Mean days from announcement to first disbursement, over the pledges disbursed at all.</summary>
    public double? AverageDaysToFirstDisbursement
    {
        get
        {
            var days = Pledges.Select(p => p.DaysToFirstDisbursement).OfType<int>().ToList();
            return days.Count == 0 ? null : Math.Round(days.Average(), 1);
        }
    }
}
