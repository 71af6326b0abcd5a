using Tracker.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Mvc;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>
/// Query parameters and the headers the service records or keys on (X-Correlation-Id, Idempotency-Key, If-Match) are
/// text a client sends, like a body's fields: a control character in a query value, or a recorded header that is not
/// printable ASCII or is too long, or a correlation id that does not begin with a letter or a digit, is a 400 naming it,
/// before anything reads it, and so is a query parameter given twice (whatever the case of its name). Nothing is trimmed
/// or cut silently. An empty query value of a route's own parameter (but the search, q) or an empty or repeated recorded
/// header is a 400 too: each would otherwise read as not given, or as one value joined from two.
/// The three past-view parameters take one format each, as the OpenAPI document says (the framework's parsing would also
/// take "01/02/2024", which reads differently in different countries, and would read an empty version as none at all);
/// a route that answers the present only refuses them (<see cref="Audit.PastParameters"/>). A query parameter an API
/// route does not take is a 400 naming those it does, and so is a body sent to a route that reads none (<see cref="RouteInputs"/>).
/// </summary>
public sealed partial class RequestTextGuard(RequestDelegate next, IProblemDetailsService problems, RouteInputs routes)
{
    public const int MaxHeaderLength = 200;
    private const string CorrelationHeader = Telemetry.CorrelationScope.Header;
    private static readonly string[] RecordedHeaders = [CorrelationHeader, "Idempotency-Key", "If-Match"];

