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

    /// <summary>
    /// The paragraphs of the document's own text, numbered from 1 as the catalogue cites them. The saved pages carry the
    /// hosting site's clutter around the text and break some paragraphs in two, so the copies are read by three rules,
    /// in this order:
    /// 1. Every non-empty line is a block; a line break ends a block as a blank line does.
    /// 2. A block that starts with a lowercase letter continues the block before it: the page split one paragraph in
    ///    two (rome-2021 breaks two paragraphs this way, mid-sentence). The two are joined with a space.
    /// 3. A block that does not end with a full stop (a closing quotation mark may follow it) is not a paragraph of the
    ///    text: titles and headings, datelines ("Media Note / Office of the Spokesperson / June 25, 2019"), "Begin
    ///    Text:", photo captions and their credits ("(Official State Department photo by Chuck Kennedy)"), the page's
    ///    address, contact details, cookie notices, banners and mailing-list prompts.
    /// Then a site's byline before the first words (<see cref="Bylines"/>) is not part of the paragraph's words.
    /// </summary>
    public static IReadOnlyList<string> Paragraphs(string documentKey)
    {
        var blocks = new List<string>();
        foreach (var line in SourceText(documentKey).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            if (blocks.Count > 0 && char.IsLower(line[0])) blocks[^1] += " " + line;
            else blocks.Add(line);
        }
        var byline = Bylines.GetValueOrDefault(documentKey);
        return blocks.Where(b => EndsWithAFullStop().IsMatch(b))
            .Select(b => byline is not null && b.StartsWith(byline, StringComparison.Ordinal) ? b[byline.Length..] : b)
            .ToList();
    }

    /// <summary>
    /// The only per-document annotation the scheme needs: a news site's byline that opens the report's first paragraph
    /// ("Shafaq News/ Ministers of the Global Coalition ..."). It is the site's label, not the report's words.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Bylines = new Dictionary<string, string>
    {
        ["shafaq-2024"] = "Shafaq News/ "
    };

    /// <summary>
    /// The sentences of a paragraph: it ends a sentence where a full stop, question or exclamation mark (and a closing
    /// quotation mark) is followed by a capital, except after an initial ("U.S. Secretary", "Antony J. Blinken").
    /// </summary>
    public static IReadOnlyList<string> Sentences(string paragraph) => SentenceEnd().Split(paragraph);

    /// <summary>The sentence, or the run of sentences, of the paragraph that the quote lies in.</summary>
    public static string SentenceOf(string paragraph, string quote)
    {
        var at = paragraph.IndexOf(quote, StringComparison.Ordinal);
        if (at < 0) throw new ArgumentException($"'{quote}' is not in the paragraph.");
        var start = 0;
        var words = new List<string>();
        foreach (var sentence in Sentences(paragraph))
        {
            start = paragraph.IndexOf(sentence, start, StringComparison.Ordinal);
            var end = start + sentence.Length;
            if (end > at && start < at + quote.Length) words.Add(sentence);
            start = end;
        }
        return string.Join(" ", words);
    }

    /// <summary>Runs of whitespace as one space: a quote across the split of a paragraph reads as the joined paragraph does.</summary>
    public static string OneSpaced(string text) => Whitespace().Replace(text, " ");

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

    [GeneratedRegex(@"\.[""”’]?$")]
    private static partial Regex EndsWithAFullStop();

    [GeneratedRegex(@"(?<=[.!?][""”’]?)(?<!\b[A-Z]\.)\s+(?=[""“]?[A-Z])")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?:(?<digits>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)|\b(?<word>one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b)(?:\s+(?<scale>million|billion))?",
        RegexOptions.IgnoreCase)]
    private static partial Regex Figure();
}
