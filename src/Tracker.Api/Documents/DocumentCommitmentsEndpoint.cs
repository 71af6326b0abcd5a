using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Projections.Commitments;
using Tracker.Projections.Documents;
using Wolverine.Http;

namespace Tracker.Api.Documents;

/// <summary>A commitment a document states or restates, with the words it uses.</summary>
public sealed record DocumentCommitment(string Key, string Title, string Role, string? Paragraph, string Quote,
    DateOnly On, string Status);

public static class DocumentCommitmentsEndpoint
{
    [WolverineGet("/api/documents/{key}/commitments", Name = "GetDocumentCommitments")]
    [EndpointSummary("The commitments a document states or restates")]
    [Tags("Documents")]
    [ProducesResponseType<IReadOnlyList<DocumentCommitment>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string key, IQuerySession session, CancellationToken token)
    {
        var document = await session.LoadAsync<DocumentView>(StreamIds.ForDocument(key), token);
        if (document is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound,
                title: "No such document", detail: $"No document has key '{key}'.");
        }

        var commitments = await session.Query<CommitmentProgress>()
            .Where(c => c.SourceDocuments.Contains(document.Key))
            .OrderBy(c => c.Key)
            .ToListAsync(token);

        return Results.Ok(commitments.SelectMany(c => RolesIn(c, document.Key)).ToList());
    }

    private static IEnumerable<DocumentCommitment> RolesIn(CommitmentProgress c, string documentKey)
    {
        var status = Names.Of(c.Status);
        if (c.StatedIn.DocumentKey == documentKey)
        {
            yield return new DocumentCommitment(c.Key, c.Title, "stated", c.StatedIn.Paragraph, c.StatedIn.Quote, c.StatedOn, status);
        }
        foreach (var r in c.Detail.Restatements.Where(r => r.RestatedIn.DocumentKey == documentKey))
        {
            yield return new DocumentCommitment(c.Key, c.Title, "restated", r.RestatedIn.Paragraph, r.RestatedIn.Quote,
                r.RestatedOn, status);
        }
    }
}
