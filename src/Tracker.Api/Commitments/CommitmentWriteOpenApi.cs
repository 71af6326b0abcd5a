using Microsoft.AspNetCore.Mvc;
using JasperFx;
using JasperFx.CodeGeneration;
using Wolverine.Http;

namespace Tracker.Api.Commitments;

/// <summary>Describes, in the OpenAPI document, the answers every write to an existing commitment can give.</summary>
public sealed class CommitmentWriteOpenApi : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(IsCommitmentWrite))
        {
            var creates = chain.Method.Method.GetCustomAttributes(typeof(ProducesResponseTypeAttribute), true)
                .OfType<ProducesResponseTypeAttribute>().Any(a => a.StatusCode == StatusCodes.Status201Created);
            if (!creates) chain.Metadata.Produces<Recorded>(StatusCodes.Status200OK);

            chain.Metadata
                .Produces<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")
                .Produces<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")
                .Produces<ProblemDetails>(StatusCodes.Status412PreconditionFailed, "application/problem+json")
                .Produces<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json");
        }
    }

    private static bool IsCommitmentWrite(HttpChain chain) =>
        chain.HttpMethods.Contains("POST") &&
        chain.RoutePattern?.RawText?.StartsWith("/api/commitments/{key}/", StringComparison.Ordinal) == true;
}
