using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Tracker.Api.Security;

public static class Refusals
{
    /// <summary>The policy a route's own check refused on, where it is not the route's (a past view's auditor role).</summary>
    public const string RefusedOn = "tracker.auth.refused-on";

    /// <summary>A 403's detail: the roles the route admits, and the ones the caller's credentials have.</summary>
    public static string Forbidden(HttpContext http)
    {
        var policies = http.Items[RefusedOn] is string own
            ? [own]
            : (http.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>() ?? []).Select(a => a.Policy).OfType<string>();
        var needed = policies.Select(Policies.RolesOf).LastOrDefault(roles => roles is not null) ?? Roles.All;
        var held = http.User.FindAll(c => c.Type is "role" or ClaimTypes.Role).Select(c => c.Value).Distinct().ToList();
        return $"This needs the role {string.Join(" or ", needed)}; the credentials given have " +
               (held.Count == 0 ? "no role." : $"{string.Join(", ", held)}.");
    }
}
