using JasperFx.Events;
using Marten;
using Npgsql;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Wolverine.Http;

namespace Tracker.Api.Audit;

public sealed record FeedEvent(long Sequence, Guid StreamId, int Version, string Type, DateTimeOffset RecordedAt,
    string? Actor, string? CorrelationId, object Data);

/// <summary>
/// A page of the store's events in sequence order, up to the high-water mark; pass Next as "after" for the next page.
/// Checkpoints lists the signed checkpoints that end within the page, so a reader who keeps the feed keeps the proof of
/// it too.
/// </summary>
public sealed record EventFeedPage(IReadOnlyList<FeedEvent> Events, long After, long Next, long HighWaterMark,
    IReadOnlyList<Checkpoints.Checkpoint> Checkpoints);

public static class EventFeedEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    [WolverineGet("/api/audit/events", Name = "GetEventFeed")]
    [EndpointSummary("Every event in the store, in order, a page at a time")]
    [Tags("Audit")]
    [ProducesResponseType<EventFeedPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> Get(IQuerySession session, NpgsqlDataSource database, Checkpoints.LogCheckpoints checkpoints,
        long? after, int? limit, CancellationToken token)
    {
        var from = after ?? 0;
        var size = limit ?? DefaultLimit;
        var errors = new Dictionary<string, string[]>();
        if (from < 0) errors["after"] = ["after is a sequence number, 0 or more."];
        if (size is < 1 or > MaxLimit) errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        if (errors.Count > 0) return QueryProblems.Invalid(errors);

        // Only events up to Marten's high-water mark: a write numbers its events before it commits, so above the mark an
        // event may still appear below one already there, and a reader who had paged past it would never see it. Below
        // it every number is in the log or was given up (until 2026-12-06 the feed served everything committed, and its
        // highWaterMark was the last number handed out, in-flight ones included).
        long highWaterMark;
        await using (var mark = database.CreateCommand(
                         $"select coalesce((select last_seq_id from {TrackerDatabase.Schema}.mt_event_progression where name = 'HighWaterMark'), 0)"))
        {
            highWaterMark = (long)(await mark.ExecuteScalarAsync(token))!;
        }
        // A cursor past the mark is none the feed gave (the mark only rises): paging from it would skip every event up to it.
        if (from > highWaterMark)
        {
            return QueryProblems.Invalid(new Dictionary<string, string[]>
            {
                ["after"] = [$"after ({from}) is past the high-water mark ({highWaterMark}): no feed page gave it, and paging from it would " +
                             $"skip the events up to it. Page from at most {highWaterMark} (a cursor kept from a log since emptied or restored is no longer valid)."]
            });
        }
        // Marten's tombstones fill the sequence numbers of failed appends: no fact, so not in the feed (the cursor
        // still moves past them).
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > from && e.Sequence <= highWaterMark && e.EventTypeName != "tombstone")
            .OrderBy(e => e.Sequence)
            .Take(size)
            .ToListAsync(token);
        // A page short of the limit holds every event up to the mark: the next starts after the mark.
        var next = events.Count == size ? events[^1].Sequence : Math.Max(from, highWaterMark);

        return Results.Ok(new EventFeedPage(
            events.Select(e => new FeedEvent(e.Sequence, e.StreamId, (int)e.Version, EventNames.Of(e.Data), e.Timestamp,
                e.UserName, e.CorrelationId, e.Data)).ToList(),
            from,
            next,
            highWaterMark,
            await checkpoints.Ending(from, next, token)));
    }
}
