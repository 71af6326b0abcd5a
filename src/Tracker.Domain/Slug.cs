using System.Globalization;
using System.Text;

namespace Tracker.Domain;

public static class Slug
{
    /// <summary>The key a pledger's pledges are counted under: the one named for it, else its name as a slug.</summary>
    public static string PledgerKey(string pledger, string? named) => named ?? From(pledger);

    /// <summary>"Côte d'Ivoire" becomes "cote-d-ivoire": lower-case ASCII letters and digits joined by single hyphens.</summary>
    public static string From(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsAsciiLetterOrDigit(c)) builder.Append(char.ToLowerInvariant(c));
            else if (LatinLetter(c) is { } folded) builder.Append(folded);
            else if (builder.Length > 0 && builder[^1] != '-') builder.Append('-');
        }
        var slug = builder.ToString().Trim('-');
        return slug.Length == 0 ? "pledger" : slug;
    }

    /// <summary>
    /// Whether a slug of the text would lose some of its letters or numbers (日本, Ω, ², Ⅻ, a letter outside the
    /// Basic Multilingual Plane), or have none at all ("!!!"): two such names would share one key. Accents are not lost:
    /// "Türkiye" is "turkiye", "København" "kobenhavn". (What the IATI export's sector codes are decided by: a code already
    /// published never changes.)
    /// </summary>
    public static bool LosesLetters(string text) => Loses(text, symbols: false);

    /// <summary>
    /// The same, counting symbols too, those that read as letters or stand for a name (Ⓐ, a flag, ™), where punctuation
    /// and signs such as &amp; and + only separate words: a pledger's name, whose key "Ⓐland" made "land" until 2026-12-06.
    /// </summary>
    public static bool LosesLettersOrSymbols(string text) => Loses(text, symbols: true);

    /// <summary>
    /// The letters, numbers and symbols <see cref="LosesLettersOrSymbols"/> finds lost, in their order (a flag is two
    /// symbols, so none is left out as a repeat: "🇺🇸🇺🇦" would read "🇺🇸🇦"), so that a refusal can name them ("🇺🇦" in
    /// "Emoji 🇺🇦 Fund"); empty for a name that loses none, or that has no letter at all ("!!!").
    /// </summary>
    public static string LostLettersOrSymbols(string text) =>
        string.Concat(text.EnumerateRunes().Where(rune => Lost(rune, symbols: true)).Take(20).Select(rune => rune.ToString()));

    private static bool Loses(string text, bool symbols)
    {
        var kept = 0;
        // By code point, not by UTF-16 unit: the two halves of a letter such as 𝔾 are not letters themselves.
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark) continue;
            if (Kept(rune)) kept++;
            else if (Lost(rune, symbols)) return true;
        }
        return kept == 0;
    }

    private static bool Kept(Rune rune) =>
        rune.IsBmp && (char.IsAsciiLetterOrDigit((char)rune.Value) || LatinLetter((char)rune.Value) is not null);

    // Numbers of every kind count, not only decimal digits: "Germany²" would otherwise be "germany".
    private static bool Lost(Rune rune, bool symbols) =>
        !Kept(rune) && Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark &&
        (Rune.IsLetterOrDigit(rune) || Rune.IsNumber(rune) || symbols && Rune.GetUnicodeCategory(rune) == UnicodeCategory.OtherSymbol);

    /// <summary>
    /// A Latin letter with a diacritic (or a ligature, or a letter such as ø, ł, ß) as the ASCII letters it is written
    /// with when accents are dropped; null for any other character. A table rather than Unicode decomposition: the
    /// service runs with invariant globalization, where string.Normalize leaves "ü" as it is (and a slug would lose it),
    /// and this way a key does not depend on the machine's ICU. Marks written as characters of their own ("u" and a
    /// combining diaeresis) are skipped by the callers.
    /// </summary>
    private static string? LatinLetter(char c) => c switch
    {
        >= '\u00C0' and <= '\u024F' => Folded(LatinSupplementAndExtended[c - '\u00C0'], c),
        >= '\u1E00' and <= '\u1EFF' => Folded(LatinExtendedAdditional[c - '\u1E00'], c),
        _ => null
    };

    private static string? Folded(char entry, char c) => entry switch
    {
        '.' => null,
        '*' => c switch
        {
            'Æ' or 'æ' or 'Ǣ' or 'ǣ' or 'Ǽ' or 'ǽ' => "ae",
            'Þ' or 'þ' => "th",
            'ß' or 'ẞ' => "ss",
            'Ĳ' or 'ĳ' => "ij",
            'Œ' or 'œ' => "oe",
            'Ǆ' or 'ǅ' or 'ǆ' or 'Ǳ' or 'ǲ' or 'ǳ' => "dz",
            'Ǉ' or 'ǈ' or 'ǉ' => "lj",
            _ => "nj"
        },
        _ => Letters[entry - 'a']
    };

    private static readonly string[] Letters = [.. Enumerable.Range('a', 26).Select(l => ((char)l).ToString())];

    // Generated from Unicode's decompositions (NFKD, the ASCII letter kept, the marks dropped), with ø, đ, ł, ħ, ŧ, ı, ð,
    // ŋ, ĸ, ſ and the like given their plain letter: one entry per code point, '.' for none, '*' for two letters.
    private const string LatinSupplementAndExtended =
        "aaaaaa*ceeeeiiiidnooooo.ouuuuy**aaaaaa*ceeeeiiiidnooooo.ouuuuy*y" +
        "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkklllllll" +
        "lllnnnnnn.nnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs" +
        "b.................f....i........oo.............uu....zz........." +
        "....*********aaiioouuuuuuuuuu.aaaa**ggggkkoooo..j***gg..nnaa**oo" +
        "aaaaeeeeiiiioooorrrruuuusstt..hh......aaeeooooooooyy............" +
        "...b............";

    private const string LatinExtendedAdditional =
        "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmm" +
        "mmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv" +
        "wwwwwwwwwwxxxxyyzzzzzzhtwy.s..*.aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee" +
        "eeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy......";
}
