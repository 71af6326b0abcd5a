using JasperFx.Events;
using Marten;
using Tracker.Api.Infrastructure.Validation;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Timeline;

namespace Tracker.Api.Audit;

/// <summary>
/// The two kinds of past, kept apart. As recorded: what the tracker showed at an instant (or at a stream version),
/// from the events recorded by then. As effective: the state on a date by everything known now, from the events that
/// refer to that date or earlier, so a pledge recorded late counts from the day it was announced.
/// </summary>
public sealed record TimeTravel(DateTimeOffset? RecordedAsOf, int? Version, DateOnly? EffectiveAsOf)
{
    // Any offset names the same instant; PostgreSQL's timestamptz parameters take it in UTC.
    public DateTimeOffset? RecordedAsOf { get; } = RecordedAsOf?.ToUniversalTime();

    public const string ViewHeader = "X-Tracker-View";

    public bool IsPresent => RecordedAsOf is null && Version is null && EffectiveAsOf is null;

    public Dictionary<string, string[]> Errors(bool versionAllowed = true)
    {
        var errors = new Dictionary<string, string[]>();
        var given = new object?[] { RecordedAsOf, Version, EffectiveAsOf }.Count(v => v is not null);
        if (given > 1) errors["recordedAsOf"] = ["Give one of recordedAsOf, version or effectiveAsOf, not several."];
        if (Version is < 1) errors["version"] = ["version starts at 1."];
        if (Version is not null && !versionAllowed) errors["version"] = ["version applies to one commitment, not the dashboard."];
        if (RecordedAsOf is { } at && InputBounds.DateProblem(DateOnly.FromDateTime(at.UtcDateTime)) is { } late)
            errors["recordedAsOf"] = [$"recordedAsOf {late}"];
        if (EffectiveAsOf is { } on && InputBounds.DateProblem(on) is { } far) errors["effectiveAsOf"] = [$"effectiveAsOf {far}"];
        return errors;
    }

    /// <summary>Says in a response header which past a body shows.</summary>
    public string Describe() => this switch
    {
        { RecordedAsOf: { } at } => $"as-recorded; at={at:O}",
        { Version: { } v } => $"as-recorded; version={v}",
        { EffectiveAsOf: { } on } => $"as-effective; on={on:yyyy-MM-dd}",
        _ => "current"
    };

    /// <summary>The day the view is about, for "overdue" and "due within 90 days".</summary>
    public DateOnly Day(DateOnly today) => RecordedAsOf is { } at ? DateOnly.FromDateTime(at.UtcDateTime) : EffectiveAsOf ?? today;

    /// <summary>
    /// One commitment in this past; null when it did not exist yet. As recorded: the nearest checkpoint at or before the
    /// wanted version (writes keep one every ProgressCheckpoint.Interval versions) and the events after it, so a read of
    /// any version costs one lookup and fewer than an interval of events, and writes nothing. As effective: the
    /// commitment's effective timeline, a keyframe and fewer than TimelineDays.KeyframeEvery facts (see TimelineDays).
    /// </summary>
    public async Task<CommitmentProgress?> Commitment(IQuerySession session, Guid id, CancellationToken token)
    {
        if (EffectiveAsOf is { } on) return await new TimelineDays(session).ModelOn(id, on, token);

        var target = Version ?? await LastVersionRecordedBy(session, id, RecordedAsOf!.Value, token);
        return target == 0 ? null : await CommitmentProgressProjection.AtVersion(session, id, target, token);
    }

    private static async Task<int> LastVersionRecordedBy(IQuerySession session, Guid id, DateTimeOffset at, CancellationToken token)
    {
        var last = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == id && e.Timestamp <= at)
            .OrderByDescending(e => e.Version)
            .FirstOrDefaultAsync(token);
        return (int)(last?.Version ?? 0);
    }

    /// <summary>
    /// Every commitment in this past. Reads the events once, in order, and folds each stream: the cost grows with the
    /// number of events recorded up to the instant (as recorded) or in the store (as effective).
    /// </summary>
    public async Task<IReadOnlyList<CommitmentProgress>> AllCommitments(IQuerySession session, CancellationToken token)
    {
        IQueryable<IEvent> query = session.Events.QueryAllRawEvents();
        if (RecordedAsOf is { } at) query = query.Where(e => e.Timestamp <= at);
        var events = await query.OrderBy(e => e.Sequence).ToListAsync(token);

        return events
            .GroupBy(e => e.StreamId)
            .Where(stream => stream.First().Data is CommitmentStated)
            .Select(stream =>
            {
                var list = stream.ToList();
                return EffectiveAsOf is { } on
                    ? CommitmentReplay.Fold(stream.Key, list, CommitmentReplay.EffectiveOn(on, list))
                    : CommitmentReplay.Fold(stream.Key, list);
            })
            .OfType<CommitmentProgress>()
            .ToList();
    }
}
