using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Tracker.Domain;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>
/// What every request body obeys, whatever its type, so no value reaches a sum, a date calculation or the log that the
/// service cannot handle: text holds no control characters (tab and line feed only in [MultiLine] fields), every number
/// is at most <see cref="MaxNumber"/> in size, and every date lies between <see cref="EarliestDate"/> and
/// <see cref="LatestDate"/>. Sums of bounded amounts stay far inside decimal's range: a total would need 79 trillion
/// amounts at the maximum to overflow.
/// </summary>
public static class InputBounds
{
    /// <summary>A quadrillion: above any pledge, target or figure a coalition states, with room for conversions.</summary>
    public const decimal MaxNumber = 1_000_000_000_000_000m;
    public static readonly DateOnly EarliestDate = new(1900, 1, 1);
    public static readonly DateOnly LatestDate = new(2999, 12, 31);

    /// <summary>
    /// Per request type, what a client can set, with the name the JSON body spells; none for types not ours (their
    /// insides are not a client's). Worked out once per type: the walk runs on every request.
    /// </summary>
    private static readonly ConcurrentDictionary<Type, Field[]> Fields = new();

    /// <param name="Optional">Text a request may leave out (string?): sent, it must say something.</param>
    private sealed record Field(PropertyInfo Property, string Name, bool MultiLine, bool Happened, bool Optional);

    /// <summary>Each field (as the JSON body spells it) that breaks a bound, with what it must be.</summary>
    public static List<(string Field, string Message)> Check(object request, TimeProvider clock)
    {
        var failures = new List<(string, string)>();
        Walk(request, "", multiLine: false, clock, failures, depth: 0);
        return failures;
    }

