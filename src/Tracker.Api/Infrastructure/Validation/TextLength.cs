using System.Globalization;
using FluentValidation;

namespace Tracker.Api.Infrastructure.Validation;

public static class TextLength
{
#nullable disable annotations
    /// <summary>
    /// At most <paramref name="max"/> characters, counted as a reader counts them (Unicode scalar values), not as .NET
    /// stores them: FluentValidation's <c>MaximumLength</c> counts UTF-16 units, so a title of 400 characters from outside
    /// the Basic Multilingual Plane (an emoji, a historic script) was over a limit of 500 (until 2026-12-06).
    /// </summary>
    public static IRuleBuilderOptions<T, string> MaximumCharacters<T>(this IRuleBuilder<T, string> rule, int max) =>
        rule.Must((_, text, context) =>
            {
                if (text is null || text.Length <= max) return true;
                var count = Characters(text);
                context.MessageFormatter.AppendArgument("Characters", count.ToString("N0", CultureInfo.InvariantCulture));
                return count <= max;
            })
            .WithMessage($"{{PropertyName}} must be at most {max.ToString("N0", CultureInfo.InvariantCulture)} characters (it has {{Characters}}).");
#nullable restore annotations

    /// <summary>Characters as a reader counts them: a pair of UTF-16 surrogates is one.</summary>
    public static int Characters(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }
}
