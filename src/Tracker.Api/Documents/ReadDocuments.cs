using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Domain;
using Tracker.Projections.Documents;
using Wolverine.Http;

namespace Tracker.Api.Documents;

public static class ReadDocumentsEndpoints
{
    /// <summary>All registered documents, oldest publication first.</summary>
    [WolverineGet("/api/documents", Name = "ListDocuments")]
    [EndpointSummary("List source documents")]
    [Tags("Documents")]
    public static Task<IReadOnlyList<DocumentView>> List(IQuerySession session, CancellationToken token) =>
        session.Query<DocumentView>().OrderBy(d => d.PublishedOn).ThenBy(d => d.Key).ToListAsync(token);

    /// <summary>One document by its key; 404 when no document has that key.</summary>
    [WolverineGet("/api/documents/{key}", Name = "GetDocument")]
    [EndpointSummary("Read one source document")]
    [Tags("Documents")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static Task<DocumentView?> Get(string key, IQuerySession session, CancellationToken token) =>
        session.LoadAsync<DocumentView>(StreamIds.ForDocument(key), token);
}
