using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events.Projections;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments.Timeline;

/// <summary>
/// Keeps each commitment's effective timeline (<see cref="TimelineDays"/>): one row per day on which a fact took effect,
/// with the figures the trend and the dashboard in the past read, and the whole model on keyframe days. Asynchronous, so a
/// write never pays for it. A fact that takes effect on or after the timeline's last day continues from that day's model;
/// a fact recorded late (or a retraction) refolds from the last keyframe before its date, so it recomputes only the days
/// that follow it, plus fewer than <see cref="TimelineDays.KeyframeEvery"/> facts before it.
/// </summary>
public sealed class EffectiveTimelineProjection : IProjection
{
    public const string ProjectionName = "EffectiveTimeline";

    private readonly LastDayModels _lastDays = new();

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var session = (IQuerySession)operations;
        var days = new TimelineDays(session);
        var streams = events.Where(e => e.Data.GetType().Namespace == typeof(CommitmentStated).Namespace)
            .GroupBy(e => e.StreamId)
            .Select(stream => stream.OrderBy(e => e.Version).ToList())
            .ToList();
        var continuing = streams.Where(s => s[0].Version > 1).Select(s => s[0].StreamId).ToArray();
        var heads = continuing.Length == 0 ? [] : await days.Heads(continuing, _lastDays, cancellation);
        foreach (var stream in streams)
        {
            var unapplied = new List<(IEvent Event, Exception Error)>();
            await Apply(days, session, stream[0].StreamId, stream, heads.GetValueOrDefault(stream[0].StreamId), unapplied, cancellation);
            // A fact of this page that cannot be applied is named, so the daemon records it as a dead letter and takes the
            // page again without it. One read again from the stream (a gap, a refold) was named on its own page, and
            // every fold leaves it out alike.
            if (unapplied.FirstOrDefault(u => stream.Any(e => e.Sequence == u.Event.Sequence)) is { Event: not null } poison)
            {
                throw new ApplyEventException(poison.Event, poison.Error);
            }
        }
        days.Flush(operations);
        days.Remember(_lastDays, streams.ToDictionary(s => s[0].StreamId, s => s[^1].Id));
    }

    private static async Task Apply(TimelineDays days, IQuerySession session, Guid id, IReadOnlyList<IEvent> added,
        TimelineDays.HeadDay? head, List<(IEvent Event, Exception Error)> unapplied, CancellationToken token)
    {
        var through = (int)added[^1].Version;
        // A day counts at least one fact; none is a timeline kept before facts had rows of their own, not yet filled at
        // start (TimelineFactsBackfill): folded whole, which writes its facts. (So is one whose keyframe was kept by older
        // rules: TimelineDays.Heads gives it no model.)
        if (head?.Model is null || head.Facts == 0)
        {
            // The statement itself (a new commitment, or a rebuild from the start), or a stream the timeline has not
            // seen: the whole stream, folded once.
            var all = added[0].Version == 1 ? added : await ReadableEvents.Of(session, id, 1, through, token);
            days.Replace(id, null, EffectiveOrder.AllDays(id, all, unapplied), 0, through);
            return;
        }
        // Events the timeline has already taken in (a replayed range) are skipped; a gap before the first new one (a
        // range the daemon skipped) is read from the stream, so a day never lacks a fact.
        added = added.Where(e => e.Version > head.ThroughVersion).ToList();
        if (added.Count == 0) return;
        if (added[0].Version > head.ThroughVersion + 1)
        {
            added = await ReadableEvents.Of(session, id, head.ThroughVersion + 1, through, token);
        }

        var statedOn = head.Model.StatedOn;
        var facts = added.Where(e => EffectiveOrder.RetractedVersion(e.Data) is null).ToList();
        var retracted = added.Select(e => EffectiveOrder.RetractedVersion(e.Data)).OfType<int>().ToHashSet();
        var earliest = facts.Select(e => EffectiveOrder.DateOf(e, statedOn)).DefaultIfEmpty(head.On).Min();

        if (retracted.Count == 0 && earliest >= head.On)
        {
            // The usual case: facts in the order of their dates continue from the last day's model.
            List<TimelineDay> next;
            try
            {
                next = EffectiveOrder.Days(id, head.Model, EffectiveOrder.Ordered(facts, statedOn), unapplied).ToList();
            }
            catch (PledgesNotInHandException)
            {
                await FoldWholeStream(days, session, id, through, unapplied, token);
                return;
            }
            // The last day, with only the facts added to it (it keeps those it held), leads.
            if (next.Count == 0 || next[0].On != head.On) next.Insert(0, new TimelineDay(head.On, [], head.Model));
            days.Continue(head, next, through);
            return;
        }

        foreach (var version in retracted)
        {
            if (await days.DayOf(id, version, token) is { } on && on < earliest) earliest = on;
        }
        // A keyframe where the count of facts restarts (not the last day's, which only stands in until the next day), so
        // the days refolded from it keep the keyframes a fold from the statement would place.
        var keyframe = await days.KeyframeBefore(id, earliest, token);
        // (A keyframe kept by older rules would carry them on into the days refolded from it.)
        if (keyframe is null || keyframe.Progress.Shape < CommitmentProgress.CurrentShape)
        {
            await FoldWholeStream(days, session, id, through, unapplied, token);
            return;
        }

        // The facts after the keyframe that still stand, and the new ones, folded again in effective order; and the
        // deadline passings, which have no fact row while they do not hold by the dates (those dated on or before the
        // keyframe's day are in it, or held out of it by facts this change does not reach). (A passing is no fact a
        // retraction can name.)
        var addedNow = facts.Select(e => (int)e.Version).ToHashSet();
        var kept = (await days.VersionsToRefoldAfter(id, keyframe.On, through, token))
            .Where(v => !retracted.Contains(v) && !addedNow.Contains(v)).Select(v => (long)v).ToArray();
        var earlier = kept.Length == 0
            ? []
            : (await ReadableEvents.At(session, id, kept, token))
                .Where(e => e.Data is not DeadlinePassed || EffectiveOrder.DateOf(e, statedOn) > keyframe.On);
        try
        {
            var refolded = EffectiveOrder.Days(id, keyframe.Progress,
                EffectiveOrder.Ordered(earlier.Concat(facts.Where(e => !retracted.Contains((int)e.Version))), statedOn), unapplied).ToList();
            days.Replace(id, keyframe.On.AddDays(1), refolded, 0, through);
        }
        catch (PledgesNotInHandException)
        {
            await FoldWholeStream(days, session, id, through, unapplied, token);
        }
    }

    /// <summary>
    /// The whole stream folded from the statement, every pledge in hand: a keyframe keeps the pledges' totals only, which
    /// a fact stored before facts carried their amounts cannot be folded onto.
    /// </summary>
    private static async Task FoldWholeStream(TimelineDays days, IQuerySession session, Guid id, int through,
        List<(IEvent Event, Exception Error)> unapplied, CancellationToken token)
    {
        var all = await ReadableEvents.Of(session, id, 1, through, token);
        days.Replace(id, null, EffectiveOrder.AllDays(id, all, unapplied), 0, through);
    }
}
