using Tracker.Domain;
using JasperFx.Events;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments.Timeline;

/// <summary>A commitment as it stood at the end of a day, by everything known now, and the facts that took effect that day.</summary>
public sealed record TimelineDay(DateOnly On, IReadOnlyList<int> Versions, CommitmentProgress Progress);

/// <summary>
/// A commitment by the dates its facts took effect, not the order they were recorded in: the facts still standing (a
/// retraction takes its fact out of every effective view, and is itself no fact) in order of effective date, then of
/// version. Nothing takes effect before the commitment was stated: an earlier fact (members' pledges announced before
/// the communiqué that counts them) counts from the statement. One definition for the stored timeline, the fold that
/// checks it and the replay a read falls back to while the timeline catches up.
/// </summary>
public static class EffectiveOrder
{
    /// <summary>The version of the fact an event takes back; null for a fact.</summary>
    public static int? RetractedVersion(object data) => data switch
    {
        EventCorrected c => c.CorrectedVersion,
        IRetraction r => r.RetractedVersion,
        _ => null
    };

    /// <summary>The facts of a stream still standing: neither retractions nor retracted.</summary>
    public static IEnumerable<IEvent> Standing(IReadOnlyCollection<IEvent> events)
    {
        var retracted = events.Select(e => RetractedVersion(e.Data)).OfType<int>().ToHashSet();
        return events.Where(e => RetractedVersion(e.Data) is null && !retracted.Contains((int)e.Version));
    }

    /// <summary>The day a fact takes effect in the commitment's timeline.</summary>
    public static DateOnly DateOf(IEvent e, DateOnly statedOn)
    {
        var recordedOn = DateOnly.FromDateTime(e.Timestamp.UtcDateTime);
        var on = DamagedEventException.Guard(e, () => TrackedEvents.EffectiveOn(e.Data, recordedOn)) ?? recordedOn;
        return on < statedOn ? statedOn : on;
    }

    /// <summary>Facts in effective order (the statement, version 1, always first).</summary>
    public static IEnumerable<IEvent> Ordered(IEnumerable<IEvent> facts, DateOnly statedOn) =>
        facts.OrderBy(e => DateOf(e, statedOn)).ThenBy(e => e.Version);

    /// <summary>
    /// The days that facts in effective order make, each with the model at its end, starting from the model at the end of
    /// an earlier day (null: from the statement, which must then be among the facts).
    /// </summary>
    /// <param name="unapplied">
    /// Where a fact that cannot be applied (written by a bug or by hand) goes, with why: it is left out of every day, by
    /// every fold alike (the daemon's, a read's, a verification's), and the daemon records it as a dead letter.
    /// </param>
    /// <exception cref="PledgesNotInHandException">
    /// The start keeps the pledges' totals only (a stored keyframe) and a fact stored before facts carried their amounts
    /// needs a pledge in hand: the caller folds the whole stream instead.
    /// </exception>
    public static IEnumerable<TimelineDay> Days(Guid id, CommitmentProgress? start, IEnumerable<IEvent> ordered,
        ICollection<(IEvent Event, Exception Error)>? unapplied = null)
    {
        // The model is summarised once a day, at the day's end: each fact steps only the parts it changes.
        var (model, parts, changedAt) = (start, start?.Parts ?? default, start?.LastChangedAt ?? default);
        var totalsOnly = start is { State: { Pledges.Count: 0 } state } && state.PledgeSums.Count > 0;
        DateOnly? day = null;
        var dayStart = (model, parts, changedAt);
        var facts = new List<IEvent>();
        var versions = new List<int>();
        foreach (var e in ordered)
        {
            if ((model?.StatedOn ?? (e.Data as CommitmentStated)?.StatedOn) is not { } statedOn) continue;
            var on = DateOf(e, statedOn);
            // A passing that does not hold by the dates is no fact of the past as effective (below).
            if (e.Data is DeadlinePassed passed && model is not null && !HoldsByTheDates(passed, parts.State, on)) continue;
            // Facts come in date order: one dated later closes the day before it.
            if (day is { } current && on != current && facts.Count > 0)
            {
                var closed = Closed(id, current, dayStart, facts, versions, (model!, parts, changedAt), unapplied);
                if (closed.Day is not null) yield return closed.Day;
                (model, parts, changedAt) = closed.End;
                (dayStart, facts, versions) = ((model, parts, changedAt), [], []);
                if ((model?.StatedOn ?? (e.Data as CommitmentStated)?.StatedOn) is null) continue;
            }
            if (totalsOnly && parts.State.PledgeNeeded(e.Data) is not null) throw new PledgesNotInHandException(id, e);
            (CommitmentProgress Model, ProgressParts Parts) next;
            try
            {
                next = Step(model, parts, id, e);
            }
            catch (Exception ex)
            {
                unapplied?.Add((e, ex));
                continue;
            }
            day = on;
            (model, parts, changedAt) = (next.Model, next.Parts, Timestamps.AsStored(e.Timestamp));
            facts.Add(e);
            versions.Add((int)e.Version);
        }
        if (day is { } last && facts.Count > 0 &&
            Closed(id, last, dayStart, facts, versions, (model!, parts, changedAt), unapplied).Day is { } lastDay)
        {
            yield return lastDay;
        }
    }

