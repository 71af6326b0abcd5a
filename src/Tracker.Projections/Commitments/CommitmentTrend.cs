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

        var wanted = Sampled(dates).ToList();
        return InOneFold(id, events, wanted) ?? wanted
            .Select(on => (On: on, State: CommitmentReplay.Fold(id, events, CommitmentReplay.EffectiveOn(on, events))))
            .Where(p => p.State is not null)
            .Select(p => Point(p.On, p.State!))
            .ToList();
    }

    private static TrendPoint Point(DateOnly on, CommitmentProgress state) => new(on, state.Progress.Fraction, state.Money,
        state.LatestReport is { } r ? r.LedgerFigure ?? r.Figure : null, state.Status);

    /// <summary>
    /// The usual case, facts recorded in the order of their dates and none corrected: the state on each date is a prefix
    /// of the stream, so one fold gives every point. Null otherwise (then each date is folded on its own).
    /// </summary>
    private static List<TrendPoint>? InOneFold(Guid id, IReadOnlyList<IEvent> events, IReadOnlyList<DateOnly> wanted)
    {
        var dates = events.Select(e => EffectiveDate.Of(e.Data, DateOnly.FromDateTime(e.Timestamp.UtcDateTime))).ToList();
        for (var i = 0; i < dates.Count; i++)
        {
            if (dates[i] is null || (i > 0 && dates[i] < dates[i - 1])) return null;
        }

        var want = wanted.ToHashSet();
        var points = new List<TrendPoint>();
        Commitment? state = null;
        IEvent? last = null;
        for (var i = 0; i < events.Count; i++)
        {
            if (CommitmentReplay.Step(state, id, events[i]) is { } next)
            {
                state = next;
                last = events[i];
            }
            var on = dates[i]!.Value;
            var endOfDate = i == events.Count - 1 || dates[i + 1] != on;
            if (endOfDate && state is not null && want.Contains(on))
            {
                points.Add(Point(on, CommitmentProgress.From(state, Timestamps.AsStored(last!.Timestamp), last.Sequence)));
            }
        }
        return points;
    }

    private static IEnumerable<DateOnly> Sampled(IReadOnlyList<DateOnly> dates)
    {
        if (dates.Count <= MaxPoints) return dates;
        var step = (dates.Count - 1) / (double)(MaxPoints - 1);
        return Enumerable.Range(0, MaxPoints).Select(i => dates[(int)Math.Round(i * step)]).Distinct();
    }
}
