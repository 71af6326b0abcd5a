using JasperFx;
using JasperFx.CodeGeneration;
using Wolverine.Http;

namespace Tracker.Api.Security;

/// <summary>
/// Who may call each endpoint, decided in one place by what the route does: administration (admin), the auditors'
/// views (history, changelog, the feed, verification, exports: auditor), writes (monitor), and the public reads.
/// The past views of a commitment or the dashboard (?recordedAsOf, ?version, ?effectiveAsOf) check the audit policy
/// in the endpoint, since they share the route of the present view.
/// </summary>
public sealed class RouteAuthorization : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains)
        {
            chain.Metadata.RequireAuthorization(PolicyFor(chain.HttpMethods.FirstOrDefault() ?? "GET",
                chain.RoutePattern?.RawText ?? ""));
        }
    }

    public static string PolicyFor(string method, string route)
    {
        if (route.StartsWith("/api/admin", StringComparison.Ordinal)) return Policies.Administer;
        if (route.StartsWith("/api/audit", StringComparison.Ordinal) || route.StartsWith("/api/exports", StringComparison.Ordinal) ||
            route.EndsWith("/history", StringComparison.Ordinal) || route.EndsWith("/history.csv", StringComparison.Ordinal) ||
            route.EndsWith("/changelog", StringComparison.Ordinal))
        {
            return Policies.Audit;
        }
        return method == "GET" ? Policies.Read : Policies.Write;
    }
}
