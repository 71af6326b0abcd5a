using Microsoft.AspNetCore.Authorization;

namespace Tracker.Api.Security;

public static class AuditAccess
{
    /// <summary>For the past views that share a public route: null when the caller may audit, else 401 or 403.</summary>
    public static async Task<IResult?> Refusal(HttpContext http)
    {
        // Resolved here: its implementation is internal, so Wolverine's generated code cannot take it as a parameter.
        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        var result = await authorization.AuthorizeAsync(http.User, Policies.Audit);
        if (result.Succeeded) return null;
        http.Items[Refusals.RefusedOn] = Policies.Audit;
        return http.User.Identity?.IsAuthenticated == true ? Results.Forbid() : Results.Challenge();
    }
}
