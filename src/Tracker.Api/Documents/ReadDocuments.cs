using System.ComponentModel.DataAnnotations;
using System.ComponentModel;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Domain;
using Tracker.Projections.Documents;
using Tracker.Api.Infrastructure;
using Wolverine.Http;

namespace Tracker.Api.Documents;

/// <summary>A page of documents, and how many there are in all.</summary>
public sealed record DocumentPage(IReadOnlyList<DocumentView> Items, int Page, int PageSize, long Total, long PageCount);

public static class ReadDocumentsEndpoints
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 500;

    /// <summary>Registered documents, oldest publication first, a page at a time (pageSize 100 unless given, at most 500).</summary>
    [WolverineGet("/api/documents", Name = "ListDocuments")]
    [EndpointSummary("List source documents, a page at a time")]
    [Tags("Documents")]
    [ProducesResponseType<DocumentPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> List([Range(1, Paging.MaxPage), DefaultValue(1)] int? page, [Range(1, MaxPageSize), DefaultValue(DefaultPageSize)] int? pageSize, IDocumentStore store, CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = Paging.Parse(page, pageSize, DefaultPageSize, MaxPageSize, errors);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);

        // The page and the count in one round trip, from one snapshot (until 2026-12-07 two of each).
        await using var session = await store.OneSnapshotSession(token);
        var batch = session.CreateBatchQuery();
        var listed = batch.Query<DocumentView>().OrderBy(d => d.PublishedOn).ThenBy(d => d.Key).Skip(paging.Skip).Take(paging.PageSize).ToList();
        var counted = batch.Query<DocumentView>().Count();
        await batch.Execute(token);
        var (items, total) = (await listed, await counted);
        return Results.Ok(new DocumentPage(items, paging.Page, paging.PageSize, total, paging.PageCount(total)));
    }

    /// <summary>One document by its key; 404 when no document has that key.</summary>
    [WolverineGet("/api/documents/{key}", Name = "GetDocument")]
    [EndpointSummary("Read one source document")]
    [Tags("Documents")]
    [ProducesResponseType<DocumentView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string key, IQuerySession session, CancellationToken token) =>
        // Said as the document's other routes say it (until 2026-12-06 this 404 said no route was at the path).
        await session.LoadAsync<DocumentView>(StreamIds.ForDocument(key), token) is { } document
            ? Results.Ok(document)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound,
                title: "No such document", detail: $"No document has key '{key}'.");
}
