using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Commitments;
using System.Text.Json;
using Marten;
using Tracker.Api.Audit;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Wolverine.Http;

namespace Tracker.Api.Exports;

/// <summary>
/// Exports stream: rows are read from PostgreSQL one at a time (Marten's async enumeration) and written as they come, so
/// an export never holds the whole store in memory; what they write is buffered (beyond 256 KiB in a temporary file)
/// and sent once produced, or as it comes once production has run long (Security/HeavyReadsBuffered).
/// </summary>
public static class ExportEndpoints
{
    /// <summary>One row per commitment: the progress model's columns.</summary>
    [WolverineGet("/api/exports/commitments.csv", Name = "ExportCommitmentsCsv")]
    [EndpointSummary("Commitments with their progress, as CSV")]
    [Tags("Exports")]
    public static async Task Commitments(IQuerySession session, HttpContext http, CancellationToken token)
    {
        Csv.Prepare(http, "commitments.csv");
        var csv = new Csv(http.Response.Body);
        await csv.Row("key", "title", "kind", "line_of_effort", "actors", "target_amount", "target_currency", "target_unit",
            "baseline", "ledger_currency", "pledged", "committed", "disbursed", "latest_figure", "latest_unit",
            "latest_currency", "latest_comparator", "latest_as_of", "progress_fraction", "progress_basis", "status",
            "status_date", "deadline_date", "deadline_precision", "due_by", "overdue", "stated_in", "stated_on",
            "source_count", "restatement_count", "version", "last_changed_at", "latest_stage", "status_assessed_on",
            // Since 2026-12-07, last so that readers by position keep working: the latest figure in the ledger currency,
            // and the reported figure the progress is measured on, which need not be the latest (GET's measuredBy).
            "latest_ledger_figure", "measured_by_figure", "measured_by_unit", "measured_by_currency", "measured_by_stage",
            "measured_by_as_of", "measured_by_ledger_figure",
            // Since 2026-12-07: how the deadline was stated where it is open-ended or loose ("by the end of the decade").
            "deadline_description");
        await foreach (var c in session.Query<CommitmentProgress>().OrderBy(c => c.Key).ToAsyncEnumerable(token))
        {
            await csv.Row(c.Key, c.Title, Wording.Name(c.Kind), c.LineOfEffort, string.Join("; ", c.Actors), c.Target?.Amount,
                c.Target?.Currency, c.Target?.Unit, c.Target?.Baseline, c.LedgerCurrency, c.Money.Pledged, c.Money.Committed,
                c.Money.Disbursed, c.LatestReport?.Figure, c.LatestReport?.Unit, c.LatestReport?.Currency,
                c.LatestReport is null ? null : Wording.Name(c.LatestReport.Comparator), c.LatestReport?.AsOf, c.Progress.Fraction,
                c.Progress.Basis, Wording.Name(c.Status), c.StatusDate, c.Deadline?.Date,
                c.Deadline is null ? null : Wording.Name(c.Deadline.Precision), c.DueBy, c.Overdue, c.StatedIn.DocumentKey,
                c.StatedOn, c.SourceCount, c.RestatementCount, c.Version, c.LastChangedAt,
                c.LatestReport?.Stage is { } stage ? Wording.Name(stage) : null, c.Assessment?.AssessedOn,
                c.LatestReport?.LedgerFigure, c.MeasuredBy?.Figure, c.MeasuredBy?.Unit, c.MeasuredBy?.Currency,
                c.MeasuredBy?.Stage is { } measuredStage ? Wording.Name(measuredStage) : null, c.MeasuredBy?.AsOf,
                c.MeasuredBy?.LedgerFigure, c.Deadline?.Description);
        }
        await csv.Flush();
    }

