using Alba;
using Microsoft.AspNetCore.Builder;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Api.Security;

namespace Tracker.Tests.Support;

/// <summary>
/// Who a test request comes from. Every request carries the demo admin key unless it names its own credentials or asks
/// to be anonymous (the security tests do both).
/// </summary>
public static class TestIdentities
{
    public const string Issuer = "tracker-tests";
    public const string Audience = "tracker-api";
    public const string SigningKey = "a-test-only-signing-key-of-at-least-32-bytes!";
    public const string AnonymousMarker = "X-Test-Anonymous";

    public static string DemoKey(string role) => $"demo-{role}-key";

    /// <summary>Runs first in the test host's pipeline, where it sees the headers each scenario set.</summary>
    public sealed class AdminByDefault : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(
            Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(async (Microsoft.AspNetCore.Http.HttpContext context, Func<Task> following) =>
            {
                var headers = context.Request.Headers;
                if (!headers.Remove(AnonymousMarker) &&
                    !headers.ContainsKey(ApiKeyAuthentication.Header) && !headers.ContainsKey("Authorization"))
                {
                    headers[ApiKeyAuthentication.Header] = DemoKey(Roles.Admin);
                }
                await following();
            });
            next(app);
        };
    }

    /// <summary>A stored API key named after the person or machine it belongs to; writes record "key:{name}".</summary>
    public static Task<string> KeyFor(this IAlbaHost host, string name, params string[] roles) =>
        host.Services.GetRequiredService<ApiKeyStore>().Create(name, roles.Length == 0 ? [Roles.Monitor] : roles, CancellationToken.None);

    public static string Token(string? subject, string role, string audience = Audience, TimeSpan? expiresIn = null,
        string signingKey = SigningKey, string? client = null)
    {
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(10));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = expires < now ? expires.AddMinutes(-10) : now,
            NotBefore = expires < now ? expires.AddMinutes(-10) : now,
            Expires = expires,
            Claims = new Dictionary<string, object?> { ["sub"] = subject, ["role"] = role, ["client_id"] = client }
                .Where(claim => claim.Value is not null).ToDictionary(claim => claim.Key, claim => claim.Value!),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(signingKey)),
                SecurityAlgorithms.HmacSha256)
        });
    }
}
