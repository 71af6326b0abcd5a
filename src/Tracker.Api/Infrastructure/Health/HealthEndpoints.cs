using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tracker.Api.Infrastructure.Health;

public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddTrackerHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ReadinessCheck>("database", tags: [ReadyTag])
            .AddCheck<LogGuardsCheck>("log", tags: [ReadyTag]);
        return services;
    }

    /// <summary>/health/live: the process answers. /health/ready: it can serve (database up, projection lag reported).</summary>
    public static WebApplication MapTrackerHealth(this WebApplication app)
    {
        // GET only (HEAD runs as GET: HeadAsGet): any other method is a 405 with Allow, as on every route (until
        // 2026-12-06 DELETE /health/ready answered 200).
        // (AllowCachingResponses: the framework would add Pragma and Expires; the answers are no-store, SecurityHeaders.)
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write, AllowCachingResponses = true })
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = Write,
            AllowCachingResponses = true,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable
            }
        }).WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
        return app;
    }

    /// <summary>
    /// A caller without a key or token learns whether the service is ready, nothing more: the node id, the event
    /// sequence, projection lag and dead letters are for operators (any role).
    /// </summary>
    private static Task Write(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        // As the API's 503s say when to ask again (until 2026-12-06 readiness's did not).
        if (context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "5";
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString() }, JsonSerializerOptions.Web));
        }
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data
            })
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