    public async Task InvokeAsync(HttpContext context)
    {
        // A past view on a public route is the auditors': a caller who may not see it is told so first, as on the
        // auditors' own routes, not how to write the parameter (until 2026-12-06 "?version=abc" told anyone its format).
        if (context.Request.QueryString.HasValue && context.GetEndpoint()?.Metadata.GetMetadata<Audit.PastParameters>() is { } pastView &&
            context.Request.Query.Keys.Any(name => pastView.Taken.Contains(name, StringComparer.OrdinalIgnoreCase)) &&
            await Security.AuditAccess.Refusal(context) is { } refused)
        {
            await refused.ExecuteAsync(context);
            return;
        }
        var errors = new Dictionary<string, string[]>();
        // An API route's own parameters; a name it does not take (a misspelt filter, ?stauts=achieved) would otherwise be
        // ignored, and the answer look like one to the question asked.
        // And a body sent to a route that reads none (POST /api/admin/checkpoints with {"upTo": 500}) would be ignored too.
        // Content: a length above zero, or none given where the server says content may follow (chunked, or HTTP/2 and
        // later, where a body needs no length).
        var request = context.Request;
        var hasBody = JsonBodiesOnly.MayHaveBody(context);
        var route = (context.Request.QueryString.HasValue || hasBody) &&
                    context.GetEndpoint() is RouteEndpoint { Metadata: var metadata } endpoint &&
                    metadata.GetMetadata<Audit.PastParameters>() is not null
            ? routes.Of(context.Request.Method, endpoint.RoutePattern)
            : null;
        var takes = context.Request.QueryString.HasValue ? route?.Query : null;
        // A body of unknown length is looked at: an empty chunked one, which some clients send for an empty POST, is none
        // (until 2026-12-06 it was refused as a body).
        if (hasBody && route is { Body: false } &&
            (request.ContentLength > 0 || await request.Body.ReadAsync(new byte[1], context.RequestAborted) > 0))
        {
            errors["body"] = ["This route reads no body; send the request without one."];
        }
        // A path's values (a key, a pledge's id) held to the query's rules: a line break or a right-to-left override would
        // otherwise be echoed in a 404's detail (until 2026-12-06), where no key, id or name can hold one anyway.
        if (request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            // Bytes that are not UTF-8 are left escaped by the server's decoding, and a 404 echoed them as a key ('%C0%AF'),
            // where the same bytes in a query are a 400 (until 2026-12-07). Read from the request line as sent.
            var sent = context.PathAsSent();
            // A '%' that begins no escape (RFC 3986 2.1) was taken as itself, and a 404 named the key '%zz' (until 2026-12-07).
            if (sent.Contains('%') && BrokenEscape().IsMatch(sent))
            {
                errors["path"] = ["The path holds a '%' that is not followed by two hex digits; write a '%' itself as %25."];
            }
            else if (sent.Contains('%') && !DecodesToUtf8(sent))
            {
                errors["path"] = ["The path is not valid UTF-8 once its percent-escapes are decoded; percent-encode the UTF-8 bytes of each character."];
            }
            foreach (var (name, routed) in request.RouteValues)
            {
                if (routed is string text && InputBounds.TextProblem(text, multiLine: false) is { } inPath) errors[name] = [$"{name} (in the path) {inPath}"];
                // No key, id or name holds a character no reader sees (a zero-width space): a 404 echoing one read as the
                // key it looks like (until 2026-12-06).
                else if (routed is string shown && Commitments.Stating.NameSpellings.HoldsInvisible(shown))
                    errors[name] = [$"{name} (in the path) holds a character no reader sees (such as a zero-width space or a right-to-left mark), which no {name} holds: send it without."];
            }
        }
        // Bytes that are not UTF-8 reach the framework's query as text that is not what was sent ("%FF"): refused, not searched for.
        if (context.Request.QueryString.Value is { } raw && raw.Contains('%') && NotUtf8(raw) is { } undecodable)
        {
            errors[undecodable] = [$"{undecodable} is not valid UTF-8 once its percent-escapes are decoded; percent-encode the UTF-8 bytes of each character."];
        }
        // And a '%' that begins no escape was searched for as itself (until 2026-12-07).
        if (context.Request.QueryString.Value is { } escaped && escaped.Contains('%') && BrokenEscapeIn(escaped) is { } broken)
        {
            errors[broken] = [$"{broken} holds a '%' that is not followed by two hex digits; write a '%' itself as %25."];
        }
        foreach (var (name, values) in context.Request.Query)
        {
            if (InputBounds.TextProblem(name, multiLine: false) is { } badName)
            {
                errors["query"] = [$"A query parameter name {badName}"];
                continue;
            }
            // "?=1" names no parameter: said of the query, where until 2026-12-06 it was filed under an empty name.
            if (name.Length == 0)
            {
                errors["query"] = ["The query has a value without a parameter's name ('=...'): write name=value."];
                continue;
            }
            // No route takes a parameter twice: a filter given twice would otherwise be read as one value, "a,b".
            if (values.Count > 1)
            {
                errors[name] = [$"{name} is given more than once; give it once."];
                continue;
            }
            foreach (var value in values)
            {
                if (value is null) continue;
                // A search that shows nothing (empty, spaces, a lone right-to-left mark) is a search for everything, which
                // a form left blank sends: until 2026-12-06 one of spaces was and one of format characters was a 400.
                var search = name.Equals("q", StringComparison.OrdinalIgnoreCase);
                if (search && InputBounds.ShowsNothing(value)) continue;
                if (InputBounds.TextProblem(value, multiLine: false) is { } problem) errors[name] = [$"{name} {problem}"];
                // "?status=" would otherwise read as no filter at all, and the answer look like one to the question asked;
                // so would "?actor=%20" (until 2026-12-06 taken as no filter, where "?actor=" was refused).
                else if (string.IsNullOrWhiteSpace(value) && takes is not null && takes.Contains(name) && !search)
                    errors[name] = [$"{name} is empty{(value.Length > 0 ? " (only spaces)" : "")}; give it a value, or leave it out."];
                // Names compared as the framework binds them: whatever their case.
                else if (name.Equals("effectiveAsOf", StringComparison.OrdinalIgnoreCase) && !DatePattern().IsMatch(value))
                    errors[name] = [$"{name} must be a date as YYYY-MM-DD."];
                else if (name.Equals("recordedAsOf", StringComparison.OrdinalIgnoreCase) && !InstantPattern().IsMatch(value))
                    errors[name] = [$"{name} must be a date and time in ISO 8601 with its offset, such as 2024-09-30T12:00:00Z" +
                                    (value.Contains(' ') ? " (a '+' in a query string reads as a space: send an offset such as +01:00 as %2B01:00)." : ".")];
                // Written rightly, but an instant DateTimeOffset cannot hold once at UTC (9999-12-31T20:00:00-05:00): said as
                // any day past the range is (until 2026-12-06 it was told to write the value in ISO 8601, which it was).
                else if (name.Equals("recordedAsOf", StringComparison.OrdinalIgnoreCase) &&
                         !DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _) &&
                         DateOnly.TryParseExact(value[..10], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day) &&
                         InputBounds.DateProblem(day) is { } range)
                    errors[name] = [$"{name} {range}"];
                // Written rightly, but no such day or time (2023-02-29, 24:00, a 60th second, an offset past 14 hours): said so,
                // where until 2026-12-06 it was told to write what it had written.
                else if (name.Equals("recordedAsOf", StringComparison.OrdinalIgnoreCase) &&
                         !DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
                    errors[name] = [$"{name} names a date and time that does not exist (a day past its month's end, an hour past 23, a " +
                                    "minute or second past 59, or an offset beyond 14:00 either side)."];
                else if (name.Equals("effectiveAsOf", StringComparison.OrdinalIgnoreCase) &&
                         !DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
                    errors[name] = [$"{name} names a day that does not exist (a month past 12, or a day past its month's end)."];
                // Empty too: the framework would read "?version=" as no version at all, and answer the present.
                // And without leading zeros, as version is (until 2026-12-06 "after=01" was taken and "version=01" refused).
                else if (WholeNumbers.Contains(name, StringComparer.OrdinalIgnoreCase) && value.Length > 0 &&
                         (value[0] == '+' || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]) || value is ['0', _, ..]))
                    errors[name] = [$"{name} must be a whole number in digits alone, with no sign, spaces or leading zeros."];
                // Read by the framework whatever its case or spaces ("TRUE", " true"), as an enum's value is not.
                else if (name.Equals("overdue", StringComparison.OrdinalIgnoreCase) && value is not ("true" or "false") && value.Length > 0)
                    errors[name] = [$"{name} must be true or false, in lower case."];
                else if (name.Equals("version", StringComparison.OrdinalIgnoreCase) &&
                         !(VersionPattern().IsMatch(value) && int.TryParse(value, out var version) && version >= 1))
                    errors[name] = [$"{name} must be a whole number from 1 (the statement) to {int.MaxValue}."];
            }
            if (Audit.PastParameters.Names.Contains(name, StringComparer.OrdinalIgnoreCase) &&
                context.GetEndpoint()?.Metadata.GetMetadata<Audit.PastParameters>() is { } past && !past.Taken.Contains(name))
            {
                errors[name] = [past.NotTaken(name)];
            }
            else if (takes is not null && !takes.Contains(name))
            {
                errors[name] = [takes.Count == 0
                    ? $"{name} is not a query parameter of this route, which takes none."
                    : $"{name} is not a query parameter of this route, which takes: {string.Join(", ", takes)}."];
            }
        }
        // A probe or a scrape records nothing and is answered whatever headers a load balancer or a proxy stamps on it (until
        // 2026-12-07 an X-Correlation-Id in a proxy's own format, "{req-1}", took the node out of rotation with a 400).
        var probe = request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) ||
                    request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase);
        foreach (var header in probe ? [] : RecordedHeaders)
        {
            if (!context.Request.Headers.TryGetValue(header, out var values)) continue;
            var value = values.ToString();
            // Two lines of a key or a correlation id would be read as one, joined by a comma ("a,b"); If-Match takes a
            // list either way.
            if (values.Count > 1 && header != "If-Match")
            {
                errors[header] = [$"{header} is given more than once; give it once."];
            }
            else if (value.Trim().Length == 0)
            {
                errors[header] = [$"{header} is empty; give it a value, or leave the header out."];
            }
            else if (value.Any(c => c is < ' ' or > '~'))
            {
                errors[header] = [$"{header} must be printable ASCII (letters, digits and punctuation; a UUID is a good choice)."];
            }
            else if (value.Length > MaxHeaderLength)
            {
                errors[header] = [$"{header} has at most {MaxHeaderLength} characters."];
            }
            else if (header == CorrelationHeader && value.Length > 0 && !char.IsAsciiLetterOrDigit(value[0]))
            {
                // It is recorded with every event and exported (history.csv): one that opens like a spreadsheet
                // formula (=, +, -, @) or with other punctuation is refused rather than rewritten.
                errors[header] = [$"{header} must begin with a letter or a digit (a UUID is a good choice)."];
            }
            else if (header == CorrelationHeader && Telemetry.CorrelationScope.IsServiceOwn(value.Trim()))
            {
                errors[header] = [$"{header} may not begin with {string.Join(", ", Telemetry.CorrelationScope.ServicePrefixes.Select(p => $"'{p}'"))}: " +
                                  "those mark what the service records on its own (a UUID is a good choice)."];
            }
        }
        if (errors.Count == 0)
        {
            CutToWhatAnInstantHolds(context.Request);
            await next(context);
            return;
        }
        await problems.Answer(context, new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Type = ProblemTypes.Validation,
            Title = "The request is not valid",
            Detail = $"Check {string.Join(", ", errors.Keys)}."
        });
    }

    /// <summary>
    /// An instant given finer than 100 ns (Go's RFC3339Nano writes nine digits) is read cut to seven digits, as an instant
    /// holds it: the framework's parse rounded, and rounding up took in an event recorded up to 50 ns after the instant
    /// asked for (until 2026-12-06).
    /// </summary>
    private static void CutToWhatAnInstantHolds(HttpRequest request)
    {
        if (!request.QueryString.HasValue) return;
        var name = request.Query.Keys.FirstOrDefault(k => k.Equals("recordedAsOf", StringComparison.OrdinalIgnoreCase));
        if (name is null || request.Query[name].ToString() is not { } value || FinerFraction().Match(value) is not { Success: true } finer) return;
        // Names in any case, as the framework's own collection reads them.
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value, StringComparer.OrdinalIgnoreCase);
        query[name] = value[..finer.Groups[1].Index] + value[(finer.Groups[1].Index + finer.Groups[1].Length)..];
        request.Query = new QueryCollection(query);
    }

    /// <summary>The name of the first query parameter whose percent-decoded bytes are not UTF-8; null when all are.</summary>
    private static string? NotUtf8(string query)
    {
        // Only an escape of a byte above 0x7F can make the bytes other than UTF-8 (%3A and the like are ASCII).
        if (!HighEscape().IsMatch(query)) return null;
        foreach (var pair in query.TrimStart('?').Split('&'))
        {
            if (!HighEscape().IsMatch(pair) || DecodesToUtf8(pair)) continue;
            var name = pair.Split('=')[0];
            return Uri.UnescapeDataString(name) is { Length: > 0 } decoded && !decoded.Contains('\uFFFD') ? decoded : "query";
        }
        return null;
    }

    /// <summary>The query parameter (or "query" when its name is what is broken) with a '%' that begins no escape.</summary>
    private static string? BrokenEscapeIn(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&'))
        {
            if (!BrokenEscape().IsMatch(pair)) continue;
            var name = pair.Split('=')[0];
            return BrokenEscape().IsMatch(name) || name.Length == 0 ? "query" : Uri.UnescapeDataString(name);
        }
        return null;
    }

    /// <summary>Whether a text's percent-escapes, decoded, leave UTF-8.</summary>
    private static bool DecodesToUtf8(string text)
    {
        // Only an escape of a byte above 0x7F can make the bytes other than UTF-8 (%3A and the like are ASCII).
        if (!HighEscape().IsMatch(text)) return true;
        var bytes = new byte[text.Length];
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes[length++] = Convert.FromHexString(text.AsSpan(i + 1, 2))[0];
                i += 2;
            }
            // Any other character is text already; it stands as one ASCII byte (it cannot complete an escaped sequence).
            else bytes[length++] = (byte)'x';
        }
        return System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(0, length));
    }

    [System.Text.RegularExpressions.GeneratedRegex("%(?![0-9A-Fa-f]{2})")]
    private static partial System.Text.RegularExpressions.Regex BrokenEscape();

    [System.Text.RegularExpressions.GeneratedRegex("%[89A-Fa-f][0-9A-Fa-f]")]
    private static partial System.Text.RegularExpressions.Regex HighEscape();

    // [0-9], not \d: \d takes any script's digits (٢٠٢٤), which were then told the day does not exist (until 2026-12-06).
    [System.Text.RegularExpressions.GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    private static partial System.Text.RegularExpressions.Regex DatePattern();

    // RFC 3339: "T" and "Z" in either case, and any number of fractional digits (read to the 100 ns a DateTimeOffset
    // holds, which no event's microsecond time falls inside): Go's RFC3339Nano writes nine.
    [System.Text.RegularExpressions.GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})$")]
    internal static partial System.Text.RegularExpressions.Regex InstantPattern();

    // The digits of a fraction past the seventh (group 1).
    [System.Text.RegularExpressions.GeneratedRegex(@"\.[0-9]{7}([0-9]+)([Zz]|[+-][0-9]{2}:[0-9]{2})$")]
    private static partial System.Text.RegularExpressions.Regex FinerFraction();

    // Without leading zeros: "05" names version 5 no better than If-Match's "05", which strong tags refuse.
    [System.Text.RegularExpressions.GeneratedRegex(@"^[1-9][0-9]{0,9}$")]
    private static partial System.Text.RegularExpressions.Regex VersionPattern();

    /// <summary>The whole-number parameters of the paged routes, which the framework would also read with a sign or spaces.</summary>
    private static readonly string[] WholeNumbers = ["page", "pageSize", "after", "limit", "before"];
}
