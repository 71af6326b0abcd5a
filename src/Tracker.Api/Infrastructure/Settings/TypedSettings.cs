using System.Globalization;

namespace Tracker.Api.Infrastructure.Settings;

/// <summary>
/// A setting the service reads as a switch, a whole number or a time span, and what it may be. The check at start reads
/// each as the services will: a value they cannot read failed them in the configuration binder's words (a stack trace
/// naming .NET types, exit code 134), and one read only after the service listened (the checkpoints', the gauges'
/// sampling) aborted a service that had already said it was listening.
/// </summary>
public abstract record TypedSetting(string Key)
{
    /// <summary>What a value must be, as the line refusing one says it: "true or false", "a whole number from 1 to 86400".</summary>
    public abstract string Expected { get; }

    /// <summary>Whether the services can read a value given (an empty one is refused before this is asked).</summary>
    public abstract bool Takes(string value);
}

/// <summary>On or off: true or false, in any case, as the configuration binder reads a bool.</summary>
public sealed record SwitchSetting(string Key) : TypedSetting(Key)
{
    public override string Expected => "true or false";
    public override bool Takes(string value) => bool.TryParse(value, out _);
}

/// <summary>
/// A whole number in a range: 32-bit unless the maximum says otherwise (the binder fails on anything past an int's range
/// where the service reads an int).
/// </summary>
public sealed record WholeNumberSetting(string Key, long Minimum, long Maximum = int.MaxValue) : TypedSetting(Key)
{
    public override string Expected => Maximum < long.MaxValue
        ? $"a whole number from {Minimum} to {Maximum}"
        : $"a whole number of at least {Minimum}";

    public override bool Takes(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= Minimum && number <= Maximum;
}

/// <summary>
/// A time span in a range, read as the configuration binder reads one (hh:mm:ss, days before a dot); with
/// <paramref name="DaysBeforeADot"/> only in that invariant form. Hours of 24 or more are refused in either: the binder
/// reads 24:00:00 as 24 days (until 2026-12-07 a checkpoint interval or settle time so written was taken as that).
/// </summary>
public sealed record TimeSpanSetting(string Key, TimeSpan Minimum, TimeSpan Maximum, bool DaysBeforeADot = false) : TypedSetting(Key)
{
    public override string Expected => (Maximum < TimeSpan.MaxValue ? $"a time span from {Said(Minimum)} to {Said(Maximum)}" : $"a time span of at least {Said(Minimum)}") +
                                       (DaysBeforeADot
                                           ? ", days before a dot: 1.00:00:00 for a day (24:00:00 is not read as one)"
                                           : ", such as 00:01:00 (days before a dot: 1.00:00:00 for a day; 24:00:00 is not read as one)");

    public override bool Takes(string value) =>
        !HoursReadAsDays(value) && Read(value) is { } span && span >= Minimum && span <= Maximum;

    /// <summary>"24:00:00", "36:00": hours the general form reads as days (TimeSpan.Parse takes a first field past 23 as days).</summary>
    private static bool HoursReadAsDays(string value)
    {
        var text = value.Trim().TrimStart('-');
        var colon = text.IndexOf(':');
        var dot = text.IndexOf('.');
        return colon > 0 && (dot < 0 || dot > colon) &&
               int.TryParse(text[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var hours) && hours > 23;
    }

    private TimeSpan? Read(string value) =>
        DaysBeforeADot
            ? TimeSpan.TryParseExact(value, "c", CultureInfo.InvariantCulture, out var exact) ? exact : null
            : TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) ? span : null;

    /// <summary>A bound as an operator says it: 100 ms, 10 seconds, 49 days.</summary>
    public static string Said(TimeSpan span) => span switch
    {
        { Ticks: 0 } => "0",
        { TotalDays: var days } when days == Math.Floor(days) => Counted((long)days, "day"),
        { TotalHours: var hours } when hours == Math.Floor(hours) => Counted((long)hours, "hour"),
        { TotalMinutes: var minutes } when minutes == Math.Floor(minutes) => Counted((long)minutes, "minute"),
        { TotalSeconds: var seconds } when seconds == Math.Floor(seconds) => Counted((long)seconds, "second"),
        _ => $"{span.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms"
    };

    private static string Counted(long count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
