using System.ComponentModel.DataAnnotations;
using System.ComponentModel;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Tracker.Api.Security;
using Tracker.Api.Audit;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Wolverine.Http;

namespace Tracker.Api.Commitments.Reading;

/// <summary>A pledge toward a commitment: who, when, how much, and how much of it is committed and disbursed.</summary>
/// <param name="PledgerKey">The pledger's key, which its page is found by (GET /api/pledgers/{key}), whatever spelling
/// this pledge gave its name (since 2026-12-06).</param>
public sealed record PledgeRow(string PledgeId, string Pledger, DateOnly AnnouncedOn, Money Amount, decimal LedgerAmount,
    decimal Committed, decimal Disbursed, decimal LedgerCommitted, decimal LedgerDisbursed, string PledgerKey)
{
    public static PledgeRow Of(PledgeLedger p) => new(p.PledgeId, p.Pledger, p.AnnouncedOn, p.Amount, p.LedgerAmount,
        p.Committed, p.Disbursed, p.LedgerCommitted, p.LedgerDisbursed, p.Key);
}

public sealed record PledgePage(IReadOnlyList<PledgeRow> Items, string LedgerCurrency, int Page, int PageSize, long Total, long PageCount);

/// <summary>A fact recorded about a commitment that still stands: what it says, the date it refers to, and its source.</summary>
public sealed record TimelineEntry(int Version, string Type, DateOnly? On, DateTimeOffset RecordedAt, string Summary, object Data);

/// <summary>A window of the timeline: at most limit facts after a version; next is the after of the next page.</summary>
public sealed record TimelinePage(IReadOnlyList<TimelineEntry> Items, int After, int Limit, int? Next);

public static class CommitmentPages
{
    public const int DefaultPledgePageSize = 50;
    public const int MaxPledgePageSize = 500;

    /// <summary>The facts a commitment page lists; pledges have their own page, corrections are left out with what they retract.</summary>
    private static readonly string[] TimelineTypes =
        ["commitment_stated", "commitment_restated", "progress_reported", "status_assessed", "evidence_attached"];

    /// <summary>A commitment's pledges in the order they were recorded (announced to the tracker), a page at a time (50 unless given, at most 500).</summary>
    [WolverineGet("/api/commitments/{key}/pledges", Name = "GetCommitmentPledges")]
    [EndpointSummary("A commitment's pledges with their committed and disbursed totals, a page at a time")]
    [Tags("Pledges")]
    [ProducesResponseType<PledgePage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Pledges(string key, [Range(1, Paging.MaxPage), DefaultValue(1)] int? page, [Range(1, MaxPledgePageSize), DefaultValue(DefaultPledgePageSize)] int? pageSize, IDocumentStore store, CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = Paging.Parse(page, pageSize, DefaultPledgePageSize, MaxPledgePageSize, errors);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);

        var id = StreamIds.ForCommitment(key);
        // The model (for its count and currency) and the page's rows in one round trip, from one snapshot: a write commits
        // both together, and until 2026-12-07 a page read while pledges were announced could hold one more than its total.
        // (The transaction's BEGIN goes with the batch.)
        await using var session = await store.OneSnapshotSession(token);
        var batch = session.CreateBatchQuery();
        var model = batch.Load<CommitmentProgress>(id);
        var pageRows = batch.Query<PledgeLedgerRow>()
            .Where(r => r.StreamId == id)
            .OrderBy(r => r.AnnouncedVersion)
            .Skip(paging.Skip).Take(paging.PageSize)
            .ToList();
        await batch.Execute(token);
        if (await model is not { } progress) return NoSuchCommitment.Problem(key);
        var rows = await pageRows;
        var total = progress.PledgeCount;
        return Results.Ok(new PledgePage(rows.Select(r => PledgeRow.Of(r.Ledger)).ToList(),
            progress.LedgerCurrency, paging.Page, paging.PageSize, total, paging.PageCount(total)));
    }

    /// <summary>
    /// One pledge, as its page lists it: where a new pledge's Location points (until 2026-12-06 no route was there).
    /// A retracted pledge is gone, as from the page.
    /// </summary>
    [WolverineGet("/api/commitments/{key}/pledges/{pledgeId}", Name = "GetCommitmentPledge")]
    [EndpointSummary("One pledge with its committed and disbursed totals")]
    [Tags("Pledges")]
    [ProducesResponseType<PledgeRow>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Pledge(string key, string pledgeId, IQuerySession session, CancellationToken token)
    {
        var id = StreamIds.ForCommitment(key);
        var batch = session.CreateBatchQuery();
        var model = batch.Load<CommitmentProgress>(id);
        var row = batch.Load<PledgeLedgerRow>(PledgeLedgerRow.IdOf(id, pledgeId));
        await batch.Execute(token);
        if (await model is not { } progress) return NoSuchCommitment.Problem(key);
        // The rule's problem type, as a write naming an unknown pledge answers; not counted as a refused write (which the
        // writes' metric counts).
        return await row is { } found
            ? Results.Ok(PledgeRow.Of(found.Ledger))
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.Rule("unknown-pledge"), title: "No such pledge",
                detail: $"Commitment '{progress.Key}' has no pledge '{pledgeId}'.",
                extensions: new Dictionary<string, object?> { ["rule"] = "unknown-pledge" });
    }

