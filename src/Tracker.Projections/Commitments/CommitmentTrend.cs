using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>Where a commitment stood on one date: its progress, money by stage and latest reported figure.</summary>
public sealed record TrendPoint(DateOnly On, decimal? Fraction, MoneyByStage Money, decimal? Reported, CommitmentStatus Status)
{
    public static TrendPoint Of(DateOnly on, CommitmentProgress state) => new(on, state.Progress.Fraction, state.Money,
        state.LatestReport is { } r ? r.LedgerFigure ?? r.Figure : null, state.Status);
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
