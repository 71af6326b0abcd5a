using System.Globalization;
using System.Text.RegularExpressions;
using Tracker.Api.Catalogue;
using Tracker.Tests.Support;

namespace Tracker.Tests.Catalogue;

/// <summary>The shipped catalogue and the copies of its five source documents kept as test data.</summary>
public static partial class CatalogueData
{
    public static string File => Path.Combine(TestDatabase.RepositoryRoot(), "data", "catalogue", "global-coalition-against-daesh.json");

    public static CatalogueFile Load() => CatalogueFile.Read(File);

    public static string SourceText(string documentKey) =>
        System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Catalogue", "Sources", documentKey + ".txt"));

    /// <summary>Paragraphs as the catalogue numbers them: blocks of text between blank lines, from 1.</summary>
    public static IReadOnlyList<string> Paragraphs(string documentKey) =>
        BlankLines().Split(SourceText(documentKey)).Where(p => p.Trim().Length > 0).ToList();

    /// <summary>Every figure a sentence states: "$394 million" is 394000000, "over 10,000" 10000, "eight million" 8000000.</summary>
    public static IReadOnlyList<decimal> FiguresIn(string text) => Figure().Matches(text).Select(m =>
    {
        var number = m.Groups["digits"].Success
            ? decimal.Parse(m.Groups["digits"].Value.Replace(",", ""), CultureInfo.InvariantCulture)
            : Array.IndexOf(Words, m.Groups["word"].Value.ToLowerInvariant()) + 1;
        return m.Groups["scale"].Value.ToLowerInvariant() switch
        {
            "million" => number * 1_000_000m,
            "billion" => number * 1_000_000_000m,
            _ => number
        };
    }).ToList();

    private static readonly string[] Words =
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex BlankLines();

    [GeneratedRegex(@"(?:(?<digits>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)|\b(?<word>one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b)(?:\s+(?<scale>million|billion))?",
        RegexOptions.IgnoreCase)]
    private static partial Regex Figure();
}