    /// <summary>
    /// The statement, restatements, reports, assessments and evidence of a commitment that stand (retracted ones are left
    /// out), in the order they were recorded, a page at a time: the facts after version "after" (0: from the start), at
    /// most "limit" (100 unless given, at most 500); "next" is the "after" of the next page, null on the last.
    /// In a past (auditors): as recorded (recordedAsOf or version), the facts recorded by then that stood then, a fact
    /// retracted since included; as effective (effectiveAsOf), the facts that stand now and took effect by that date.
    /// </summary>
    [WolverineGet("/api/commitments/{key}/timeline", Name = "GetCommitmentTimeline")]
    [EndpointSummary("The facts recorded about a commitment that stand, now or in a past, a page at a time")]
    [Tags("Commitments")]
    [ProducesResponseType<TimelinePage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Timeline(string key, [Range(0, int.MaxValue), DefaultValue(0)] int? after,
        [Range(1, EventWindow.MaxLimit), DefaultValue(EventWindow.DefaultLimit)] int? limit, IQuerySession session,
        NpgsqlDataSource database, HttpContext http, TimeProvider clock, DateTimeOffset? recordedAsOf, [Range(1, int.MaxValue)] int? version,
        DateOnly? effectiveAsOf)
    {
        var past = new TimeTravel(recordedAsOf, version, effectiveAsOf);
        var errors = past.Errors(clock);
        var window = EventWindow.Parse(after, limit, errors);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);
        if (!past.IsPresent && await AuditAccess.Refusal(http) is { } refused) return refused;
        var token = http.RequestAborted;

        var id = StreamIds.ForCommitment(key);
        if (await session.LoadAsync<CommitmentProgress>(id, token) is not { } standing) return NoSuchCommitment.Problem(key);
        // As recorded, the commitment as it stood then says which facts were recorded by then (its version) and which of
        // them had been retracted by then; as effective, or now, today's retractions hold.
        if (past.EffectiveAsOf is null && !past.IsPresent)
        {
            if (await past.Commitment(session, database, id, token) is not { } then)
            {
                // As the commitment's own route says it.
                return past.Version is { } asked && await TimeTravel.VersionNotHeld(session, id, key, asked, token) is { } notHeld
                    ? notHeld
                    : NoSuchCommitment.Problem(key, past);
            }
            if (window.PastTheEnd(then.Version, inThatPast: true) is { } pastThen) return pastThen;
            standing = then;
        }
        // Before its statement took effect a commitment is not there, as GET /api/commitments/{key} says for the date.
        else if (past.EffectiveAsOf is { } effective && standing.StatedOn > effective) return NoSuchCommitment.Problem(key, past);
        // Against the stream's version (a model being rebuilt may be behind it), asked only of a cursor past the model's.
        else if (window.After > standing.Version &&
                 window.PastTheEnd((await session.Events.FetchStreamStateAsync(id, token))?.Version ?? standing.Version) is { } pastTheEnd)
        {
            return pastTheEnd;
        }
        var retracted = standing.State.Retracted.Select(v => (long)v).ToArray();
        long upTo = past.EffectiveAsOf is null && !past.IsPresent ? standing.Version : long.MaxValue;
        var items = new List<TimelineEntry>();
        var more = false;
        // As effective, a fact that took effect after the date is passed over, so a page may read on past its limit to
        // fill up (a fact's date is its event's own, worked out here).
        for (var cursor = window.After; !more;)
        {
            var events = await session.Events.QueryAllRawEvents()
                .Where(e => e.StreamId == id && e.Version > cursor && e.Version <= upTo &&
                            e.EventTypeName.IsOneOf(TimelineTypes) && !e.Version.IsOneOf(retracted))
                .OrderBy(e => e.Version)
                .Take(window.Limit + 1)
                .ToListAsync(token);
            foreach (var entry in events.Select(e => Entry(e, standing.LedgerCurrency)))
            {
                if (past.EffectiveAsOf is { } on && entry.On > on) continue;
                if (items.Count == window.Limit) { more = true; break; }
                items.Add(entry);
            }
            if (events.Count <= window.Limit) break;
            cursor = (int)events[^1].Version;
        }
        http.Response.Headers[TimeTravel.ViewHeader] = past.Describe();
        return Results.Ok(new TimelinePage(items, window.After, window.Limit, more ? items[^1].Version : null));
    }

    private static TimelineEntry Entry(IEvent e, string ledgerCurrency) => new((int)e.Version, EventNames.Of(e.Data),
        TrackedEvents.EffectiveOn(e.Data, DateOnly.FromDateTime(e.Timestamp.UtcDateTime)), e.Timestamp,
        TrackedEvents.Summary(e.Data, ledgerCurrency), e.Data);

}
