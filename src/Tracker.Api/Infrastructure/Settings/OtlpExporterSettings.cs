using System.Text.RegularExpressions;

namespace Tracker.Api.Infrastructure.Settings;

/// <summary>
/// OpenTelemetry's own settings for its OTLP exporter (OTEL_EXPORTER_OTLP_*, for every signal or for one: _TRACES_,
/// _METRICS_, _LOGS_) and its metrics' export, checked at start with the service's own settings. The exporter ignores an
/// endpoint, a protocol or a timeout it cannot read, with a warning to an event source nothing here listens to, and
/// sends to its default (http://localhost:4317, grpc): telemetry was lost without a word. Headers it cannot read, a
/// header given twice, a timeout or metrics interval of 0 failed the start with its stack trace (until 2026-12-07).
/// An empty value is unset, as OpenTelemetry's specification has it and the exporter reads it.
/// </summary>
public static partial class OtlpExporterSettings
{
    private static readonly string[] Signals = ["", "TRACES_", "METRICS_", "LOGS_"];

    /// <summary>What the exporter sends (OpenTelemetry .NET's sends no http/json), as it reads it: trimmed, in lower case.</summary>
    private static readonly string[] Protocols = ["grpc", "http/protobuf"];

    // Times in milliseconds: as the service's own, at most a day.
    private const long ADayOfMilliseconds = 86_400_000;

    /// <summary>
    /// Whether the exporter is set up: an endpoint for every signal or for one. A signal without an endpoint of its own
    /// goes to the one for every signal, else to OpenTelemetry's default (http://localhost:4317), as the specification
    /// has it. (Until 2026-12-07 only OTEL_EXPORTER_OTLP_ENDPOINT turned export on: an endpoint for traces alone sent
    /// nothing, without a word.)
    /// </summary>
    public static bool Exports(IConfiguration configuration) =>
        Signals.Any(signal => !string.IsNullOrWhiteSpace(configuration[$"OTEL_EXPORTER_OTLP_{signal}ENDPOINT"]));

    /// <summary>Why the settings cannot be used, one line for each setting; none when they can.</summary>
    public static IEnumerable<string> Problems(IConfiguration configuration)
    {
        // Only where the service sets the exporter up (TrackerTelemetry): variables a platform sets for a sidecar, read by
        // nothing here, stop no start.
        if (!Exports(configuration)) yield break;
        foreach (var signal in Signals)
        {
            string Named(string part) => $"OTEL_EXPORTER_OTLP_{signal}{part}";
            if (configuration[Named("ENDPOINT")] is { Length: > 0 } endpoint && !IsEndpoint(endpoint))
            {
                yield return $"{Named("ENDPOINT")} '{SecretsHidden.Shown(Named("ENDPOINT"), endpoint)}' must be an absolute http or " +
                             "https URL, such as http://collector:4317 (grpc) or http://collector:4318 (http/protobuf).";
            }
            if (configuration[Named("PROTOCOL")] is { Length: > 0 } protocol && !Protocols.Contains(protocol.Trim(), StringComparer.Ordinal))
            {
                yield return $"{Named("PROTOCOL")} '{protocol}' must be grpc or http/protobuf (OpenTelemetry .NET's exporter sends no http/json).";
            }
            if (configuration[Named("HEADERS")] is { Length: > 0 } headers && HeaderProblems(headers).ToList() is { Count: > 0 } wrong)
            {
                // Never the value: headers carry the collector's API key.
                yield return $"{Named("HEADERS")} must be comma-separated name=value pairs, values URL-encoded, such as " +
                             $"api-key=...,tenant=... (its value is not shown): {string.Join("; ", wrong)}.";
            }
            if (Milliseconds(configuration, Named("TIMEOUT")) is { } timeout) yield return timeout;
        }
        if (Milliseconds(configuration, "OTEL_METRIC_EXPORT_INTERVAL") is { } interval) yield return interval;
        if (Milliseconds(configuration, "OTEL_METRIC_EXPORT_TIMEOUT") is { } exportTimeout) yield return exportTimeout;
    }

    private static bool IsEndpoint(string text) =>
        !text.Any(char.IsWhiteSpace) && Uri.TryCreate(text, UriKind.Absolute, out var uri) &&
        uri.Scheme is "http" or "https" && uri.Host.Length > 0;

    // A timeout or an interval of 0 failed the start (the exporter's HTTP client, the metrics' reader).
    private static string? Milliseconds(IConfiguration configuration, string key)
    {
        var setting = new WholeNumberSetting(key, 1, ADayOfMilliseconds);
        return configuration[key] is { Length: > 0 } text && !setting.Takes(text)
            ? $"{key} '{text}' must be {setting.Expected} (milliseconds)."
            : null;
    }

    /// <summary>
    /// The headers as the exporter reads them (the whole value URL-decoded, then split at each comma and each entry at its
    /// first '='), and what each request it sends would refuse: an entry it cannot split failed the start, a name given
    /// twice too (User-Agent is the exporter's own), and a name or value a request cannot carry failed every export.
    /// </summary>
    private static IEnumerable<string> HeaderProblems(string headers)
    {
        var entries = Uri.UnescapeDataString(headers).Split(',');
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "User-Agent" };
        using var request = new HttpRequestMessage();
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = $"entry {i + 1}";
            var equals = entries[i].IndexOf('=');
            if (equals < 0)
            {
                yield return entries[i].Trim().Length == 0 ? $"{entry} is empty" : $"{entry} has no '='";
                continue;
            }
            var name = entries[i][..equals].Trim();
            var value = entries[i][(equals + 1)..].Trim();
            if (name.Length == 0)
            {
                yield return $"{entry} has no name before its '='";
            }
            // Not shown: a name that is none may be a secret written without one ("Bearer abc=...").
            else if (!HeaderName().IsMatch(name))
            {
                yield return $"{entry}'s name is not a header name (letters, digits and !#$%&'*+-.^_`|~ only)";
            }
            else if (!names.Add(name))
            {
                yield return name.Equals("User-Agent", StringComparison.OrdinalIgnoreCase)
                    ? $"{entry} names User-Agent, which the exporter sets itself"
                    : $"{entry} names {name} again";
            }
            else if (Refused(request, name, value) is { } refused)
            {
                yield return refused is InvalidOperationException
                    ? $"{entry} names {name}, a header of the body the exporter writes itself"
                    : $"{entry}'s value holds a line break or another character a header cannot carry";
            }
        }
    }

    /// <summary>What a request the exporter sends does with the header: nothing, or the exception it fails with.</summary>
    private static Exception? Refused(HttpRequestMessage request, string name, string value)
    {
        try
        {
            request.Headers.Add(name, value);
            return null;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            return e;
        }
    }

    [GeneratedRegex(@"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")]
    private static partial Regex HeaderName();
}
