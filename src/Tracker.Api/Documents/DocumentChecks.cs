using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Projections.Documents;
using Wolverine.Http;

namespace Tracker.Api.Documents;

public static class DocumentChecks
{
    /// <summary>422 naming every referenced document key that is not registered; no problem when all are.</summary>
    public static async Task<ProblemDetails> AllRegistered(IQuerySession session, params string?[] keys)
    {
        var wanted = keys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => StreamIds.Normalise(k!)).Distinct().ToList();
        if (wanted.Count == 0) return WolverineContinue.NoProblems;

        var found = await session.LoadManyAsync<DocumentView>(wanted.Select(StreamIds.ForDocument));
        var missing = wanted.Except(found.Select(d => d.Key)).ToList();
        return missing.Count == 0 ? WolverineContinue.NoProblems : NotRegistered(missing);
    }

    /// <summary>The 422 naming the document keys that are not registered.</summary>
    public static ProblemDetails NotRegistered(IReadOnlyList<string> missing) => new()
    {
        Status = StatusCodes.Status422UnprocessableEntity,
        Type = ProblemTypes.UnknownDocument,
        Title = "A referenced source document is not registered",
        Detail = $"Register these documents first (POST /api/documents): {string.Join(", ", missing)}.",
        Extensions = { ["missingDocuments"] = missing }
    };
}
