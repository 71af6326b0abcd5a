using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Tracker.Api.Security;

/// <summary>Reading the public progress models: any role, or anyone at all when Auth:AnonymousReads is on.</summary>
public sealed class ReadAccess : IAuthorizationRequirement;

public sealed class ReadAccessHandler(IOptions<AuthOptions> auth) : AuthorizationHandler<ReadAccess>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ReadAccess requirement)
    {
        if (Roles.All.Any(context.User.IsInRole))
        {
            context.Succeed(requirement);
        }
        else if (auth.Value.AnonymousReads && !PresentedCredentials(context.Resource))
        {
            // Anonymous, not a caller whose key or token was refused: that caller gets a 401, not a quiet read.
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }

    private static bool PresentedCredentials(object? resource)
    {
        // With endpoint routing the resource of an authorization check is the request's HttpContext.
        return resource is HttpContext http &&
               (http.Request.Headers.ContainsKey(ApiKeyAuthentication.Header) || http.Request.Headers.ContainsKey("Authorization"));
    }
}
