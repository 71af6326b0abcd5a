using System.ComponentModel.DataAnnotations;
using System.ComponentModel;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Tracker.Projections.Documents;
using Wolverine.Http;

namespace Tracker.Api.Documents;

/// <summary>A commitment a document states or restates, with the words it uses.</summary>
public sealed record DocumentCommitment(string Key, string Title, string Role, string? Paragraph, string Quote,
    DateOnly On, string Status);

/// <summary>A page of the commitments a document states or restates (one item per statement or restatement).</summary>
public sealed record DocumentCommitmentPage(IReadOnlyList<DocumentCommitment> Items, int Page, int PageSize, long Total, long PageCount);

public static class DocumentCommitmentsEndpoint
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;

    /// <summary>The commitments a document states or restates, by key, a page of commitments at a time (50 unless given, at most 100).</summary>
    [WolverineGet("/api/documents/{key}/commitments", Name = "GetDocumentCommitments")]
    [EndpointSummary("The commitments a document states or restates, a page at a time")]
    [Tags("Documents")]
    [ProducesResponseType<DocumentCommitmentPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string key, [Range(1, Paging.MaxPage), DefaultValue(1)] int? page, [Range(1, MaxPageSize), DefaultValue(DefaultPageSize)] int? pageSize, IDocumentStore store, CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = Paging.Parse(page, pageSize, DefaultPageSize, MaxPageSize, errors);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);

        // The document, the page and the count in one round trip, from one snapshot (until 2026-12-07 three of each).
        await using var session = await store.OneSnapshotSession(token);
        var batch = session.CreateBatchQuery();
        var registered = batch.Load<DocumentView>(StreamIds.ForDocument(key));
        // Documents are kept by their key as registered (lower case), which the commitments cite.
        var cited = StreamIds.Normalise(key);
        var listed = batch.Query<CommitmentProgress>().Where(c => c.SourceDocuments.Contains(cited))
            .OrderBy(c => c.Key).Skip(paging.Skip).Take(paging.PageSize).ToList();
        var counted = batch.Query<CommitmentProgress>().Where(c => c.SourceDocuments.Contains(cited)).Count();
        await batch.Execute(token);
        if (await registered is not { } document)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound,
                title: "No such document", detail: $"No document has key '{key}'.");
        }
        var (commitments, total) = (await listed, await counted);
        if (document.Key != cited)
        {
            // A key registered before keys were kept in lower case: the commitments cite it as registered.
            var stating = session.Query<CommitmentProgress>().Where(c => c.SourceDocuments.Contains(document.Key));
            commitments = await stating.OrderBy(c => c.Key).Skip(paging.Skip).Take(paging.PageSize).ToListAsync(token);
            total = await stating.CountAsync(token);
        }

        // The words of each restatement in this document are in its event: read only those events.
        var restatedHere = commitments.SelectMany(c => c.State.Restatements.Where(r => r.Value == document.Key)
            .Select(r => (c.Id, (long)r.Version))).ToHashSet();
        var streams = restatedHere.Select(r => r.Id).Distinct().ToArray();
        var restatedEvents = restatedHere.Count == 0
            ? []
            : await session.Events.QueryAllRawEvents()
                .Where(e => e.StreamId.IsOneOf(streams) && e.EventTypeName == "commitment_restated")
                .ToListAsync(token);
        var restatements = restatedEvents
            .Where(e => restatedHere.Contains((e.StreamId, e.Version)))
            .ToLookup(e => e.StreamId, e => (CommitmentRestated)e.Data);

        return Results.Ok(new DocumentCommitmentPage(
            commitments.SelectMany(c => RolesIn(c, document.Key, restatements[c.Id])).ToList(),
            paging.Page, paging.PageSize, total, paging.PageCount(total)));
    }

    private static IEnumerable<DocumentCommitment> RolesIn(CommitmentProgress c, string documentKey,
        IEnumerable<CommitmentRestated> restatements)
    {
        var status = Wording.Name(c.Status);
        if (c.StatedIn.DocumentKey == documentKey)
        {
            yield return new DocumentCommitment(c.Key, c.Title, "stated", c.StatedIn.Paragraph, c.StatedIn.Quote, c.StatedOn, status);
        }
        foreach (var r in restatements)
        {
            yield return new DocumentCommitment(c.Key, c.Title, "restated", r.RestatedIn.Paragraph, r.RestatedIn.Quote,
                r.RestatedOn, status);
        }
    }
}