    /// <summary>One row per money record: each pledge as announced and as revised, and each committed or disbursed stage.</summary>
    [WolverineGet("/api/exports/pledges.csv", Name = "ExportPledgesCsv")]
    [EndpointSummary("Pledges with their revisions and stages, as CSV")]
    [Tags("Exports")]
    public static async Task Pledges(IQuerySession session, HttpContext http, CancellationToken token)
    {
        Csv.Prepare(http, "pledges.csv");
        var csv = new Csv(http.Response.Body);
        // Last, the pledger's key (so that readers by position keep working): the member the pledger views count the pledge
        // under, whatever case or accents it was announced with (until 2026-12-06 a spreadsheet grouping by pledger saw
        // four members where the views saw one).
        await csv.Row("commitment", "pledge_id", "pledger", "record", "amount", "currency", "date", "exchange_rate",
            "rate_date", "ledger_amount", "ledger_currency", "version", "source_document", "source_url", "source_primary", "why",
            "pledger_key");
        // The models first, then each one's pledges from its stream: one open reader at a time on the session.
        foreach (var c in await session.Query<CommitmentProgress>().Where(c => c.PledgeCount > 0).OrderBy(c => c.Key)
                     .ToListAsync(token))
        {
            var (pledges, revisedOn) = await FullHistory.PledgesWithDays(session, c.Id, token);
            foreach (var p in pledges)
            {
                foreach (var a in p.Amounts)
                {
                    // A revision is dated and sourced as it was recorded, not as the pledge it revises (nor by its rate).
                    var announced = a.Version == p.AnnouncedVersion;
                    var source = announced ? p.Source : a.Source ?? p.Source;
                    await csv.Row(c.Key, p.PledgeId, p.Pledger, announced ? "pledged" : "revised",
                        a.Amount.Amount, a.Amount.Currency, announced ? p.AnnouncedOn : revisedOn.GetValueOrDefault(a.Version),
                        a.Rate?.Rate, a.Rate?.On, a.LedgerAmount, c.LedgerCurrency, a.Version, source.DocumentKey,
                        source.Url, source.Primary, a.Why, p.Key);
                }
                foreach (var s in p.Stages)
                {
                    await csv.Row(c.Key, p.PledgeId, p.Pledger, Wording.Name(s.Stage), s.Amount.Amount, s.Amount.Currency, s.On,
                        s.Rate?.Rate, s.Rate?.On, s.LedgerAmount, c.LedgerCurrency, s.Version, s.Source.DocumentKey,
                        s.Source.Url, s.Source.Primary, null, p.Key);
                }
            }
        }
        await csv.Flush();
    }

    /// <summary>A commitment's history as CSV (the JSON is GET /api/commitments/{key}/history).</summary>
    [WolverineGet("/api/commitments/{key}/history.csv", Name = "ExportCommitmentHistoryCsv")]
    [EndpointSummary("A commitment's history, as CSV")]
    [Tags("Exports")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task History(string key, IQuerySession session, HttpContext http,
        Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken token)
    {
        var events = await session.Events.FetchStreamAsync(StreamIds.ForCommitment(key), token: token);
        if (events.Count == 0)
        {
            await NoSuchCommitment.Problem(key).ExecuteAsync(http);
            return;
        }

        Csv.Prepare(http, $"{StreamIds.Normalise(key)}-history.csv");
        var csv = new Csv(http.Response.Body);
        // The cause last: added 2026-12-06, after the columns a reader may take by position.
        await csv.Row("version", "sequence", "type", "recorded_at", "effective_on", "actor", "correlation_id", "reason", "summary", "data",
            "causation_id");
        foreach (var h in (await CommitmentHistoryEndpoints.Entries(events.ToAsyncEnumerable())).Entries)
        {
            await csv.Row(h.Version, h.Sequence, h.Type, h.RecordedAt, h.EffectiveOn, h.Actor, h.CorrelationId, h.Reason, h.Summary,
                // As the JSON history spells it (the API's names and enum values), not as the log stores it.
                JsonSerializer.Serialize(h.Data, h.Data.GetType(), json.Value.SerializerOptions), h.CausationId);
        }
        await csv.Flush();
    }
}
