using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Tokens;
using Tracker.Api.Infrastructure;

namespace Tracker.Api.Security;

public static class SecuritySetup
{
    private const string Selector = "Tracker";

    public static IServiceCollection AddTrackerSecurity(this IServiceCollection services, IConfiguration configuration,
        IHostEnvironment environment)
    {
        var auth = configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        if (auth.DemoKeys && !environment.IsDevelopment())
        {
            throw new ConfigurationProblem(
                $"Auth:DemoKeys is on in the {environment.EnvironmentName} environment: the demo keys are public. " +
                "Turn it off and create keys with `api-keys create`, or set Auth:BootstrapAdminKey.");
        }

        services.Configure<AuthOptions>(configuration.GetSection("Auth"));
        services.AddSingleton<ApiKeyStore>();
        services.AddHostedService<ApiKeyRevocations>();
        services.AddSingleton<IAuthorizationHandler, ReadAccessHandler>();

        services.AddAuthentication(Selector)
            .AddPolicyScheme(Selector, "API key or bearer token", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null)
            .AddJwtBearer(options =>
            {
                var jwt = auth.Jwt;
                options.MapInboundClaims = false;
                if (!string.IsNullOrWhiteSpace(jwt.Authority)) options.Authority = jwt.Authority;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Issuer,
                    ValidAudience = jwt.Audience,
                    ValidateIssuer = jwt.Issuer is not null,
                    ValidateAudience = true,
                    IssuerSigningKey = string.IsNullOrWhiteSpace(jwt.SigningKey)
                        ? null
                        : new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(jwt.SigningKey)),
                    NameClaimType = "sub",
                    RoleClaimType = "role",
                    ClockSkew = TimeSpan.FromSeconds(30)
                };
                options.Events = new JwtBearerEvents
                {
                    // Two credentials are one too many: until 2026-12-06 a token made a key beside it go unread, even one
                    // that was not valid (which alone answers 401).
                    OnMessageReceived = context =>
                    {
                        if (context.Request.Headers.ContainsKey(ApiKeyAuthentication.Header))
                            Refuse(context, "Both a bearer token and an X-Api-Key header are given: give one.");
                        return Task.CompletedTask;
                    },
                    // The token's subject is every write's actor and the scope of its idempotency keys: it must name
                    // somebody, and not be spelled as the service's own holders are ("key:...", a demo or bootstrap key,
                    // "anonymous"). Until 2026-12-06 a token without one wrote as "anonymous", and every such token shared
                    // one another's idempotent answers.
                    OnTokenValidated = context =>
                    {
                        var subject = context.Principal?.FindFirst("sub")?.Value;
                        if (SubjectRefusal(subject) is { } refused)
                        {
                            // A machine's token (OAuth client credentials) often names its client and no subject: the
                            // client is the actor, as "client:{id}", which no subject may spell.
                            if (subject is null && ClientOf(context.Principal) is { } client && SubjectRefusal(client) is null &&
                                context.Principal?.Identity is System.Security.Claims.ClaimsIdentity identity)
                            {
                                identity.AddClaim(new System.Security.Claims.Claim("sub", $"client:{client}"));
                                return Task.CompletedTask;
                            }
                            Refuse(context, refused);
                        }
                        return Task.CompletedTask;
                    },
                    OnAuthenticationFailed = context =>
                    {
                        context.HttpContext.RequestServices.GetRequiredService<RateLimits>().FailedSignIn(context.HttpContext);
                        return Task.CompletedTask;
                    }
                };
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Read, p => p.AddRequirements(new ReadAccess()))
            .AddPolicy(Policies.Write, p => p.RequireRole(Roles.Monitor, Roles.Admin))
            .AddPolicy(Policies.Audit, p => p.RequireRole(Roles.Auditor, Roles.Admin))
            .AddPolicy(Policies.Administer, p => p.RequireRole(Roles.Admin));

