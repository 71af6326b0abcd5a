using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Tracker.Api.Security;

/// <summary>X-Api-Key: the bootstrap admin key, a demo key (Development), or a stored key.</summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, ApiKeyStore keys, IOptions<AuthOptions> auth, RateLimits limits)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    /// <summary>Where a refused key's reason waits for the 401's problem (ProblemDetailsSetup).</summary>
    public const string RefusedBecause = "tracker.auth.refused-because";

    /// <summary>The challenge RFC 9110 asks a 401 to carry: the two ways to sign in this service takes.</summary>
    public const string Challenges = $"{SchemeName} header=\"{Header}\", Bearer";

    /// <summary>
    /// The stored key, except that a health probe's key is taken as no key (Outage) while the database does not answer: readiness
    /// answers its status alone, as to a caller without a key (until 2026-12-07 the key's lookup failed the probe with the
    /// API's 503 problem instead of readiness's own body). Elsewhere the outage is the request's 503, as before.
    /// </summary>
    private async Task<(ApiKeyInfo? Key, bool Outage)> FindUnlessAProbeInAnOutage(string key)
    {
        try
        {
            return (await keys.Find(key, Context.RequestAborted), false);
        }
        catch (Exception e) when (Request.Path.StartsWithSegments("/health") && Infrastructure.OutageLogs.OutageIn(e) is not null)
        {
            // Not a failed sign-in either: nothing was learnt of the key.
            return (null, true);
        }
    }

    /// <summary>When each revoked key's use was last said: process-wide, as the handler is made per request.</summary>
    private static class RevokedUseSaid
    {
        private static readonly Dictionary<string, DateTimeOffset> Said = [];
        private static readonly Lock Saying = new();

        public static bool Admit(string name, DateTimeOffset now)
        {
            // Checked and set as one: two requests at once with the key say it once.
            lock (Saying)
            {
                if (Said.TryGetValue(name, out var last) && now - last < TimeSpan.FromMinutes(1)) return false;
                Said[name] = now;
                return true;
            }
        }
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if ((await HandleAuthenticateOnceSafeAsync()).Failure is { } refused) Context.Items[RefusedBecause] = refused.Message;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Challenges;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var given)) return AuthenticateResult.NoResult();
        // Given but empty is a key that is wrong, not no key: a client whose key went missing hears so on a read too. So is
        // a header given more than once, whatever its values.
        if (given.Count > 1) return AuthenticateResult.Fail("The X-Api-Key header is given more than once: give one key.");
        var key = given.ToString();
        if (key.Length == 0) return AuthenticateResult.Fail("The X-Api-Key header is empty: give a key, or leave the header out.");
        // Two credentials are one too many, whatever the other's scheme (a bearer token beside a key is refused where
        // tokens are read): until 2026-12-07 "Authorization: Basic ..." beside a key went unread, though alone it is a 401.
        // (A token, "Bearer " and more, goes to the token's handler, which refuses a key beside it; whatever else comes here.)
        if (Request.Headers.Authorization.Count > 0)
        {
            return AuthenticateResult.Fail("Both an Authorization header and an X-Api-Key header are given: give one.");
        }

        var settings = auth.Value;
        (string Name, IReadOnlyList<string> Roles)? identity = null;
        if (!string.IsNullOrEmpty(settings.BootstrapAdminKey) &&
            System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes(settings.BootstrapAdminKey)))
        {
            identity = ("bootstrap-admin", [Roles.Admin]);
        }
        else if (settings.DemoKeys && DemoKeys.ByKey.TryGetValue(key, out var role))
        {
            identity = ($"demo-{role}", [role]);
        }
        else
        {
            var (stored, outage) = await FindUnlessAProbeInAnOutage(key);
            if (outage) return AuthenticateResult.NoResult();
            if (stored?.RevokedAt is { } revokedAt)
            {
                // Refused as an unknown key is (the client learns nothing of which keys existed), but said to the operator:
                // a revoked key still in use is a client not yet moved to its new key, or a leaked key being tried (until
                // 2026-12-07 nothing told the two apart from a mistyped key). Once a minute per key at most.
                if (RevokedUseSaid.Admit(stored.Name, TimeProvider.GetUtcNow()))
                {
                    Logger.LogWarning("A revoked API key was presented: key:{Name}, revoked at {RevokedAt:O}, from {Address}; refused",
                        stored.Name, revokedAt, Context.Connection.RemoteIpAddress);
                }
            }
            else if (stored is not null) identity = ($"key:{stored.Name}", stored.Roles);
        }

        if (identity is not { } found)
        {
            limits.FailedSignIn(Context);
            return AuthenticateResult.Fail("The API key is not valid or was revoked.");
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, found.Name) };
        claims.AddRange(found.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
