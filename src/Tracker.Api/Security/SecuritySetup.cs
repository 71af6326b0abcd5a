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
                            // (Its id is written after "client:", so only its spelling is checked, not whether it
                            // reads as one of the service's own names: an import job's client may be "catalogue-import".)
                            if (subject is null && ClientOf(context.Principal) is { } client && SubjectRefusal(client, asActor: false) is null &&
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
    public static string? SubjectRefusal(string? subject, bool asActor = true) =>
        string.IsNullOrWhiteSpace(subject) ? "The token names no subject (sub), nor a client (client_id or azp): every write records who made it."
        : subject != subject.Trim() || subject.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) is
              System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator) ||
          Commitments.Stating.NameSpellings.HoldsInvisible(subject)
            ? "The token's subject (sub) has spaces around it, or characters no reader sees: every write records it as its actor."
        : asActor && SpelledAsTheServicesOwn(subject)
            ? $"The token's subject '{subject}' is spelled as the service's own API keys name their holders, or as the service " +
              "names itself: the log could not tell the two apart."
            : null;

    /// <summary>
    /// Whether a subject reads as one of the names the service gives: its API keys' holders (key:..., client:..., the demo
    /// keys, the bootstrap admin, anonymous) or itself (tracker-service for a deadline's passing, catalogue-import for an
    /// import; until 2026-12-07 a token could write as either). Compared as a reader would see it, case ignored: any dash
    /// is a hyphen, and letters of other scripts or forms drawn as the Latin ones are read as them (<see cref="LooksLike"/>).
    /// </summary>
    private static bool SpelledAsTheServicesOwn(string subject)
    {
        var seen = new string(subject.Select(LooksLike).ToArray()).ToLowerInvariant();
        return seen.StartsWith("key:", StringComparison.Ordinal) || seen.StartsWith("demo-", StringComparison.Ordinal) ||
               seen.StartsWith("client:", StringComparison.Ordinal) ||
               new[] { "bootstrap-admin", "anonymous", Commitments.Assessing.CheckDeadline.Actor, Catalogue.CatalogueImporter.Actor }
                   .Contains(seen);
    }

    /// <summary>
    /// The ASCII character a character is drawn as, where it is drawn as one: any dash as a hyphen, full-width forms,
    /// small roman numerals (ⅾ, ⅿ, ⅰ, ⅴ, ⅼ, ⅽ, ⅹ), and the Cyrillic and Greek letters that look Latin. A short table, not
    /// Unicode's confusables: the service runs without ICU, and the names it guards are a few ASCII words; "démo-admin",
    /// with an accent a reader sees, is no look-alike.
    /// </summary>
    private static char LooksLike(char c) => c switch
    {
        _ when char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.DashPunctuation => '-',
        >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
        '\u2170' => 'i', '\u2174' => 'v', '\u2179' => 'x', '\u217C' => 'l', '\u217D' => 'c', '\u217E' => 'd', '\u217F' => 'm',
        '\u0430' or '\u0410' => 'a', '\u0435' or '\u0415' => 'e', '\u043E' or '\u041E' => 'o', '\u0440' or '\u0420' => 'p',
        '\u0441' or '\u0421' => 'c', '\u0443' => 'y', '\u0445' or '\u0425' => 'x', '\u0456' or '\u0406' => 'i',
        '\u0455' or '\u0405' => 's', '\u0458' or '\u0408' => 'j', '\u041A' or '\u043A' => 'k', '\u041C' => 'm', '\u041D' => 'h',
        '\u0422' => 't', '\u0412' => 'b', '\u0501' => 'd', '\u04BB' => 'h', '\u0261' => 'g',
        '\u03BF' or '\u039F' => 'o', '\u03B1' or '\u0391' => 'a', '\u03B5' or '\u0395' => 'e', '\u03BA' or '\u039A' => 'k',
        '\u03B9' or '\u0399' => 'i', '\u03BD' or '\u039D' => 'n', '\u03C4' or '\u03A4' => 't', '\u03C1' or '\u03A1' => 'p',
        '\u0392' => 'b', '\u039C' => 'm', '\u03A5' or '\u03C5' => 'y', '\u0131' => 'i',
        _ => c
    };

    public static WebApplication UseTrackerSecurity(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<RequestSizeLimit>();
        app.UseCors();
        // After CORS, so that a page of an allowed origin can read the 501 (before it, the answer had no CORS headers).
        app.UseMiddleware<Infrastructure.Http.KnownMethods>();
        app.UseMiddleware<SignInThrottle>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<HeavyReadsBuffered>();
        app.UseRateLimiter();
        return app;
    }
}