        // Behind a reverse proxy the client's address and scheme come from X-Forwarded-For and X-Forwarded-Proto, read
        // only from proxies on this host (loopback) or in Proxy:TrustedNetworks: per-address limits count clients, not
        // the proxy, and HSTS knows the request was HTTPS.
        services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor |
                                       Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            foreach (var network in configuration.GetSection("Proxy:TrustedNetworks").Get<string[]>() ?? [])
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });

        var limits = new RateLimits(configuration);
        services.AddSingleton(limits);
        services.AddRateLimiter(limits.Configure);

        var origins = configuration.GetSection("Cors:Origins").Get<string[]>() ?? [];
        services.AddCors(options => options.AddDefaultPolicy(policy =>
        {
            // Closed unless dashboard origins are configured.
            if (origins.Length > 0)
            {
                // Every header the API answers with that a browser would otherwise hide from a page of another origin
                // (the page links, a replayed write, an export's file name, the timeline's lag: until 2026-12-06 hidden).
                policy.WithOrigins(origins).AllowAnyHeader().AllowAnyMethod()
                    .WithExposedHeaders("ETag", "Location", "X-Correlation-Id", "X-Tracker-View", "Retry-After", "Link",
                        "Idempotent-Replayed", "Content-Disposition", Infrastructure.Freshness.LagHeader);
            }
        }));
        return services;
    }

    /// <summary>A token refused for a reason of the service's own, which the 401 then says (<see cref="Refusals.Unauthenticated"/>).</summary>
    private static void Refuse<TOptions>(Microsoft.AspNetCore.Authentication.ResultContext<TOptions> context, string reason)
        where TOptions : AuthenticationSchemeOptions
    {
        context.HttpContext.Items[Refusals.BearerRefusal] = reason;
        context.Fail(reason);
    }

    /// <summary>The client a token was issued to (client_id, or azp), when it names one.</summary>
    private static string? ClientOf(System.Security.Claims.ClaimsPrincipal? principal) =>
        principal?.FindFirst("client_id")?.Value ?? principal?.FindFirst("azp")?.Value;

    /// <summary>
    /// Why a token's subject cannot be an actor; null when it can. (The actor is written as given: a subject with spaces
    /// around it, or characters no reader sees, would be trimmed or read as another's, " key:alice" as Alice's key; so it
    /// is refused as it comes.)
    /// </summary>
    public static string? SubjectRefusal(string? subject) =>
        string.IsNullOrWhiteSpace(subject) ? "The token names no subject (sub), nor a client (client_id or azp): every write records who made it."
        : subject != subject.Trim() || subject.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) is
              System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator) ||
          Commitments.Stating.NameSpellings.HoldsInvisible(subject)
            ? "The token's subject (sub) has spaces around it, or characters no reader sees: every write records it as its actor."
        : SpelledAsTheServicesOwn(subject)
            ? $"The token's subject '{subject}' is spelled as the service's own API keys name their holders, or as the service " +
              "names itself: the log could not tell the two apart."
            : null;

    /// <summary>
    /// Whether a subject reads as one of the names the service gives: its API keys' holders (key:..., client:..., the demo
    /// keys, the bootstrap admin, anonymous) or itself (tracker-service for a deadline's passing, catalogue-import for an
    /// import; until 2026-12-07 a token could write as either). Compared as a reader would see it, case ignored: any dash
    /// is a hyphen, and up to two characters outside ASCII among the name's (a roman numeral ⅾ for the d, a Cyrillic е
    /// for the e) stand for whatever the name has there. (The service runs without ICU, so letters are not folded by
    /// Unicode's compatibility tables; a name all in another script is never one of these.)
    /// </summary>
    private static bool SpelledAsTheServicesOwn(string subject)
    {
        var seen = new string(subject.Select(c =>
            char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.DashPunctuation ? '-' : c).ToArray());
        return new[] { "key:", "demo-", "client:" }.Any(prefix => seen.Length >= prefix.Length && ReadsAs(seen[..prefix.Length], prefix)) ||
               new[] { "bootstrap-admin", "anonymous", Commitments.Assessing.CheckDeadline.Actor, Catalogue.CatalogueImporter.Actor }
                   .Any(name => ReadsAs(seen, name));
    }

    private static bool ReadsAs(string seen, string name)
    {
        if (seen.Length != name.Length) return false;
        var standIns = 0;
        for (var i = 0; i < seen.Length; i++)
        {
            if (!char.IsAscii(seen[i])) standIns++;
            else if (char.ToLowerInvariant(seen[i]) != name[i]) return false;
        }
        return standIns <= 2;
    }

    public static WebApplication UseTrackerSecurity(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<RequestSizeLimit>();
        app.UseCors();
        app.UseMiddleware<SignInThrottle>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }
}