    /// <summary>
    /// Whether a deadline's recorded passing holds by the dates, in effective order: the deadline it passed is the one in
    /// force, and the commitment was neither achieved nor withdrawn by then. One that does not (an achievement dated before
    /// it but recorded after it, a later deadline in force by then, the passed deadline's revision retracted) stays in the
    /// log and in the past as recorded, as what the tracker said before it knew; in the past as effective, where overdue
    /// is decided from the dates (<see cref="EffectiveOverdue"/>), it changes nothing, so it is no change: not the
    /// commitment's last change, version or trend point (until 2026-12-06 it was all three).
    /// </summary>
    private static bool HoldsByTheDates(DeadlinePassed passed, CommitmentState state, DateOnly on) =>
        state.DeadlineOn(on)?.DueBy == passed.DueBy &&
        state.Status is not (CommitmentStatus.Achieved or CommitmentStatus.AchievedLate or CommitmentStatus.Withdrawn);

    /// <summary>
    /// A day's model, summarised from the parts its facts stepped. A fact the model cannot be summarised with (written by
    /// a bug or by hand, say a deadline past the calendar's end) is found by folding the day again one fact at a time,
    /// each summarised, and is left out with why, as a fact whose step fails is: the day and what follows are as if it
    /// had never been recorded. Null when no fact of the day stands.
    /// </summary>
    private static (TimelineDay? Day, (CommitmentProgress? Model, ProgressParts Parts, DateTimeOffset ChangedAt) End) Closed(
        Guid id, DateOnly on, (CommitmentProgress? Model, ProgressParts Parts, DateTimeOffset ChangedAt) start,
        IReadOnlyList<IEvent> facts, List<int> versions, (CommitmentProgress Model, ProgressParts Parts, DateTimeOffset ChangedAt) end,
        ICollection<(IEvent Event, Exception Error)>? unapplied)
    {
        try
        {
            return (new TimelineDay(on, versions, end.Model.With(end.Parts, end.ChangedAt)), end);
        }
        catch (Exception)
        {
            var (model, parts, changedAt) = start;
            var kept = new List<int>();
            CommitmentProgress? summary = null;
            foreach (var e in facts)
            {
                try
                {
                    var next = Step(model, parts, id, e);
                    var at = Timestamps.AsStored(e.Timestamp);
                    summary = next.Model.With(next.Parts, at);
                    (model, parts, changedAt) = (next.Model, next.Parts, at);
                    kept.Add((int)e.Version);
                }
                catch (Exception ex)
                {
                    unapplied?.Add((e, ex));
                }
            }
            return (summary is null ? null : new TimelineDay(on, kept, summary), (model, parts, changedAt));
        }
    }

    /// <summary>The commitment on a date by everything recorded (the definition the stored timeline keeps).</summary>
    public static CommitmentProgress? On(Guid id, IReadOnlyCollection<IEvent> events, DateOnly date)
    {
        var facts = Standing(events).ToList();
        if (facts.FirstOrDefault(e => e.Data is CommitmentStated)?.Data is not CommitmentStated stated) return null;
        return Days(id, null, Ordered(facts, stated.StatedOn)).LastOrDefault(d => d.On <= date)?.Progress;
    }

    /// <summary>Every day of a commitment's timeline (what the trend reads when the stored timeline is behind).</summary>
    public static IReadOnlyList<TimelineDay> AllDays(Guid id, IReadOnlyCollection<IEvent> events,
        ICollection<(IEvent Event, Exception Error)>? unapplied = null)
    {
        var facts = Standing(events).ToList();
        return facts.FirstOrDefault(e => e.Data is CommitmentStated)?.Data is CommitmentStated stated
            ? Days(id, null, Ordered(facts, stated.StatedOn), unapplied).ToList()
            : [];
    }

    /// <summary>
    /// The parts after one more fact, with the fact's own version (the order is not the log's), beside the model they
    /// belong to (the statement's, or the start).
    /// </summary>
    private static (CommitmentProgress Model, ProgressParts Parts) Step(CommitmentProgress? model, ProgressParts parts, Guid id, IEvent e)
    {
        if (e.Data is CommitmentStated stated)
        {
            var started = CommitmentProgress.Started(id, stated, Timestamps.AsStored(e.Timestamp));
            return (started, started.Parts);
        }
        return (model!, parts.Applied(parts.State.After(e.Data, (int)e.Version, CommitmentProgressProjection.RecordedOn(e)), e.Data));
    }
}

/// <summary>
/// A fact stored before facts carried their amounts (a revision or retraction of a pledge) met a model that keeps the
/// pledges' totals only: the fold must start from the statement, with every pledge in hand.
/// </summary>
public sealed class PledgesNotInHandException(Guid id, IEvent e)
    : Exception($"Version {e.Version} of stream {id} needs its pledge in hand; fold the stream from the statement.");
