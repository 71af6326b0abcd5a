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
