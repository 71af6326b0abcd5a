using System.Diagnostics.Tracing;
using System.Globalization;

namespace Tracker.Api.Infrastructure.Telemetry;

/// <summary>
/// A collector the OTLP exporter cannot reach, or that refuses what it is sent, said in the service's own log as a warning.
/// The OpenTelemetry SDK reports its export failures only on its event source, which nothing reads unless a tool is
/// attached: a collector that was down, misaddressed or refused the headers lost every span, metric and log line without a
/// word (until 2026-12-07). The first failure is said at once; later ones at most every five minutes, with how many
/// there were since, so that an outage of the collector does not flood the log it cannot ship.
/// </summary>
public sealed class OtlpExportFailures : EventListener, IHostedService
{
    /// <summary>The OTLP exporter's event source (OpenTelemetry.Exporter.OpenTelemetryProtocol).</summary>
    public const string ExporterSource = "OpenTelemetry-Exporter-OpenTelemetryProtocol";

    public static readonly TimeSpan SaidAtMostEvery = TimeSpan.FromMinutes(5);

    // Set after the base constructor, which hands over the event sources that exist already before this one's body runs.
    private readonly ILogger<OtlpExportFailures>? _logger;
    private readonly TimeProvider? _clock;
    private readonly Lock _said = new();
    private DateTimeOffset? _lastSaid;
    private int _notSaid;

    public OtlpExportFailures(ILogger<OtlpExportFailures> logger, TimeProvider clock)
    {
        _logger = logger;
        _clock = clock;
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == ExporterSource) EnableEvents(source, EventLevel.Error);
    }

    protected override void OnEventWritten(EventWrittenEventArgs failure)
    {
        if (_logger is null || _clock is null || failure.Level is not (EventLevel.Critical or EventLevel.Error)) return;
        int before;
        lock (_said)
        {
            var now = _clock.GetUtcNow();
            if (_lastSaid is { } last && now - last < SaidAtMostEvery)
            {
                _notSaid++;
                return;
            }
            before = _notSaid;
            (_lastSaid, _notSaid) = (now, 0);
        }
        _logger.LogWarning("Telemetry is not reaching its OTLP collector: {Failure}{Since}", Describe(failure),
            before > 0 ? $" ({before} more failure{(before == 1 ? "" : "s")} since the last said)" : "");
    }

    /// <summary>
    /// The event's message with its values, each to its first line: the exporter passes an exception whole, stack trace
    /// and all, where its first line says what went wrong ("Connection refused (127.0.0.1:4317)").
    /// </summary>
    public static string Describe(EventWrittenEventArgs failure)
    {
        var values = (failure.Payload ?? []).Select(value => FirstLine(Convert.ToString(value, CultureInfo.InvariantCulture))).ToArray<object?>();
        if (string.IsNullOrEmpty(failure.Message)) return $"{failure.EventName}: {string.Join("; ", values)}";
        try
        {
            return string.Format(CultureInfo.InvariantCulture, failure.Message, values);
        }
        catch (FormatException)
        {
            return $"{failure.Message} ({string.Join("; ", values)})";
        }
    }

    private static string FirstLine(string? text) => text is null ? "" : text.Split('\n', 2)[0].TrimEnd('\r');

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Listening until the container disposes it: the exporters' last flush, at shutdown, may fail too.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
