using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>
/// How far a commitment has come, as a fraction of its target:
/// - money target: the largest of the money pledged by members and the latest aggregate money figure reported of each
///   stage, never their sum, because an aggregate report ("more than $200 million announced") may include those very
///   pledges, and a figure of one stage ("less than $150 million disbursed") does not take back another's. Money
///   disbursed was raised, so a disbursed figure counts too. An upper bound ("less than", "at most", "up to") says
///   how much at most, not how much at least: it measures the goal only where no other figure, nor money pledged by
///   members, does (then, as before 2026-12-07, at its stated value). DisbursedFraction is the larger of the money members disbursed and the latest
///   figure reported disbursed that is not an upper bound, over the target.
/// - quantity target: (latest figure in the target's unit - baseline) / (target - baseline), a reduction (baseline above
///   the target) alike; unknown when no figure is in that unit (a target revised to a unit nothing has been counted in).
/// - no target: 1 when achieved, otherwise unknown (null).
/// A lower-bound figure ("more than") counts at its stated value. Fractions are not capped: 1.2 is 20% beyond.
/// </summary>
public static class ProgressRule
{
    /// <param name="latestInUnit">The latest figure in the target's unit (for a quantity target).</param>
    /// <param name="latestMoneyByStage">The latest money figure of each stage reported (for a money target).</param>
    /// <param name="byStage">
    /// Today's rule; false for the rules before 2026-12-07 (shape 5), which measured on the latest money figure alone (the
    /// first given), whatever its bound, and counted only members' disbursements.
    /// </param>
    public static ProgressMeasure Measure(Target? target, bool achieved, MoneyByStage money, LatestReport? latestInUnit,
        IEnumerable<LatestReport> latestMoneyByStage, string ledgerCurrency, bool byStage = true)
    {
        // Money counted in another currency than the target's measures nothing of it: on a past day as effective, before
        // the target's currency changed (money dated then, recorded after the change, is counted in today's).
        if (target is { IsMoney: true } other && other.Currency != ledgerCurrency) return new ProgressMeasure(null, "none", null);
        if (target is { IsMoney: true, Amount: > 0 } moneyTarget)
        {
            // Nothing pledged and no figure reported measures nothing, as for any other kind: no fraction, where until
            // 2026-12-07 it was 0 with basis "none", and sorted among the measured. A figure reported as 0 is a measure.
            var reports = latestMoneyByStage.Where(r => r.LedgerFigure is not null).ToList();
            if (reports.Count == 0 && money.Pledged == 0) return new ProgressMeasure(null, "none", null);
            var atLeast = reports.Where(r => !r.IsUpperBound).ToList();
            // The rules before shape 5 measured on the latest figure, a ceiling too, beside the pledges; today a ceiling
            // measures only where nothing else does, members' pledges included.
            var measuring = byStage ? MeasuringFigure(reports) : reports.FirstOrDefault();
            var counts = measuring is not null && (!byStage || !measuring.IsUpperBound || money.Pledged == 0);
            var reported = counts ? measuring!.LedgerFigure!.Value : 0m;
            var (raised, basis) = counts && (reported > money.Pledged || money.Pledged == 0)
                ? (reported, "reported")
                : (money.Pledged, "pledged");
            var disbursed = byStage
                ? atLeast.Where(r => r.Stage == FigureStage.Disbursed).Select(r => r.LedgerFigure!.Value).Append(money.Disbursed).Max()
                : money.Disbursed;
            return new ProgressMeasure(Ratio(raised, moneyTarget.Amount), basis, Ratio(disbursed, moneyTarget.Amount));
        }

        if (target is { IsMoney: false } quantity)
        {
            var baseline = quantity.Baseline ?? 0m;
            // A reduction ("from 200 camps to 100") has its baseline above the target: the span is negative, and a
            // figure falling towards the target counts up all the same.
            var span = quantity.Amount - baseline;
            // Only a figure in the target's unit measures it: a target revised from camps to sites is not measured by the
            // last count of camps.
            return latestInUnit is null || span == 0 || !latestInUnit.CountsIn(quantity.Unit)
                ? new ProgressMeasure(null, "none", null)
                : new ProgressMeasure(Ratio(latestInUnit.Figure - baseline, span), "reported", null);
        }

        return achieved
            ? new ProgressMeasure(1m, "status", null)
            : new ProgressMeasure(null, "none", null);
    }

    /// <summary>
    /// The reported money figure a money target is measured on, where reports measure it: the largest of the latest of
    /// each stage that is not a ceiling, else the latest figure (the first given). The latest report may be another.
    /// </summary>
    public static LatestReport? MeasuringFigure(IEnumerable<LatestReport> latestMoneyByStage)
    {
        var reports = latestMoneyByStage.Where(r => r.LedgerFigure is not null).ToList();
        return reports.Where(r => !r.IsUpperBound).MaxBy(r => r.LedgerFigure) ?? reports.FirstOrDefault();
    }

    /// <summary>Progress beyond a million times the target (a tiny target, a typo) is reported as that bound.</summary>
    private const decimal MaxRatio = 1_000_000m;

    // Inputs are bounded (at most 10^15), so whole * MaxRatio cannot overflow, and a quotient that would is capped.
    private static decimal Ratio(decimal part, decimal whole) => Math.Abs(part) >= Math.Abs(whole) * MaxRatio
        ? Math.Sign(part) * Math.Sign(whole) * MaxRatio
        : Math.Round(part / whole, 4, MidpointRounding.ToEven);
}
