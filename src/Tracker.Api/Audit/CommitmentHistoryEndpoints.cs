using System.ComponentModel.DataAnnotations;
using System.ComponentModel;
using Tracker.Projections;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Tracker.Api.Commitments;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Wolverine.Http;

namespace Tracker.Api.Audit;

/// <summary>One event of a commitment's history, with who recorded it, when, why, and a line a person can read.</summary>
public sealed record HistoryEntry(int Version, long Sequence, string Type, DateTimeOffset RecordedAt, DateOnly? EffectiveOn,
    string? Actor, string? CorrelationId, string? Reason, string Summary, object Data, string? CausationId = null);

/// <summary>A value of the progress model an event changed.</summary>
public sealed record FieldChange(string Field, JsonElement? Before, JsonElement? After);

/// <summary>
/// What one event changed of the progress model, with the day it took effect and the piece of work it was part of, as the
/// history says them (until 2026-12-07 left out: a fact recorded late read as a change from the day it was recorded).
/// </summary>
public sealed record ChangelogEntry(int Version, string Type, DateTimeOffset RecordedAt, string? Actor, string Summary,
    IReadOnlyList<FieldChange> Changes, DateOnly? EffectiveOn = null, string? CorrelationId = null);

/// <summary>A window of a commitment's history: at most limit events after a version; next is the after of the next page.</summary>
public sealed record HistoryPage(IReadOnlyList<HistoryEntry> Items, int After, int Limit, int? Next);

public sealed record ChangelogPage(IReadOnlyList<ChangelogEntry> Items, int After, int Limit, int? Next);

public static class CommitmentHistoryEndpoints
{
    /// <summary>
    /// A commitment's events in order, a page at a time: the events after version "after" (0: from the start), at most
    /// "limit" (100 unless given, at most 500); "next" is the "after" of the next page, null on the last.
    /// </summary>
    [WolverineGet("/api/commitments/{key}/history", Name = "GetCommitmentHistory")]
    [EndpointSummary("A commitment's events, in order, a page at a time, with who, when, why and a readable summary")]
    [Tags("Audit")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<HistoryPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> History(string key, [Range(0, int.MaxValue), DefaultValue(0)] int? after, [Range(1, EventWindow.MaxLimit), DefaultValue(EventWindow.DefaultLimit)] int? limit, IQuerySession session, CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        var window = EventWindow.Parse(after, limit, errors);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);

        var id = StreamIds.ForCommitment(key);
        if (await Window.Read(session, id, window, token) is not { } read) return NoSuchCommitment.Problem(key);
        if (window.PastTheEnd(read.LastVersion) is { } pastTheEnd) return pastTheEnd;
        var entries = new List<HistoryEntry>();
        var progress = read.Start;
        foreach (var e in read.Events.Take(window.Limit))
        {
            var next = await Window.Step(progress, id, session, e, token);
            entries.Add(Entry(e, (progress ?? next)?.LedgerCurrency ?? Commitment.DefaultLedgerCurrency));
            progress = next;
        }
        return Results.Ok(new HistoryPage(entries, window.After, window.Limit, read.Next));
    }

    private static HistoryEntry Entry(IEvent e, string ledgerCurrency) => DamagedEventException.Guard(e, () => new HistoryEntry((int)e.Version, e.Sequence,
        EventNames.Of(e.Data), e.Timestamp, TrackedEvents.EffectiveOn(e.Data, DateOnly.FromDateTime(e.Timestamp.UtcDateTime)),
        e.UserName, e.CorrelationId, TrackedEvents.Reason(e.Data), TrackedEvents.Summary(e.Data, ledgerCurrency), e.Data,
        e.CausationId));

    /// <summary>
    /// The history of one stream, each event summarised in the ledger currency the commitment had when it was recorded.
    /// Shared by the JSON history (the events after a version, at most a number of them) and its CSV export (all).
    /// </summary>
    public static async Task<(List<HistoryEntry> Entries, bool StreamExists)> Entries(IAsyncEnumerable<IEvent> events,
        int after = 0, int limit = int.MaxValue)
    {
        var entries = new List<HistoryEntry>();
        Commitment? state = null;
        await foreach (var e in events)
        {
            if (entries.Count == limit) break;
            var before = state;
            // (A stream that does not open with its statement is a damaged log, named by the event.)
            var next = DamagedEventException.Guard(e, () => CommitmentReplay.Step(before, e.StreamId, e) ??
                                                            throw new InvalidOperationException("The stream does not open with a statement."));
            var ledger = (state ?? next).LedgerCurrency;
            state = next;
            if (e.Version <= after) continue;
            entries.Add(Entry(e, ledger));
        }
        return (entries, state is not null);
    }

