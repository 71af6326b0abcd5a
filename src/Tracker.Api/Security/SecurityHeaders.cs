using Tracker.Api.Dashboard;

namespace Tracker.Api.Security;

/// <summary>
/// Headers that keep browsers from sniffing, framing or leaking what the API answers. Outside Development, responses
/// over HTTPS carry HSTS (RFC 6797 sends it over secure transport only); behind a TLS-terminating proxy the request
/// counts as HTTPS when the proxy is trusted and says so in X-Forwarded-Proto (Proxy:TrustedNetworks).
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next, IHostEnvironment environment)
{
    private readonly bool _strictTransport = !environment.IsDevelopment();

    public Task InvokeAsync(HttpContext context)
    {
        Apply(context);
        // An answer the exception handler writes (a lost race's 409, a malformed header's 400) starts from a cleared
        // response, without these, and with its own "no-cache,no-store", Pragma and Expires: they are put back as it
        // starts (until 2026-12-07 such answers went out without them). Other answers keep what later middleware set.
        context.Response.OnStarting(static state =>
        {
            var (self, http) = ((SecurityHeaders, HttpContext))state;
            if (!http.Response.Headers.ContainsKey("X-Content-Type-Options"))
            {
                http.Response.Headers.Pragma = default;
                http.Response.Headers.Expires = default;
                self.Apply(http);
            }
            return Task.CompletedTask;
        }, (this, context));
        return next(context);
    }

    private void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        if (_strictTransport && context.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
        headers["X-Content-Type-Options"] = "nosniff";
        headers["X-Frame-Options"] = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        // The probes and the scrape too (until 2026-12-07 the health answers had no policy, and the framework's
        // no-cache, Pragma and Expires beside no-store).
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/health") ||
            context.Request.Path.StartsWithSegments("/metrics"))
        {
            headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'";
            headers.CacheControl = "no-store";
        }
        else if (context.Request.Path.StartsWithSegments("/openapi"))
        {
            // The API's description changes with each release: asked again each time, never stored by a shared cache
            // unchecked (until 2026-12-07 it said nothing, and a cache could keep it as long as it liked).
            headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'";
            headers.CacheControl = "no-cache";
        }
        else if (context.Request.Path.StartsWithSegments("/scalar"))
        {
            // Scalar's page is its own bundled script and styles, with its configuration inline.
            headers["Content-Security-Policy"] = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
                                                 "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
                                                 "base-uri 'none'; frame-ancestors 'none'";
        }
        else if (DashboardSite.IsDashboardPath(context.Request.Path))
        {
            // The dashboard loads only its own files and talks only to this service: no CDN, no inline script or style.
            headers["Content-Security-Policy"] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
                                                 "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
        }
        else
        {
            // Nothing else is served: any other path is a problem (a 404, a 405), kept by no cache and allowed nothing, as
            // the API's are (until 2026-12-07 /favicon.ico's 404 had neither).
            headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'";
            headers.CacheControl = "no-store";
        }
    }
}
