using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>
/// Where a commitment stood on one date: its progress, money by stage (in the ledger currency) and the reported figure a
/// chart draws (<see cref="CommitmentProgress.ChartedReport"/>) with its unit (a count's unit, or the currency: the
/// ledger's when the figure was converted to it).
/// </summary>
public sealed record TrendPoint(DateOnly On, decimal? Fraction, MoneyByStage Money, decimal? Reported, CommitmentStatus Status,
    string? ReportedUnit = null)
{
    public static TrendPoint Of(DateOnly on, CommitmentProgress state) =>
        state.ChartedReport?.Charted(state.LedgerCurrency) is var (figure, unit)
            ? new(on, state.Progress.Fraction, state.Money, figure, state.Status, unit)
            : new(on, state.Progress.Fraction, state.Money, null, state.Status);
}

/// <summary>
/// Progress over time, by the dates facts refer to (not the day they were typed in): one point for each date on which
/// something took effect (the days of the effective timeline). Long histories are sampled to <see cref="MaxPoints"/>
/// dates, always keeping the first and the last.
/// </summary>
public static class CommitmentTrend
{
    public const int MaxPoints = 120;

    public static IReadOnlyList<TrendPoint> Sampled(IReadOnlyList<TrendPoint> points)
    {
        if (points.Count <= MaxPoints) return points;
        var step = (points.Count - 1) / (double)(MaxPoints - 1);
        return Enumerable.Range(0, MaxPoints).Select(i => (int)Math.Round(i * step)).Distinct().Select(i => points[i]).ToList();
    }
}
