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

        var tag = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        tag = tag.Trim('"');
        if (!long.TryParse(tag, NumberStyles.None, CultureInfo.InvariantCulture, out version) || version < 1)
        {
            throw new BadHttpRequestException(
                $"If-Match must be the ETag of a version this API returned, such as \"3\"; got {header}.");
        }
        return true;
    }
}
