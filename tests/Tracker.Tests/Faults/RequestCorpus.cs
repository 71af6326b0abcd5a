using System.Text.Json;

namespace Tracker.Tests.Faults;

/// <summary>A malformed request on any route: its method and URL, extra headers, and what the answer must name.</summary>
public sealed record HostileRequest(string Method, string Route, string Url, string What, string Names,
    IReadOnlyList<(string Name, string Value)> Headers);

/// <summary>
/// Malformed requests for the parts the body corpus does not reach, generated from the OpenAPI document: every query
/// parameter of every operation gets the wrong values for its declared type and format (garbage, overflowing numbers,
/// dates at the edges of the calendar, control characters, a huge value), every path parameter gets control
/// characters, unicode and a huge value, and every operation gets recorded headers that are not printable ASCII or are
/// too long.
/// </summary>
public static class RequestCorpus
{
    private static readonly string[] HostileText = ["%00", "a%01b", "%1F", "%7F", "' or 1=1 --", "%E2%80%AE", "%F0%9F%98%80", "%ZZ", new('x', 5_000)];

    public static IEnumerable<HostileRequest> Generate(JsonElement openApi, Func<string, string> fillPath)
    {
        foreach (var path in openApi.GetProperty("paths").EnumerateObject())
        {
            // HEAD is each GET's without its body (HeadAsGet), documented beside it since 2026-12-07: the GET's cases stand for both.
            foreach (var operation in path.Value.EnumerateObject().Where(op => op.Name != "head"))
            {
                var method = operation.Name.ToUpperInvariant();
                var url = fillPath(path.Name);
                var parameters = operation.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];

                if (method == "GET")
                {
                    foreach (var query in parameters.Where(x => x.GetProperty("in").GetString() == "query"))
                    {
                        var name = query.GetProperty("name").GetString()!;
                        foreach (var value in WrongValues(query.GetProperty("schema")))
                        {
                            yield return new HostileRequest(method, path.Name, $"{url}?{name}={value}", $"{name}={Shorten(value)}", name, []);
                        }
                    }
                    foreach (var segment in parameters.Where(x => x.GetProperty("in").GetString() == "path"))
                    {
                        var name = segment.GetProperty("name").GetString()!;
                        // A NUL in the path never reaches the service: Kestrel refuses the request line (400).
                        foreach (var value in HostileText.Where(v => v != "%00"))
                        {
                            var hostile = path.Name.Replace("{" + name + "}", value);
                            yield return new HostileRequest(method, path.Name, fillPath(hostile), $"path {name}={Shorten(value)}", name, []);
                        }
                    }
                }

                foreach (var (header, value, what) in HostileHeaders())
                {
                    yield return new HostileRequest(method, path.Name, url, $"{header}: {what}", header, [(header, value)]);
                }
            }
        }
    }

    private static IEnumerable<(string Header, string Value, string What)> HostileHeaders()
    {
        foreach (var header in new[] { "X-Correlation-Id", "Idempotency-Key" })
        {
            yield return (header, "a\u0001b", "a control character");
            yield return (header, "caf\u00e9", "non-ASCII");
            yield return (header, new string('x', 201), "201 characters");
        }
        yield return ("If-Match", "\"1\u0000\"", "a NUL");
    }

    private static IEnumerable<string> WrongValues(JsonElement schema)
    {
        var types = schema.TryGetProperty("type", out var t)
            ? t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()!).ToArray() : [t.GetString()!]
            : [];
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        if (types.Contains("integer"))
        {
            return ["abc", "-1", "0", "2147483647", "2147483648", "-2147483649", "99999999999999999999", "1e3", "1.5", "%00"];
        }
        if (types.Contains("boolean")) return ["yes", "2", "%00"];
        return format switch
        {
            "date" => ["garbage", "9999-12-31", "0001-01-01", "2024-02-30", "2024-9-1", "%00"],
            "date-time" => ["garbage", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2024-02-30T00:00:00Z", "%00"],
            _ => HostileText
        };
    }

    private static string Shorten(string value) => value.Length > 30 ? $"{value[..10]}…({value.Length} chars)" : value;
}
