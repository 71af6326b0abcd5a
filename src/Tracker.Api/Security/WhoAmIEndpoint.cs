using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Tracker.Api.Security;

/// <summary>The caller as the service sees them, and what each policy allows them: the dashboard shows or hides by it.</summary>
public sealed record Caller(bool Authenticated, string? Name, IReadOnlyList<string> Roles, CallerMay May);

public sealed record CallerMay(bool Read, bool Write, bool Audit, bool Administer);

public static class WhoAmIEndpoint
{
    [WolverineGet("/api/me", Name = "WhoAmI")]
    [EndpointSummary("Who the caller is and what they may do")]
    [Tags("Security")]
    [ProducesResponseType<Caller>(StatusCodes.Status200OK)]
    public static async Task<Caller> Get(HttpContext http)
    {
        // Resolved here: its implementation is internal, so Wolverine's generated code cannot take it as a parameter.
        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        async Task<bool> May(string policy) => (await authorization.AuthorizeAsync(http.User, http, policy)).Succeeded;

        var user = http.User;
        var authenticated = user.Identity?.IsAuthenticated == true;
        return new Caller(authenticated, authenticated ? user.Identity!.Name : null,
            Roles.All.Where(user.IsInRole).ToList(),
            new CallerMay(await May(Policies.Read), await May(Policies.Write), await May(Policies.Audit), await May(Policies.Administer)));
    }
}
