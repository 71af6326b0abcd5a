using System.Globalization;

namespace Tracker.Api.Infrastructure;

/// <summary>Stream versions as HTTP entity tags: version 7 is the strong ETag "7".</summary>
public static class Versions
{
    public static string ToETag(long version) => $"\"{version}\"";

    /// <summary>Reads If-Match as a version; a malformed value throws a 400 the problem handler reports.</summary>
    public static bool TryReadIfMatch(HttpRequest request, out long version)
    {
        version = 0;
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0) return false;

        // If-Match compares strong entity tags (RFC 9110 13.1.1): a weak one (W/"3") never matches, so it is refused
        // rather than read as the version it names.
        var strong = header.Length >= 3 && header[0] == '"' && header[^1] == '"';
        if (!strong || !long.TryParse(header[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out version) || version < 1)
        {
            throw new HeaderProblem("If-Match",
                $"If-Match must be the strong ETag of a version this API returned, such as \"3\" (with its quotes); got {header}.");
        }
        return true;
    }
}

/// <summary>A request header the service cannot read: a 400 whose field map names the header.</summary>
public sealed class HeaderProblem(string header, string message) : BadHttpRequestException(message)
{
    public string Header { get; } = header;
}
