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
        rule.SetValidator(new MaximumCharactersValidator<T>(max))
            .WithMessage($"{{PropertyName}} must be at most {max.ToString("N0", CultureInfo.InvariantCulture)} characters ({{Counted}}).");
#nullable restore annotations

    /// <summary>
    /// The rule <see cref="MaximumCharacters{T}"/> sets, as a validator of its own so that the OpenAPI document can read
    /// its limit (ValidationConstraints).
    /// </summary>
    public sealed class MaximumCharactersValidator<T>(int max) : FluentValidation.Validators.PropertyValidator<T, string>, ICharacterLimit
    {
        public int Max { get; } = max;

        /// <summary>The most code points a text within the limit may hold: what a JSON Schema's maxLength can say of it.</summary>
        public int MaxCodePoints => Max * CodePointsPerCharacter;

        public override string Name => "MaximumCharactersValidator";

        public override bool IsValid(ValidationContext<T> context, string text)
        {
            // Never more characters than UTF-16 units: a text within the limit in those is within it.
            if (text is null || text.Length <= Max) return true;
            var characters = new StringInfo(text).LengthInTextElements;
            var codePoints = CodePoints(text);
            context.MessageFormatter.AppendArgument("Counted", characters > Max
                ? $"it has {characters.ToString("N0", CultureInfo.InvariantCulture)}"
                : $"and {MaxCodePoints.ToString("N0", CultureInfo.InvariantCulture)} Unicode code points, as accents and " +
                  $"joiners count; it has {codePoints.ToString("N0", CultureInfo.InvariantCulture)}");
            return characters <= Max && codePoints <= MaxCodePoints;
        }
    }

    /// <summary>Unicode code points: a pair of UTF-16 surrogates is one.</summary>
    private static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }
}
