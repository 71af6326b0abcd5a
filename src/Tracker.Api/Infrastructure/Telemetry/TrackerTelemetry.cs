using System.Diagnostics;
using System.Diagnostics.Metrics;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Tracker.Api.Infrastructure.Telemetry;

/// <summary>
/// OpenTelemetry for the service: traces from ASP.NET Core, Npgsql, Wolverine and Marten; metrics from the runtime, ASP.NET
/// Core, Npgsql, Marten (events appended, by type), Wolverine and the service's own meter (<see cref="TrackerMetrics"/>).
/// Exported over OTLP when an OTLP endpoint is set, for every signal or one (the OTEL_* variables configure it), scraped by Prometheus
/// at /metrics when Telemetry:PrometheusEndpoint is on, and recorded for nobody otherwise.
/// </summary>
public static class TrackerTelemetry
{
    public const string ServiceName = "commitment-tracker";
    public const string MeterName = "Tracker";

    /// <summary>Span attributes the service adds to a request's span.</summary>
    public const string CommitmentKeyTag = "tracker.commitment.key";
    public const string EventTypesTag = "tracker.event.types";

    /// <param name="exports">
    /// Whether telemetry is sent anywhere: `describe` sends none, and sets the services up over a view of the settings
    /// with the secrets hidden, where the OTLP exporter read "(set, not shown)" as its headers and failed the description
    /// with a stack trace (until 2026-12-07).
    /// </param>
    public static IServiceCollection AddTrackerTelemetry(this IServiceCollection services, IConfiguration configuration, bool exports = true)
    {
        services.AddSingleton<TrackerMetrics>();
        services.AddHostedService(provider => provider.GetRequiredService<TrackerMetrics>());

        // With nowhere to send them, no span or measurement is recorded at all (a listener costs on every request):
        // on when OTLP or Prometheus is configured, or when Telemetry:Enabled says so (a collector of one's own).
        var otlp = Settings.OtlpExporterSettings.Exports(configuration);
        var prometheus = configuration.GetValue("Telemetry:PrometheusEndpoint", false);
        if (!configuration.GetValue("Telemetry:Enabled", otlp || prometheus)) return services;

        var telemetry = services.AddOpenTelemetry()
            // OTEL_SERVICE_NAME, when set, names the service; otherwise this does.
            .ConfigureResource(resource =>
            {
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService(ServiceName, serviceVersion: typeof(TrackerTelemetry).Assembly.GetName().Version?.ToString());
                }
            })
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options =>
                {
                    // Probes and scrapes are not traffic.
                    options.Filter = context => !context.Request.Path.StartsWithSegments("/health") &&
                                                !context.Request.Path.StartsWithSegments("/metrics");
                    options.RecordException = true;
                })
                .AddNpgsql()
                .AddSource("Wolverine")
                .AddSource("Marten"))
            .WithMetrics(metrics => metrics
                .AddRuntimeInstrumentation()
                .AddAspNetCoreInstrumentation()
                .AddMeter("Npgsql")
                .AddMeter("Marten")
                // Wolverine names its meter "Wolverine:" and the service's name.
                .AddMeter("Wolverine", "Wolverine:*")
                .AddMeter(MeterName));

        if (otlp && exports)
        {
            // Logs go too, with their scopes: the correlation id beside the trace id.
            telemetry.UseOtlpExporter();
            services.AddHostedService<OtlpExportFailures>();
            services.Configure<OpenTelemetry.Logs.OpenTelemetryLoggerOptions>(options => options.IncludeScopes = true);
        }
        if (prometheus) telemetry.WithMetrics(metrics => metrics.AddPrometheusExporter());
        return services;
    }

    /// <summary>/metrics for Prometheus, when Telemetry:PrometheusEndpoint is on.</summary>
    public static WebApplication MapTrackerMetrics(this WebApplication app)
    {
        // Read as the check reads it: `describe` maps the routes with a word where the switch should be (the start refuses it).
        if (bool.TryParse(app.Configuration["Telemetry:PrometheusEndpoint"], out var scraped) && scraped) app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
        return app;
    }

    /// <summary>Names the commitment a request is about on its span (the route's key).</summary>
    public static void TagCommitment(HttpContext context)
    {
        if (RequestSpan(context) is { } span && context.GetRouteValue("key") is string key) span.SetTag(CommitmentKeyTag, key);
    }

    /// <summary>Names on the request's span the types of the events the session is about to append.</summary>
    public static void TagEventTypes(HttpContext context, Marten.IDocumentSession session)
    {
        // Read only for a span that records its tags: with no trace listening, a write does not walk its events for it.
        if (RequestSpan(context) is not { IsAllDataRequested: true } span) return;
        var types = session.PendingChanges.Streams().SelectMany(s => s.Events).Select(e => e.EventTypeName).Distinct().ToList();
        if (types.Count > 0) span.SetTag(EventTypesTag, string.Join(",", types));
    }

    /// <summary>The request's own span (ASP.NET Core's), whatever span is current.</summary>
    public static Activity? RequestSpan(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpActivityFeature>()?.Activity ?? Activity.Current;
}

