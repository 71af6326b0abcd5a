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
    string? Actor, string? CorrelationId, string? Reason, string Summary, object Data);

/// <summary>A value of the progress model an event changed.</summary>
public sealed record FieldChange(string Field, JsonElement? Before, JsonElement? After);

public sealed record ChangelogEntry(int Version, string Type, DateTimeOffset RecordedAt, string? Actor, string Summary,
    IReadOnlyList<FieldChange> Changes);

public static class CommitmentHistoryEndpoints
{
    [WolverineGet("/api/commitments/{key}/history", Name = "GetCommitmentHistory")]
    [EndpointSummary("Every event of a commitment, in order, with who, when, why and a readable summary")]
    [Tags("Audit")]
    [ProducesResponseType<IReadOnlyList<HistoryEntry>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> History(string key, IQuerySession session, CancellationToken token)
    {
        var events = await session.Events.FetchStreamAsync(StreamIds.ForCommitment(key), token: token);
        return events.Count == 0 ? NotFound(key) : Results.Ok(Entries(events));
    }

    /// <summary>
    /// The history of one stream, each event summarised in the ledger currency the commitment had when it was recorded.
    /// Shared by the JSON history and its CSV export.
    /// </summary>
    public static IReadOnlyList<HistoryEntry> Entries(IReadOnlyList<IEvent> events)
    {
        var entries = new List<HistoryEntry>();
        Commitment? state = null;
        foreach (var e in events)
        {
            var next = e.Data is CommitmentStated stated ? Commitment.Create(stated) : state!.After(e.Data);
            var ledger = (state ?? next).LedgerCurrency;
            state = next;
            entries.Add(new HistoryEntry((int)e.Version, e.Sequence, EventNames.Of(e.Data), e.Timestamp,
                EffectiveDate.Of(e.Data, DateOnly.FromDateTime(e.Timestamp.UtcDateTime)), e.UserName, e.CorrelationId,
                ReasonOf(e.Data), EventSummaries.Of(e.Data, ledger), e.Data));
        }
        return entries;
    }

    [WolverineGet("/api/commitments/{key}/changelog", Name = "GetCommitmentChangelog")]
    [EndpointSummary("What each event changed in the commitment's progress model, before and after")]
    [Tags("Audit")]
    [ProducesResponseType<IReadOnlyList<ChangelogEntry>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Changelog(string key, IQuerySession session, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        CancellationToken token)
    {
        var id = StreamIds.ForCommitment(key);
        var events = await session.Events.FetchStreamAsync(id, token: token);
        if (events.Count == 0) return NotFound(key);

        var entries = new List<ChangelogEntry>();
        CommitmentProgress? before = null;
        foreach (var e in events)
        {
            var after = CommitmentReplay.Evolve(before, id, e)!;
            entries.Add(new ChangelogEntry((int)e.Version, EventNames.Of(e.Data), e.Timestamp, e.UserName,
                EventSummaries.Of(e.Data, (before ?? after).LedgerCurrency),
                Diff(Row(before, json.Value.SerializerOptions), Row(after, json.Value.SerializerOptions))));
            before = after;
        }
        return Results.Ok(entries);
    }

    private static IResult NotFound(string key) => Results.Problem(statusCode: StatusCodes.Status404NotFound,
        type: ProblemTypes.NotFound, title: "No such commitment", detail: $"No commitment has key '{key}'.");

    private static string? ReasonOf(object data) => data switch
    {
        TargetRevised x => x.Reason,
        DeadlineRevised x => x.Reason,
        PledgeRevised x => x.Reason,
        EventCorrected x => x.Reason,
        StatusAssessed x => x.Rationale,
        CommitmentRestated x => x.Note,
        ProgressReported x => x.Note,
        _ => null
    };

    // The row a dashboard shows (version and last change left out: every event changes them).
    private static JsonElement? Row(CommitmentProgress? progress, JsonSerializerOptions options) => progress is null
        ? null
        : JsonSerializer.SerializeToElement(CommitmentRow.Of(progress) with { Version = 0, LastChangedAt = default }, options);

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

        if (before?.GetRawText() != after?.GetRawText()) changes.Add(new FieldChange(path, before, after));
    }
}