    public static string? TextProblem(string text, bool multiLine)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsSurrogate(c))
            {
                // A lone half of a surrogate pair is not text (and PostgreSQL refuses it in JSON).
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
                return "must be valid Unicode text (found half of a surrogate pair).";
            }
            // U+FFFE and U+FFFF are not characters (and XML, as the IATI export writes, cannot hold them).
            var allowed = c is '\t' or '\n' ? multiLine : !char.IsControl(c) && c is not ('\uFFFE' or '\uFFFF');
            // A bidirectional override shows the text after it in an order other than its own ("report\u202E(txt.exe" reads
            // as a file name it is not), in the dashboard and in the exports: accepted until 2026-12-06. (Marks and
            // isolates, which mixed Arabic or Hebrew and Latin text may need, are left alone.)
            if (c is '\u202D' or '\u202E') return $"must not contain a bidirectional override (found U+{(int)c:X4}), which shows the text after it out of its order.";
            if (allowed) continue;
            return multiLine
                ? $"must not contain control characters (found U+{(int)c:X4}); only tab and line feed are allowed here."
                : $"must be one line without control characters (found U+{(int)c:X4}).";
        }
        return Invisible(text)
            ? "must have a visible character (found only invisible characters, such as zero-width spaces or lone combining marks)."
            : null;
    }

    /// <summary>
    /// Text made only of characters that show nothing (zero-width and other format characters, combining marks with nothing
    /// to combine with, spaces), at least one of them not a space: it reads as empty, but the framework's emptiness checks,
    /// which look for spaces, pass it. (Spaces alone are left to those checks, which say "empty".)
    /// </summary>
    private static bool Invisible(string text) => text.Length > 0 && !text.All(char.IsWhiteSpace) && ShowsNothing(text);

    /// <summary>
    /// Text that shows nothing: empty, or only spaces (a no-break space among them), characters no reader sees
    /// (<see cref="Invisible"/>) and combining marks with nothing to combine with. Not a control character (a tab, a line
    /// feed), which is text of another kind, refused where a line is wanted. Read by code point (until 2026-12-07 by UTF-16
    /// unit, so a tag or U+1D173 past the first plane, and the Hangul fillers, which are letters, showed something).
    /// </summary>
    public static bool ShowsNothing(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (System.Text.Rune.IsWhiteSpace(rune) && !System.Text.Rune.IsControl(rune) || Invisible(rune) ||
                System.Text.Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.NonSpacingMark
                    or System.Globalization.UnicodeCategory.EnclosingMark) continue;
            return false;
        }
        return true;
    }

    /// <summary>
    /// A character no reader sees: a format character (a right-to-left mark, a zero-width space, U+1D173's musical beam, a
    /// tag) in any plane; and the marks and letters Unicode lists as ignorable by default that are no format characters:
    /// the combining grapheme joiner, the variation selectors (the first plane's and the supplement's, so a CJK name's
    /// variant ideograph is refused too), the Mongolian free variation selectors, the Khmer inherent vowels and the Hangul
    /// fillers.
    /// </summary>
    public static bool Invisible(System.Text.Rune rune) =>
        System.Text.Rune.GetUnicodeCategory(rune) == System.Globalization.UnicodeCategory.Format ||
        rune.Value is 0x034F or (>= 0xFE00 and <= 0xFE0F) or (>= 0x180B and <= 0x180F) or 0x115F or 0x1160 or 0x3164 or 0xFFA0
            or 0x17B4 or 0x17B5 or (>= 0xE0000 and <= 0xE0FFF);

    /// <summary>
    /// A day something happened ([Happened]) after today by the service's clock: in UTC, with a day's grace for a monitor
    /// whose own date is already tomorrow (UTC+14).
    /// </summary>
    private static string? FutureProblem(object value, TimeProvider clock) =>
        value is DateOnly date && DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime) is var today && date > today.AddDays(1)
            ? $"must not be later than today: it is the day this happened ({today.AddDays(1):yyyy-MM-dd} at the latest, " +
              $"a day's grace on {today:yyyy-MM-dd} in UTC for time zones ahead of it)."
            : null;

    public static string? DateProblem(DateOnly date) =>
        date < EarliestDate || date > LatestDate ? $"must be a date between {EarliestDate:yyyy-MM-dd} and {LatestDate:yyyy-MM-dd}." : null;

    private static void Walk(object? value, string path, bool multiLine, TimeProvider clock, List<(string, string)> failures,
        int depth)
    {
        if (value is null || depth > 8) return;
        if (Problem(value, multiLine) is { } problem)
        {
            failures.Add((path.Length == 0 ? "body" : path, problem));
            return;
        }
        if (IsPlain(value)) return;

        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items) Walk(item, $"{path}[{i++}]", multiLine, clock, failures, depth + 1);
            return;
        }
        foreach (var field in Fields.GetOrAdd(value.GetType(), Settable))
        {
            var inner = field.Property.GetValue(value);
            if (inner is null) continue;
            // A plain value is checked here, so its path is written out only when it is reported.
            if (IsPlain(inner))
            {
                // An optional date sent as 0001-01-01 was sent, not left out: it is out of range, not required
                // (until 2026-12-06 it was said to be required).
                var sentFirstDay = (inner is DateOnly day && day == DateOnly.MinValue || inner is DateTimeOffset instant && instant == DateTimeOffset.MinValue) &&
                                   Nullable.GetUnderlyingType(field.Property.PropertyType) is not null;
                // Optional text sent blank ("", "  ") was stored and shown as an empty note until 2026-12-06; required
                // text sent blank is the validators' to say ("must not be empty").
                if (((sentFirstDay ? DateProblem(DateOnly.MinValue)
                         : field.Optional && inner is string text && string.IsNullOrWhiteSpace(text) ? BlankProblem
                         : Problem(inner, field.MultiLine)) ??
                     (field.Happened ? FutureProblem(inner, clock) : null)) is { } found)
                {
                    failures.Add((Join(path, field.Name), found));
                }
                continue;
            }
            Walk(inner, Join(path, field.Name), field.MultiLine, clock, failures, depth + 1);
        }
    }

    private static bool IsPlain(object value) =>
        value is string or decimal or DateOnly or DateTimeOffset || value.GetType().IsPrimitive || value.GetType().IsEnum;

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string? Problem(object value, bool multiLine) => value switch
    {
        string text => TextProblem(text, multiLine),
        decimal number when Math.Abs(number) > MaxNumber => $"must be at most {MaxNumber.ToString("N0", CultureInfo.InvariantCulture)} in size.",
        // A date left out reads as the first day of the calendar.
        DateOnly date when date == DateOnly.MinValue => "is required: give a date as YYYY-MM-DD.",
        DateTimeOffset instant when instant == DateTimeOffset.MinValue => "is required: give a date and time in ISO 8601 with its offset.",
        DateOnly date => DateProblem(date),
        DateTimeOffset instant => DateProblem(DateOnly.FromDateTime(instant.UtcDateTime)),
        _ => null
    };

    public const string BlankProblem = "must not be blank: leave it out, or give text.";

    // Only what a client sets (init or set accessors): computed properties such as a deadline's DueBy are answers.
    private static Field[] Settable(Type type)
    {
        if (type.Assembly.GetName().Name?.StartsWith("Tracker.", StringComparison.Ordinal) != true) return [];
        var nullability = new NullabilityInfoContext();
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not null && p.GetIndexParameters().Length == 0)
            .Select(p => new Field(p, char.ToLowerInvariant(p.Name[0]) + p.Name[1..], p.IsDefined(typeof(MultiLineAttribute)),
                p.IsDefined(typeof(HappenedAttribute)),
                p.PropertyType == typeof(string) && nullability.Create(p).WriteState == NullabilityState.Nullable))
            .ToArray();
    }
}
