using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Tracker.Api.Security;

/// <summary>Reading the public progress models: any role, or anyone at all when Auth:AnonymousReads is on.</summary>
public sealed class ReadAccess : IAuthorizationRequirement;

public sealed class ReadAccessHandler(IOptions<AuthOptions> auth) : AuthorizationHandler<ReadAccess>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ReadAccess requirement)
    {
        if (auth.Value.AnonymousReads || Roles.All.Any(context.User.IsInRole)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