/// <summary>
/// The service's own metrics, on the meter "Tracker":
/// - tracker.writes.refused (counter): writes a domain rule refused, by rule;
/// - tracker.projection.lag (gauge, events): how far each async projection is behind the newest event;
/// - tracker.checkpoint.age (gauge, seconds): how long ago the latest signed checkpoint of the log was taken (absent before the first).
/// The gauges are sampled every Telemetry:SampleSeconds (15) by this service, so a scrape never queries the database.
/// Events appended, by type, are Marten's own counter (marten.event.append).
/// </summary>
public sealed class TrackerMetrics(Marten.IDocumentStore store, Audit.Checkpoints.LogCheckpoints checkpoints,
    IConfiguration configuration, ILogger<TrackerMetrics> logger) : BackgroundService
{
    private static readonly Meter Meter = new(TrackerTelemetry.MeterName);
    private static readonly Counter<long> Refused = Meter.CreateCounter<long>("tracker.writes.refused", "{write}",
        "Writes a domain rule refused, by rule");

    // One sample per process (the meter is the process's): the newest sampler's figures, and when it took them. A sample
    // older than three periods is not reported at all rather than reported stale.
    private static volatile Sample? _latest;

    private sealed record Sample(IReadOnlyDictionary<string, long> Lag, DateTimeOffset? LatestCheckpoint, DateTimeOffset Taken, TimeSpan Every);

    static TrackerMetrics()
    {
        Meter.CreateObservableGauge("tracker.projection.lag",
            () => Fresh() is { } sample
                ? sample.Lag.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("projection", p.Key)))
                : [],
            "{event}", "How many events each async projection is behind the newest one");
        Meter.CreateObservableGauge("tracker.checkpoint.age",
            () => Fresh() is { LatestCheckpoint: { } taken }
                ? [new Measurement<double>((DateTimeOffset.UtcNow - taken).TotalSeconds)]
                : Array.Empty<Measurement<double>>(),
            "s", "How long ago the latest signed checkpoint of the log was taken");
    }

    private static Sample? Fresh() =>
        _latest is { } sample && DateTimeOffset.UtcNow - sample.Taken < 3 * sample.Every ? sample : null;

    public static void RuleRefused(string rule) => Refused.Add(1, new KeyValuePair<string, object?>("rule", rule));

    protected override async Task ExecuteAsync(CancellationToken token)
    {
        var every = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Telemetry:SampleSeconds", 15)));
        using var timer = new PeriodicTimer(every);
        do
        {
            try
            {
                var (_, lag) = await Freshness.AllShards(store, token);
                _latest = new Sample(lag, (await checkpoints.Latest(token))?.TakenAt, DateTimeOffset.UtcNow, every);
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                // Never the host's end: the gauges go quiet until a sample succeeds again.
                if (DatabaseOutage.Is(e)) logger.LogWarning("Could not sample the projection lag and checkpoint age: {Problem}", e.Message);
                else logger.LogWarning(e, "Could not sample the projection lag and checkpoint age");
            }
        } while (await timer.NextTickOrStop(token));
    }
}
