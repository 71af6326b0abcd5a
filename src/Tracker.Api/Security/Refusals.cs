using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Tracker.Api.Security;

public static class Refusals
{
    /// <summary>
    /// A 401's detail when no credentials were accepted: what was sent, and what the service takes. Until 2026-12-06 a
    /// bearer token sent to a service with no bearer tokens configured was said to be expired or for another audience,
    /// and an Authorization header of another scheme (Basic) was told credentials were needed, as if none were sent.
    /// </summary>
    public static string Unauthenticated(Microsoft.AspNetCore.Http.HttpContext http)
    {
        const string takes = "send an API key in the X-Api-Key header, or a bearer token (Authorization: Bearer ...)";
        var authorization = http.Request.Headers.Authorization.ToString().Trim();
        // An Authorization header sent empty is a credential that says nothing, as an empty X-Api-Key is (until 2026-12-07
        // it was told credentials were needed, on a route that needs none).
        if (authorization.Length == 0 && http.Request.Headers.ContainsKey("Authorization"))
            return $"The Authorization header is empty: {takes}, or send neither where a route needs no credentials.";
        if (authorization.Length == 0) return "This needs credentials: an API key in the X-Api-Key header, or a bearer token in the Authorization header.";
        var scheme = authorization.Split(' ', 2)[0];
        if (!scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return scheme.Length <= 20 && scheme.All(char.IsAsciiLetterOrDigit)
                ? $"The Authorization header's scheme, '{scheme}', is not one this service takes: {takes}."
                : $"The Authorization header names no scheme this service takes: {takes}.";
        }
        if (authorization.Length == scheme.Length) return "The Authorization header names the Bearer scheme but carries no token.";
        var jwt = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.Jwt;
        // Said first: a client told to drop its key beside a token would then learn that no token is taken.
        if (string.IsNullOrWhiteSpace(jwt.Authority) && string.IsNullOrWhiteSpace(jwt.SigningKey))
            return "This service takes no bearer tokens (Auth:Jwt is not configured): send an API key in the X-Api-Key header.";
        return http.Items[BearerRefusal] as string
               ?? "The bearer token was refused: expired, for another audience or issuer, or not signed with a key this service trusts.";
    }

    /// <summary>Why the service itself refused a bearer token that otherwise held (no subject, a key beside it).</summary>
    public const string BearerRefusal = "tracker.auth.bearer-refusal";

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
