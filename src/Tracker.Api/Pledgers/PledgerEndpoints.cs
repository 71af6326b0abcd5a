using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Projections.Pledgers;
using Wolverine.Http;

namespace Tracker.Api.Pledgers;

/// <summary>A pledger in a list: its totals without the pledges.</summary>
public sealed record PledgerSummary(string Key, string Name, int PledgeCount, IReadOnlyList<CurrencyTotals> Totals,
    double? AverageDaysToFirstDisbursement);

/// <summary>A page of pledgers, by name, and how many there are in all.</summary>
public sealed record PledgerList(IReadOnlyList<PledgerSummary> Items, int Page, int PageSize, long Total, long PageCount,
    Freshness Freshness);

/// <summary>A pledger with its totals over every pledge, and one page of its pledges.</summary>
public sealed record PledgerOverview(string Id, string Name, IReadOnlyList<CurrencyTotals> Totals, double? AverageDaysToFirstDisbursement,
    int PledgeCount, IReadOnlyList<PledgerPledge> Pledges, long LastEventSequence);

public sealed record PledgerDetail(PledgerOverview Pledger, int Page, int PageSize, long PageCount, Freshness Freshness);

public static class PledgerEndpoints
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 100;

    /// <summary>Pledgers by name with their totals, a page at a time (pageSize 25 unless given, at most 100).</summary>
    [WolverineGet("/api/pledgers", Name = "ListPledgers")]
    [EndpointSummary("List pledgers with their totals by currency, a page at a time")]
    [Tags("Pledgers")]
    [ProducesResponseType<PledgerList>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> List(int? page, int? pageSize, IQuerySession session, IDocumentStore store, CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = Paging.Parse(page, pageSize, DefaultPageSize, MaxPageSize, errors);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);

        // Every pledger's documents are read and composed here (one small document per pledger and commitment); only
        // the page is answered.
        var documents = await session.Query<PledgerCommitment>().ToListAsync(token);
        var pledgers = documents.GroupBy(d => d.PledgerKey).Select(g => PledgerView.Of(g.ToList()))
            .OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
        return Results.Ok(new PledgerList(
            pledgers.Skip(paging.Skip).Take(paging.PageSize)
                .Select(p => new PledgerSummary(p.Id, p.Name, p.Pledges.Count, p.Totals, p.AverageDaysToFirstDisbursement)).ToList(),
            paging.Page, paging.PageSize, pledgers.Count, paging.PageCount(pledgers.Count),
            await Freshness.Of(store, PledgerProjection.ProjectionName, token)));
    }

    [WolverineGet("/api/pledgers/{key}", Name = "GetPledger")]
    [EndpointSummary("Read a pledger's totals and its pledges across commitments, a page of pledges at a time")]
    [Tags("Pledgers")]
    [ProducesResponseType<PledgerDetail>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string key, int? page, int? pageSize, IQuerySession session, IDocumentStore store,
        CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = Paging.Parse(page, pageSize, DefaultPageSize, MaxPageSize, errors);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);

        var pledgerKey = Slug.From(key);
        var documents = await session.Query<PledgerCommitment>().Where(d => d.PledgerKey == pledgerKey).ToListAsync(token);
        var pledger = documents.Count == 0 ? null : PledgerView.Of(documents);
        return pledger is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound,
                title: "No such pledger", detail: $"No pledges are recorded for '{key}' (yet: this view is kept asynchronously).")
            : Results.Ok(new PledgerDetail(
                new PledgerOverview(pledger.Id, pledger.Name, pledger.Totals, pledger.AverageDaysToFirstDisbursement, pledger.Pledges.Count,
                    pledger.Pledges.Skip(paging.Skip).Take(paging.PageSize).ToList(), pledger.LastEventSequence),
                paging.Page, paging.PageSize, paging.PageCount(pledger.Pledges.Count),
                await Freshness.Of(store, PledgerProjection.ProjectionName, token)));
    }
}
