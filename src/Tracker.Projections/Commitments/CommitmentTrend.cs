using JasperFx.Events;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>Where a commitment stood on one date: its progress, money by stage and latest reported figure.</summary>
public sealed record TrendPoint(DateOnly On, decimal? Fraction, MoneyByStage Money, decimal? Reported, CommitmentStatus Status);

/// <summary>
/// Progress over time, by the dates events refer to (not the day they were typed in): one point for each date on which
/// something took effect, each the commitment as it stood on that date by everything recorded. Long histories are
/// sampled to <see cref="MaxPoints"/> dates, always keeping the first and the last.
/// </summary>
public static class CommitmentTrend
{
    public const int MaxPoints = 120;

    public static IReadOnlyList<TrendPoint> Of(Guid id, IReadOnlyList<IEvent> events, DateOnly? until = null)
    {
        var dates = events
            .Select(e => EffectiveDate.Of(e.Data, DateOnly.FromDateTime(e.Timestamp.UtcDateTime)))
            .OfType<DateOnly>()
            .Where(d => until is null || d <= until)
            .Distinct()
            .Order()
            .ToList();

        return Sampled(dates)
            .Select(on => (On: on, State: CommitmentReplay.Fold(id, events, CommitmentReplay.EffectiveOn(on, events))))
            .Where(p => p.State is not null)
            .Select(p => new TrendPoint(p.On, p.State!.Progress.Fraction, p.State.Money,
                p.State.LatestReport is { } r ? r.LedgerFigure ?? r.Figure : null, p.State.Status))
            .ToList();
    }

    private static IEnumerable<DateOnly> Sampled(IReadOnlyList<DateOnly> dates)
    {
        if (dates.Count <= MaxPoints) return dates;
        var step = (dates.Count - 1) / (double)(MaxPoints - 1);
        return Enumerable.Range(0, MaxPoints).Select(i => dates[(int)Math.Round(i * step)]).Distinct();
    }
}
