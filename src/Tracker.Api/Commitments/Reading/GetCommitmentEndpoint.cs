using System.ComponentModel.DataAnnotations;
using Marten;
using Npgsql;
using Tracker.Api.Security;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Audit;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Wolverine.Http;

namespace Tracker.Api.Commitments.Reading;

/// <summary>
/// One commitment as its page shows it: the dashboard row, where it was stated, the assessment in force and the counts.
/// What grows with time is a page of its own route: its pledges (`.../pledges`) and the facts recorded about it
/// (`.../timeline`). MeasuredBy is the reported figure the progress is measured on (basis "reported"), which need not be
/// the latest report: a money target is measured on the largest of the latest figure of each stage.
/// </summary>
public sealed record CommitmentDetail(
    string Key, int Version, string Title, CommitmentKind Kind, string LineOfEffort, IReadOnlyList<string> Actors,
    Target? Target, string LedgerCurrency, MoneyByStage Money, int PledgeCount, LatestReport? LatestReport,
    ProgressMeasure Progress, LatestReport? MeasuredBy, CommitmentStatus Status, DateOnly? StatusDate, CurrentAssessment? Assessment,
    Deadline? Deadline, DateOnly? DueBy, bool Overdue, Provenance StatedIn, DateOnly StatedOn,
    IReadOnlyList<string> SourceDocuments, int SourceCount, int RestatementCount, int CorrectionCount,
    DateTimeOffset LastChangedAt, CommitmentLinks Links)
{
    public static CommitmentDetail Of(CommitmentProgress p) => new(p.Key, p.Version, p.Title, p.Kind, p.LineOfEffort,
        p.Actors, p.Target, p.LedgerCurrency, p.Money, p.PledgeCount, p.LatestReport, p.Progress, p.MeasuredBy, p.Status, p.StatusDate,
        p.Assessment is { } assessment ? assessment with { DueByThen = p.State.AchievementDueBy } : null, p.Deadline, p.DueBy, p.Overdue, p.StatedIn, p.StatedOn, p.SourceDocuments, p.SourceCount,
        p.RestatementCount, p.CorrectionCount, p.LastChangedAt, CommitmentLinks.For(p.Key));
}

public sealed record CommitmentLinks(string Pledges, string Timeline)
{
    public static CommitmentLinks For(string key) => new($"/api/commitments/{key}/pledges", $"/api/commitments/{key}/timeline");
}

public static class GetCommitmentEndpoint
{
    /// <summary>
    /// The commitment's progress model, with its version as the ETag (the present from <see cref="PresentCommitments"/>; as
    /// effective, a tag of the body). With recordedAsOf (an instant),
    /// version, or effectiveAsOf (a date): the same model as it was then (see TimeTravel); the X-Tracker-View header
    /// says which past the body shows.
    /// </summary>
    [WolverineGet("/api/commitments/{key}", Name = "GetCommitment")]
    [EndpointSummary("Read a commitment's progress")]
    [Tags("Commitments")]
    [ProducesResponseType<CommitmentDetail>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Get(string key, IQuerySession session, NpgsqlDataSource database, PresentCommitments present,
        HttpContext http, TimeProvider clock,
        DateTimeOffset? recordedAsOf,
        [Range(1, int.MaxValue)] int? version, DateOnly? effectiveAsOf)
    {
        var past = new TimeTravel(recordedAsOf, version, effectiveAsOf);
        if (past.Errors(clock) is { Count: > 0 } errors)
        {
            return QueryProblems.Invalid(errors);
        }

        if (!past.IsPresent && await AuditAccess.Refusal(http) is { } refused) return refused;

        var id = StreamIds.ForCommitment(key);
        if (past.IsPresent)
        {
            if (await present.Read(id, http.RequestAborted) is not { } page) return NoSuchCommitment.Problem(key, past);
            http.Response.Headers.ETag = Versions.ToETag(page.Version);
            http.Response.Headers[TimeTravel.ViewHeader] = past.Describe();
            return Results.Bytes(page.Json, "application/json; charset=utf-8");
        }

        var progress = await past.Commitment(session, database, id, http.RequestAborted);
        if (progress is null)
        {
            if (past.Version is { } asked && await TimeTravel.VersionNotHeld(session, id, key, asked, http.RequestAborted) is { } notHeld) return notHeld;
            return NoSuchCommitment.Problem(key, past);
        }

        // As recorded, a version names what the body shows. As effective it does not: a fact recorded late with an earlier
        // date, or a retraction, changes a past day without being its last fact, so the tag is the body's own
        // (ConditionalGets), and a client holding the old one is not told it is unchanged.
        if (past.EffectiveAsOf is null) http.Response.Headers.ETag = Versions.ToETag(progress.Version);
        http.Response.Headers[TimeTravel.ViewHeader] = past.Describe();
        return Results.Ok(CommitmentDetail.Of(progress));
    }
}
