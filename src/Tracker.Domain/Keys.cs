using System.Text.RegularExpressions;

namespace Tracker.Domain;

/// <summary>Public keys are URL-safe slugs: lower-case letters, digits and single hyphens.</summary>
public static partial class Keys
{
    /// <summary>The rule, with the field named as the request spells it ("key", "pledgeId").</summary>
    public static string SlugRule(string field) => $"{field} must be a slug: lower-case letters, digits and single hyphens, at most 100 characters.";

    public const int MaxLength = 100;

    /// <summary>The spelling a slug has, as a regular expression (JSON Schema's pattern, .NET's alike).</summary>
    public const string Pattern = "^[a-z0-9]+(-[a-z0-9]+)*$";

    public static bool IsSlug(string? key) => key is { Length: > 0 and <= MaxLength } && SlugPattern().IsMatch(key);

    [GeneratedRegex(Pattern)]
    private static partial Regex SlugPattern();
}
