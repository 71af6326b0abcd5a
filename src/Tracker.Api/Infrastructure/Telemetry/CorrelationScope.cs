using System.Diagnostics;

namespace Tracker.Api.Infrastructure.Telemetry;

/// <summary>
/// Every request's correlation id: the client's X-Correlation-Id (RequestTextGuard has checked it), else the trace id.
/// It is echoed in the response, recorded with every event a write appends (WriteMetadata), put on the request's span,
/// and in the scope of every log line written while the request runs (beside the trace and span ids ASP.NET Core adds),
/// so a log line joins to what the client saw.
/// </summary>
public sealed class CorrelationScope(RequestDelegate next, ILogger<CorrelationScope> logger)
{
    public const string Header = "X-Correlation-Id";
    private const string Item = "tracker.correlation-id";

    public static string? Of(HttpContext context) => context.Items[Item] as string;

    public async Task InvokeAsync(HttpContext context)
    {
        var given = context.Request.Headers[Header].ToString().Trim();
        var id = given.Length > 0 ? given : Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
        context.Items[Item] = id;
        context.Response.Headers[Header] = id;
        TrackerTelemetry.RequestSpan(context)?.SetTag("tracker.correlation_id", id);
        using (logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = id }))
        {
            await next(context);
        }
    }
}
