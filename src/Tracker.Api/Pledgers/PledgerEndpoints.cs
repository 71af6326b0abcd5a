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

public sealed record PledgerList(IReadOnlyList<PledgerSummary> Items, Freshness Freshness);

public sealed record PledgerDetail(PledgerView Pledger, Freshness Freshness);

public static class PledgerEndpoints
{
    [WolverineGet("/api/pledgers", Name = "ListPledgers")]
    [EndpointSummary("List pledgers with their totals by currency")]
    [Tags("Pledgers")]
    public static async Task<PledgerList> List(IQuerySession session, IDocumentStore store, CancellationToken token)
    {
        // Every pledger's documents are read and composed here: one small document per pledger and commitment.
        var documents = await session.Query<PledgerCommitment>().ToListAsync(token);
        var pledgers = documents.GroupBy(d => d.PledgerKey).Select(g => PledgerView.Of(g.ToList()))
            .OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ThenBy(p => p.Id, StringComparer.Ordinal);
        return new PledgerList(
            pledgers.Select(p => new PledgerSummary(p.Id, p.Name, p.Pledges.Count, p.Totals, p.AverageDaysToFirstDisbursement))
                .ToList(),
            await Freshness.Of(store, PledgerProjection.ProjectionName, token));
    }

    [WolverineGet("/api/pledgers/{key}", Name = "GetPledger")]
    [EndpointSummary("Read a pledger's pledges across commitments")]
    [Tags("Pledgers")]
    [ProducesResponseType<PledgerDetail>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string key, IQuerySession session, IDocumentStore store, CancellationToken token)
    {
        var pledgerKey = Slug.From(key);
        var documents = await session.Query<PledgerCommitment>().Where(d => d.PledgerKey == pledgerKey).ToListAsync(token);
        var pledger = documents.Count == 0 ? null : PledgerView.Of(documents);
        return pledger is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound,
                title: "No such pledger", detail: $"No pledges are recorded for '{key}' (yet: this view is kept asynchronously).")
            : Results.Ok(new PledgerDetail(pledger, await Freshness.Of(store, PledgerProjection.ProjectionName, token)));
    }
}
