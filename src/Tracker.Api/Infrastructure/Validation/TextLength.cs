using System.Globalization;
using FluentValidation;

namespace Tracker.Api.Infrastructure.Validation;

public static class TextLength
{
    /// <summary>
    /// How many Unicode code points a limit of characters admits for each: a character a reader sees may be several (a
    /// letter and its accents, a flag, a family emoji, a Devanagari syllable), but not without end, which would let a
    /// note of 2,000 characters hold megabytes of stacked marks.
    /// </summary>
    public const int CodePointsPerCharacter = 8;

#nullable disable annotations
    /// <summary>
    /// At most <paramref name="max"/> characters, counted as a reader counts them (user-perceived characters, Unicode's
    /// extended grapheme clusters: "é" written as e and a combining accent is one, and so is a flag or an emoji), not as
    /// .NET stores them: FluentValidation's <c>MaximumLength</c> counts UTF-16 units, so a title of 400 characters from
    /// outside the Basic Multilingual Plane was over a limit of 500 (until 2026-12-06), and until 2026-12-06 code points
    /// were counted, so a combining accent counted as a character of its own. Also at most
    /// <see cref="CodePointsPerCharacter"/> code points for each character the limit admits.
    /// </summary>
    public static IRuleBuilderOptions<T, string> MaximumCharacters<T>(this IRuleBuilder<T, string> rule, int max) =>
        rule.Must((_, text, context) =>
            {
                // Never more characters than UTF-16 units: a text within the limit in those is within it.
                if (text is null || text.Length <= max) return true;
                var characters = new StringInfo(text).LengthInTextElements;
                var codePoints = CodePoints(text);
                context.MessageFormatter.AppendArgument("Counted", characters > max
                    ? $"it has {characters.ToString("N0", CultureInfo.InvariantCulture)}"
                    : $"and {(max * CodePointsPerCharacter).ToString("N0", CultureInfo.InvariantCulture)} Unicode code points, as accents and " +
                      $"joiners count; it has {codePoints.ToString("N0", CultureInfo.InvariantCulture)}");
                return characters <= max && codePoints <= max * CodePointsPerCharacter;
            })
            .WithMessage($"{{PropertyName}} must be at most {max.ToString("N0", CultureInfo.InvariantCulture)} characters ({{Counted}}).");
#nullable restore annotations

    /// <summary>Unicode code points: a pair of UTF-16 surrogates is one.</summary>
    private static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }
}
