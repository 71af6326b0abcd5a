using System.ComponentModel.DataAnnotations;
using System.ComponentModel;
using JasperFx.Events;
using Marten;
using Npgsql;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Wolverine.Http;

namespace Tracker.Api.Audit;

/// <summary>
/// One event of the feed. StreamKey is the key of the commitment or document whose stream it is (a stream's id is
/// derived from its key and cannot be read back); EffectiveOn the day the fact took effect, as the history says it
/// (none for a retraction). Both since 2026-12-07.
/// </summary>
public sealed record FeedEvent(long Sequence, Guid StreamId, int Version, string Type, DateTimeOffset RecordedAt,
    string? Actor, string? CorrelationId, object Data, string? CausationId = null, string? StreamKey = null, DateOnly? EffectiveOn = null);

/// <summary>
/// A page of the store's events in sequence order, up to the high-water mark; pass Next as "after" for the next page.
/// Checkpoints lists the signed checkpoints that end within the page, so a reader who keeps the feed keeps the proof of
/// it too. WaitingSince is when the first event above the mark was recorded (null when none is): events recorded since
/// then wait for the mark to pass them, which takes about a second; minutes mean the feed has stalled (no node runs the
/// asynchronous projections), which a reader could not otherwise tell from a quiet log.
/// </summary>
public sealed record EventFeedPage(IReadOnlyList<FeedEvent> Events, long After, long Next, long HighWaterMark,
    IReadOnlyList<Checkpoints.Checkpoint> Checkpoints, DateTimeOffset? WaitingSince = null);

public static class EventFeedEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    [WolverineGet("/api/audit/events", Name = "GetEventFeed")]
    [EndpointSummary("Every event in the store, in order, a page at a time")]
    [Tags("Audit")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<EventFeedPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static async Task<IResult> Get(IQuerySession session, NpgsqlDataSource database, Checkpoints.LogCheckpoints checkpoints,
        [Range(typeof(long), "0", "9223372036854775807"), DefaultValue(0L)] long? after, [Range(1, MaxLimit), DefaultValue(DefaultLimit)] int? limit, HttpContext http, CancellationToken token)
    {
        var from = after ?? 0;
        var size = limit ?? DefaultLimit;
        if (LogMark.InvalidPage(from, size, MaxLimit) is { } invalid) return invalid;

        if (await LogMark.Read(database, token) is not { } mark) return LogMark.NotReady(http);
        var (highWaterMark, waitingSince) = mark;
        if (LogMark.PastIt(from, highWaterMark) is { } past) return past;
        // Marten's tombstones fill the sequence numbers of failed appends: no fact, so not in the feed (the cursor
        // still moves past them).
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > from && e.Sequence <= highWaterMark && e.EventTypeName != "tombstone")
            .OrderBy(e => e.Sequence)
            .Take(size)
            .ToListAsync(token);
        // A page short of the limit holds every event up to the mark: the next starts after the mark.
        var next = events.Count == size ? events[^1].Sequence : Math.Max(from, highWaterMark);
        var keys = await StreamKeys(database, events.Select(e => e.StreamId).Distinct().ToArray(), token);

        return Results.Ok(new EventFeedPage(
            events.Select(e => new FeedEvent(e.Sequence, e.StreamId, (int)e.Version, EventNames.Of(e.Data), e.Timestamp,
                e.UserName, e.CorrelationId, e.Data, e.CausationId, keys.GetValueOrDefault(e.StreamId),
                TrackedEvents.EffectiveOn(e.Data, DateOnly.FromDateTime(e.Timestamp.UtcDateTime)))).ToList(),
            from,
            next,
            highWaterMark,
            await checkpoints.Ending(from, next, token),
            waitingSince));
    }

    /// <summary>
    /// The key each stream was started with, read from its first event (a commitment's statement, a document's
    /// registration): one lookup per stream of the page by the log's (stream, version) index.
    /// </summary>
    private static async Task<Dictionary<Guid, string>> StreamKeys(NpgsqlDataSource database, Guid[] streams, CancellationToken token)
    {
        var keys = new Dictionary<Guid, string>();
        if (streams.Length == 0) return keys;
        await using var command = database.CreateCommand(
            $"select stream_id, data ->> 'Key' from {TrackerDatabase.Schema}.mt_events where stream_id = any($1) and version = 1");
        command.Parameters.Add(new NpgsqlParameter { Value = streams });
        await using var row = await command.ExecuteReaderAsync(token);
        while (await row.ReadAsync(token))
        {
            if (!row.IsDBNull(1)) keys[row.GetGuid(0)] = row.GetString(1);
        }
        return keys;
    }
}