    /// <summary>What each event changed, a page at a time (after and limit as for the history).</summary>
    [WolverineGet("/api/commitments/{key}/changelog", Name = "GetCommitmentChangelog")]
    [EndpointSummary("What each event changed in the commitment's progress model, before and after, a page at a time")]
    [Tags("Audit")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ChangelogPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Changelog(string key, [Range(0, int.MaxValue), DefaultValue(0)] int? after, [Range(1, EventWindow.MaxLimit), DefaultValue(EventWindow.DefaultLimit)] int? limit, IQuerySession session,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        var window = EventWindow.Parse(after, limit, errors);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);

        var id = StreamIds.ForCommitment(key);
        if (await Window.Read(session, id, window, token) is not { } read) return NoSuchCommitment.Problem(key);
        if (window.PastTheEnd(read.LastVersion) is { } pastTheEnd) return pastTheEnd;
        var entries = new List<ChangelogEntry>();
        var before = read.Start;
        foreach (var e in read.Events.Take(window.Limit))
        {
            var from = before;
            var then = await Window.Step(from, id, session, e, token) ?? before;
            entries.Add(new ChangelogEntry((int)e.Version, EventNames.Of(e.Data), e.Timestamp, e.UserName,
                DamagedEventException.Guard(e, () => TrackedEvents.Summary(e.Data, (from ?? then)?.LedgerCurrency ?? Commitment.DefaultLedgerCurrency)),
                Diff(Row(before, json.Value.SerializerOptions), Row(then, json.Value.SerializerOptions)),
                DamagedEventException.Guard(e, () => TrackedEvents.EffectiveOn(e.Data, DateOnly.FromDateTime(e.Timestamp.UtcDateTime))),
                e.CorrelationId));
            before = then;
        }
        return Results.Ok(new ChangelogPage(entries, window.After, window.Limit, read.Next));
    }


    // The row a dashboard shows, without its version and last change: every event changes them, and a placeholder in
    // their place would read as a value (the first entry's "after" showed version 0 changed in year 1).
    private static readonly string[] Unchanging = [nameof(CommitmentRow.Version), nameof(CommitmentRow.LastChangedAt)];

    private static JsonElement? Row(CommitmentProgress? progress, JsonSerializerOptions options)
    {
        if (progress is null) return null;
        var row = JsonSerializer.SerializeToNode(CommitmentRow.Of(progress), options)!.AsObject();
        foreach (var name in row.Select(p => p.Key).Where(k => Unchanging.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList())
        {
            row.Remove(name);
        }
        return JsonSerializer.SerializeToElement(row, options);
    }

    private static List<FieldChange> Diff(JsonElement? before, JsonElement? after)
    {
        var changes = new List<FieldChange>();
        Walk("", before, after, changes);
        return changes;
    }

    private static void Walk(string path, JsonElement? before, JsonElement? after, List<FieldChange> changes)
    {
        if (before is { ValueKind: JsonValueKind.Object } b && after is { ValueKind: JsonValueKind.Object } a)
        {
            var names = b.EnumerateObject().Select(p => p.Name).Union(a.EnumerateObject().Select(p => p.Name));
            foreach (var name in names)
            {
                Walk(path.Length == 0 ? name : $"{path}.{name}",
                    b.TryGetProperty(name, out var bv) ? bv : null, a.TryGetProperty(name, out var av) ? av : null, changes);
            }
            return;
        }

        // A number is the same number however many zeros it was written with: 0 and 0.0000 are no change (until
        // 2026-12-06 a progress fraction computed at another scale was listed as changed).
        if (before is { ValueKind: JsonValueKind.Number } bn && after is { ValueKind: JsonValueKind.Number } an &&
            bn.TryGetDecimal(out var beforeNumber) && an.TryGetDecimal(out var afterNumber) && beforeNumber == afterNumber)
        {
            return;
        }
        if (before?.GetRawText() != after?.GetRawText()) changes.Add(new FieldChange(path, before, after));
    }
}

/// <summary>
/// A window of a commitment's events and the progress model just before it: the nearest checkpoint plus fewer than an
/// interval of events, then the window itself (and one more, to know whether a next page exists). What a page costs
/// depends on the page, not on how far into the history it is.
/// </summary>
internal sealed record Window(CommitmentProgress? Start, IReadOnlyList<IEvent> Events, int? Next, long LastVersion)
{
    private static readonly CommitmentProgressProjection Stepper = new();

    /// <summary>Null when the commitment does not exist.</summary>
    public static async Task<Window?> Read(IQuerySession session, Guid id, EventWindow window, CancellationToken token)
    {
        var stream = await session.Events.FetchStreamStateAsync(id, token);
        if (stream is null) return null;
        if (window.After > stream.Version) return new Window(null, [], null, stream.Version);
        // The model after the last event up to "after", wherever the log has a gap.
        var start = window.After == 0 ? null : await CommitmentProgressProjection.AtVersion(session, id, window.After, token, orLastBefore: true);
        // The next events by version, however they are numbered: a range of versions (after + 1 to after + limit + 1)
        // came back short across a gap a damaged log leaves, and its page said there was no next one.
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == id && e.Version > window.After)
            .OrderBy(e => e.Version)
            .Take(window.Limit + 1)
            .ToListAsync(token);
        var next = events.Count > window.Limit ? (int)events[window.Limit - 1].Version : (int?)null;
        return new Window(start, events, next, stream.Version);
    }

    public static async Task<CommitmentProgress?> Step(CommitmentProgress? progress, Guid id, IQuerySession session, IEvent e,
        CancellationToken token) => await DamagedEventException.GuardAsync(e, () => Stepper.EvolveAsync(progress, id, session, e, token));
}
