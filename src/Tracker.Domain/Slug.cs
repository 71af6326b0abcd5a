using System.Globalization;
using System.Text;

namespace Tracker.Domain;

public static class Slug
{
    /// <summary>"Côte d'Ivoire" becomes "cote-d-ivoire": lower-case ASCII letters and digits joined by single hyphens.</summary>
    public static string From(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsAsciiLetterOrDigit(c)) builder.Append(char.ToLowerInvariant(c));
            else if (builder.Length > 0 && builder[^1] != '-') builder.Append('-');
        }
        var slug = builder.ToString().Trim('-');
        return slug.Length == 0 ? "pledger" : slug;
    }

    /// <summary>
    /// Whether a slug of the text would lose some of its letters or digits (日本, Ω), or have none at all ("!!!"): two
    /// such names would share one key. Accents are not lost: "Türkiye" is "turkiye".
    /// </summary>
    public static bool LosesLetters(string text)
    {
        var kept = 0;
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsAsciiLetterOrDigit(c)) kept++;
            else if (char.IsLetterOrDigit(c)) return true;
        }
        return kept == 0;
    }
}