/// <summary>
/// Marten's high-water mark, up to which the audit reads of the log (the feed, the log as hashed) serve events: a write
/// numbers its events before it commits, so above the mark an event may still appear below one already there, and a
/// reader who had paged past it would never see it. Below it every number is in the log or was given up (until
/// 2026-12-06 the feed served everything committed, and its highWaterMark was the last number handed out, in-flight ones
/// included).
/// </summary>
public static class LogMark
{
    /// <summary>
    /// The mark, and when the first event above it was recorded (null when none is); null while the log has events and no
    /// mark yet (the node that keeps it has not yet run: a new database, or no node runs the asynchronous projections).
    /// </summary>
    public static async Task<(long HighWaterMark, DateTimeOffset? WaitingSince)?> Read(NpgsqlDataSource database, CancellationToken token)
    {
        // The first event above the mark, by the primary key's order: one probe however far behind the mark is.
        await using var mark = database.CreateCommand(
            $"select p.last_seq_id, (select e.timestamp from {TrackerDatabase.Schema}.mt_events e " +
            $"where e.seq_id > coalesce(p.last_seq_id, 0) order by e.seq_id limit 1) " +
            $"from (select 1) one left join {TrackerDatabase.Schema}.mt_event_progression p on p.name = 'HighWaterMark'");
        await using var row = await mark.ExecuteReaderAsync(token);
        await row.ReadAsync(token);
        if (row.IsDBNull(0) && !row.IsDBNull(1)) return null;
        return (row.IsDBNull(0) ? 0 : row.GetInt64(0), row.IsDBNull(1) ? null : row.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>Serving nothing would read as an empty log (until 2026-12-06 it did): 503, to retry.</summary>
    public static IResult NotReady(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "2";
        return Results.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Type = ProblemTypes.FeedNotReady,
            Title = "The event feed is not ready",
            Detail = "The log has events, but Marten's high-water mark, up to which the audit reads serve them, is not computed yet: " +
                     "the node that runs the asynchronous projections computes it within seconds of starting. Retry after the " +
                     "Retry-After delay; if this lasts, no node runs the projections."
        });
    }

    /// <summary>A page's cursor and size as the audit reads of the log take them, or the 400 naming what is wrong.</summary>
    public static IResult? InvalidPage(long after, int limit, int maxLimit)
    {
        var errors = new Dictionary<string, string[]>();
        if (after < 0) errors["after"] = ["after is a sequence number, 0 or more."];
        if (limit < 1 || limit > maxLimit) errors["limit"] = [$"limit must be between 1 and {maxLimit}."];
        return errors.Count > 0 ? QueryProblems.Invalid(errors) : null;
    }

    /// <summary>A cursor past the mark is none a page gave (the mark only rises): paging from it would skip every event up to it.</summary>
    public static IResult? PastIt(long after, long highWaterMark) => after <= highWaterMark ? null : QueryProblems.Invalid(new Dictionary<string, string[]>
    {
        ["after"] = [$"after ({after}) is past the high-water mark ({highWaterMark}): no page gave it, and paging from it would " +
                     $"skip the events up to it. Page from at most {highWaterMark} (a cursor kept from a log since emptied or restored is no longer valid)."]
    });
}
