using Microsoft.Net.Http.Headers;
using System.Globalization;

namespace Tracker.Api.Infrastructure;

/// <summary>Stream versions as HTTP entity tags: version 7 is the strong ETag "7".</summary>
public static class Versions
{
    public static string ToETag(long version) => $"\"{version}\"";

    /// <summary>
    /// Reads If-Match (RFC 9110 13.1.1): "*" (any version: the resource exists), or one or more strong ETags of versions
    /// (any of which matches). A malformed value throws a 400 the problem handler reports. False without the header.
    /// </summary>
    public static bool TryReadIfMatch(HttpRequest request, out IfMatch condition)
    {
        condition = IfMatch.Any;
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0) return false;
        if (header == "*") return true;

        var versions = new List<long>();
        // Empty elements of a list ("3", , "4") are ignored, as RFC 9110 5.6.1.2 asks; a header of nothing but commas
        // names no version and is refused below.
        foreach (var tag in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // If-Match compares strong entity tags: a weak one (W/"3") never matches, so it is refused rather than read
            // as the version it names.
            // ("*" inside a list is no tag: the framework's reader takes it as Any, which is not weak.)
            if (tag[0] != '"' || !EntityTagHeaderValue.TryParse(tag, out var entityTag) || entityTag.IsWeak)
            {
                throw new HeaderProblem("If-Match",
                    $"If-Match must be \"*\" or strong ETags of versions this API returned, such as \"3\" (with its quotes); got {header}.");
            }
            // Compared exactly, as strong tags are: "09" is not the tag of version 9, and no version's tag has a leading zero.
            // A well-formed tag that names no version ("09", "0", another resource's "h-..." tag) matches none: a 412 as RFC
            // 9110 13.1.1 has it, where until 2026-12-06 it was a 400 (and a number past the largest a 412).
            versions.Add(tag[1] != '0' && long.TryParse(tag[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version >= 1
                ? version
                : IfMatch.NoVersion);
        }
        if (versions.Count == 0)
        {
            throw new HeaderProblem("If-Match", $"If-Match must be \"*\" or strong ETags of versions this API returned; got {header}.");
        }
        condition = new IfMatch(versions);
        return true;
    }

    /// <summary>
    /// Whether If-Match names versions: a write that does is never decided again on a newer state (a lost race is its
    /// 412). "*" names none: any version will do, so such a write is retried like one without the header.
    /// </summary>
    public static bool NamesVersions(HttpRequest request) =>
        request.Headers.IfMatch.Count > 0 && request.Headers.IfMatch.ToString().Trim() != "*";
}

/// <summary>
/// What If-None-Match asks of a write (RFC 9110 13.1.2): that the target not exist ("*"), or that it be at none of the
/// versions listed, compared weakly (W/"3" names version 3 as "3" does). Until 2026-12-07 writes ignored the header, so a
/// client that guarded a write with it got a write it had not guarded.
/// </summary>
public sealed record IfNoneMatch(bool Anything, IReadOnlyList<long> Versions)
{
    public bool Matches(long version) => Anything || Versions.Contains(version);

    /// <summary>The header on a write, or null; a malformed one is a 400 (HeaderProblem), as a malformed If-Match is.</summary>
    public static IfNoneMatch? Read(HttpRequest request)
    {
        var header = request.Headers.IfNoneMatch.ToString().Trim();
        if (header.Length == 0) return null;
        if (header == "*") return new IfNoneMatch(true, []);
        var versions = new List<long>();
        foreach (var tag in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!EntityTagHeaderValue.TryParse(tag, out var entityTag) || entityTag.Equals(EntityTagHeaderValue.Any) ||
                !(tag.StartsWith('"') || tag.StartsWith("W/\"", StringComparison.Ordinal)))
            {
                throw new HeaderProblem("If-None-Match",
                    $"If-None-Match must be \"*\" or ETags this API returned, such as \"3\" (with its quotes); got {header}.");
            }
            var opaque = entityTag.Tag.Value![1..^1];
            versions.Add(opaque.Length > 0 && opaque[0] != '0' && long.TryParse(opaque, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                ? version
                : IfMatch.NoVersion);
        }
        if (versions.Count == 0)
        {
            throw new HeaderProblem("If-None-Match", $"If-None-Match must be \"*\" or ETags this API returned; got {header}.");
        }
        return new IfNoneMatch(false, versions);
    }
}

/// <summary>What If-Match asks for: any version ("*", no versions), or one of the versions listed.</summary>
public sealed record IfMatch(IReadOnlyList<long> Versions)
{
    /// <summary>What a tag that names no version is read as: a version none has.</summary>
    public const long NoVersion = long.MinValue;

    public static readonly IfMatch Any = new([]);

    public bool Matches(long version) => Versions.Count == 0 || Versions.Contains(version);
}

/// <summary>A request header the service cannot read: a 400 whose field map names the header.</summary>
public sealed class HeaderProblem(string header, string message) : BadHttpRequestException(message)
{
    public string Header { get; } = header;
}
