using System.ComponentModel.DataAnnotations;
using System.ComponentModel;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Projections.Commitments.Pledges;
using Wolverine.Http;

namespace Tracker.Api.Pledgers;

/// <summary>A page of pledgers, by name, and how many there are in all.</summary>
public sealed record PledgerList(IReadOnlyList<PledgerTotals> Items, int Page, int PageSize, long Total, long PageCount);

/// <summary>One of a pledger's pledges, in the pledge's own currency, and the commitment it counts towards.</summary>
public sealed record PledgerPledge(string CommitmentKey, string PledgeId, DateOnly AnnouncedOn, string Currency, decimal Pledged,
    decimal Committed, decimal Disbursed, decimal Outstanding, DateOnly? FirstDisbursedOn, DateOnly? FullyDisbursedOn,
    int? DaysToFirstDisbursement, int? DaysToFullDisbursement)
{
    public static PledgerPledge Of(PledgeLedgerRow row) => new(row.CommitmentKey, row.Ledger.PledgeId, row.Ledger.AnnouncedOn,
        row.Currency, row.Pledged, row.Ledger.Committed, row.Ledger.Disbursed, row.Pledged - row.Ledger.Disbursed,
        row.FirstDisbursedOn, row.FullyDisbursedOn, row.DaysToFirstDisbursement, row.DaysToFullDisbursement);
}

/// <summary>A pledger with its totals over every pledge, and one page of its pledges.</summary>
public sealed record PledgerOverview(string Id, string Name, IReadOnlyList<CurrencyTotals> Totals, double? AverageDaysToFirstDisbursement,
    int PledgeCount, IReadOnlyList<PledgerPledge> Pledges)
{
    /// <summary>The pledger's key, as the list names it (<see cref="Id"/> is the same, kept for clients that read it).</summary>
    public string Key => Id;
}

/// <summary>A pledger and a page of its pledges; <c>total</c> counts its pledges, as every numbered list's does (since 2026-12-07).</summary>
public sealed record PledgerDetail(PledgerOverview Pledger, int Page, int PageSize, long Total, long PageCount);

/// <summary>
/// Each member state or organisation across every commitment: its totals from the pledgers' rollup and its pledges from
/// their ledger rows, both kept in the transaction of every write about a pledge, so a pledger's page is as current as
/// the commitment's.
/// </summary>
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
    public static async Task<IResult> List([Range(1, Paging.MaxPage), DefaultValue(1)] int? page, [Range(1, MaxPageSize), DefaultValue(DefaultPageSize)] int? pageSize, NpgsqlDataSource database, CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = Paging.Parse(page, pageSize, DefaultPageSize, MaxPageSize, errors);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);

        // The page's pledgers and their totals, then how many there are: one round trip, whatever the number of pledges, from
        // one snapshot (until 2026-12-07 each statement took its own: a pledger new between them was on no count).
        await using var connection = await database.OpenConnectionAsync(token);
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, token);
        await using var command = new NpgsqlCommand(PledgerTotals.PageSql, connection, snapshot);
        command.Parameters.AddWithValue("take", paging.PageSize);
        command.Parameters.AddWithValue("skip", paging.Skip);
        await using var reader = await command.ExecuteReaderAsync(token);
        var pledgers = await PledgerTotals.Read(reader, token);
        await reader.NextResultAsync(token);
        await reader.ReadAsync(token);
        var total = reader.GetInt64(0);
        return Results.Ok(new PledgerList(pledgers, paging.Page, paging.PageSize, total, paging.PageCount(total)));
    }

    /// <summary>
    /// A pledger's totals over all its pledges and a page of them (pageSize 25 unless given, at most 100), in the order
    /// they were announced (by date, then commitment), in one round trip.
    /// </summary>
    [WolverineGet("/api/pledgers/{key}", Name = "GetPledger")]
    [EndpointSummary("Read a pledger's totals and its pledges across commitments, a page of pledges at a time")]
    [Tags("Pledgers")]
    [ProducesResponseType<PledgerDetail>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string key, [Range(1, Paging.MaxPage), DefaultValue(1)] int? page, [Range(1, MaxPageSize), DefaultValue(DefaultPageSize)] int? pageSize, IDocumentStore store, NpgsqlDataSource database,
        CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = Paging.Parse(page, pageSize, DefaultPageSize, MaxPageSize, errors);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);
        // Routing decodes every escape of a path segment but %2F, which would split it: a name written with a slash
        // ("Trinidad/Tobago") reads as the pledger it names (until 2026-12-06 it was looked up as "trinidad-2ftobago").
        key = key.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        // A name no pledge could be announced under names no pledger, though its key may be one's: "Germany²" was Germany
        // until 2026-12-06, where announcing a pledge by it is refused.
        if (Slug.LosesLettersOrSymbols(key) || !Commitments.Stating.NameSpellings.ShowsAsItReads(key))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound, title: "No such pledger",
                detail: $"No pledger is named '{key}': a pledger is found by its key (Latin letters and digits: 'japan', whatever " +
                        "script its name is written in) or by a name in Latin letters, without invisible formatting characters.");
        }

        // The totals and the page from one snapshot: the pledges' triggers keep the totals in the pledges' own transaction,
        // so the count agrees with the page (until 2026-12-07 a page read beside writes could hold one pledge more).
        await using var connection = await database.OpenConnectionAsync(token);
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, token);
        await using var command = new NpgsqlCommand($"""
            {PledgerTotals.OneSql};
            {PledgesPageSql}
            """, connection, snapshot);
        // Named parameters: Npgsql sends the two statements as one batch (positional ones take a single statement).
        command.Parameters.AddWithValue("pledger", Slug.From(key));
        command.Parameters.AddWithValue("take", paging.PageSize);
        command.Parameters.AddWithValue("skip", paging.Skip);
        await using var reader = await command.ExecuteReaderAsync(token);
        if ((await PledgerTotals.Read(reader, token)).SingleOrDefault() is not { } pledger)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound,
                title: "No such pledger", detail: $"No pledge of '{key}' stands: none was announced under that name, or every one was retracted.");
        }
        await reader.NextResultAsync(token);
        var serializer = store.Options.Serializer();
        var pledges = new List<PledgerPledge>();
        while (await reader.ReadAsync(token)) pledges.Add(PledgerPledge.Of(serializer.FromJson<PledgeLedgerRow>(reader, 0)));
        return Results.Ok(new PledgerDetail(
            new PledgerOverview(pledger.Key, pledger.Name, pledger.Totals, pledger.AverageDaysToFirstDisbursement, pledger.PledgeCount, pledges),
            paging.Page, paging.PageSize, pledger.PledgeCount, paging.PageCount(pledger.PledgeCount)));
    }

    /// <summary>
    /// A page of a pledger's pledges (parameters @pledger, @take and @skip) in the order they were announced: a range of the
    /// pledger's place index (<see cref="PledgeLedgerRow.PledgerPlaceIndex"/>), so a page reads the rows it shows and the
    /// ones it skips, never the pledger's other pledges.
    /// </summary>
    public static string PledgesPageSql => $"""
        select r.data from {TrackerDatabase.Schema}.{PledgerRollup.LedgerTable} r
         where r.pledger_key = @pledger
         order by {PledgeLedgerRow.PlaceOrder("r")}
         limit @take offset @skip
        """;
}
