using JasperFx;
using JasperFx.CodeGeneration;
using Wolverine.Http;

namespace Tracker.Api.Audit;

/// <summary>
/// Which of the past's query parameters (recordedAsOf, version, effectiveAsOf) a route answers: the ones its endpoint
/// takes. Put on every endpoint by <see cref="EndpointMetadataPolicy"/>, and read by the request guard, which refuses a
/// past parameter a route would otherwise ignore: answering the present to someone who asked for the past, with nothing
/// to say so, is the worst answer.
/// </summary>
public sealed record PastParameters(IReadOnlySet<string> Taken)
{
    public static readonly string[] Names = ["recordedAsOf", "version", "effectiveAsOf"];

    /// <summary>
    /// What a route that does not take one says: which of them it takes, if any, and where the past is served (until
    /// 2026-12-05 the list, the dashboard and the trend, asked for a version, said they answered the present only).
    /// </summary>
    public string NotTaken(string name) =>
        $"{name} is not taken here: " +
        (Taken.Count == 0
            ? "this route answers the present only. "
            : $"this route takes {string.Join(" or ", Names.Where(Taken.Contains))}. ") +
        "The past is served by GET /api/commitments/{key} (recordedAsOf, version, effectiveAsOf), " +
        "/api/commitments/{key}/timeline (recordedAsOf, version, effectiveAsOf), " +
        "/api/commitments/{key}/trend, /api/commitments and /api/dashboard (recordedAsOf, effectiveAsOf).";
}

/// <summary>The range each whole-number query parameter of a route takes, by name ("from 1 to 500").</summary>
public sealed record QueryRanges(IReadOnlyDictionary<string, string> Ranges);

/// <summary>
/// Puts on every endpoint what the request guard and the problem writer read about it: the past parameters it takes,
/// and the type of its request body.
/// </summary>
public sealed class EndpointMetadataPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains)
        {
            var taken = chain.Method.Method.GetParameters().Select(p => p.Name)
                .Where(name => name is not null && PastParameters.Names.Contains(name)).Select(name => name!)
                // Query names bind whatever their case (?Version=1 is ?version=1).
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
            chain.Metadata.WithMetadata(new PastParameters(taken));
            // The range of each whole number the route takes ([Range] on its parameter), which a value too large to read
            // as one is told (until 2026-12-06 "limit=2147483648" was told only "in the range this route gives it").
            chain.Metadata.WithMetadata(new QueryRanges(chain.Method.Method.GetParameters()
                .Where(p => p.Name is not null && (Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType) is var type &&
                            (type == typeof(int) || type == typeof(long)))
                .Select(p => (Name: p.Name!, Range: p.GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.RangeAttribute), false)
                    .OfType<System.ComponentModel.DataAnnotations.RangeAttribute>().FirstOrDefault()))
                .Where(p => p.Range is not null)
                .ToDictionary(p => p.Name, p => $"from {Convert.ToInt64(p.Range!.Minimum, System.Globalization.CultureInfo.InvariantCulture)} to " +
                                               $"{Convert.ToInt64(p.Range.Maximum, System.Globalization.CultureInfo.InvariantCulture)}",
                    StringComparer.OrdinalIgnoreCase)));
            if (chain.RequestType is { } body) chain.Metadata.WithMetadata(new Infrastructure.RequestBody(body));
        }
    }
}
