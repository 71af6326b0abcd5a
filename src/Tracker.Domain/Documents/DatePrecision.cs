namespace Tracker.Domain.Documents;

/// <summary>
/// How much of a document's date is known: a news report whose page gives only the month is dated to the month, and the
/// tracker keeps it so (the date is the period's first day, shown as "2024-10"), never inventing the day.
/// </summary>
public enum DatePrecision
{
    Day,
    Month,
    Year
}

public static class DatePrecisions
{
    /// <summary>Whether the date is how this precision is written: the first day of its month or year.</summary>
    public static bool Starts(this DatePrecision precision, DateOnly date) => precision switch
    {
        DatePrecision.Month => date.Day == 1,
        DatePrecision.Year => date is { Month: 1, Day: 1 },
        _ => true
    };

    /// <summary>The last day of the period a date of this precision starts (the day itself, its month's or its year's last).</summary>
    public static DateOnly LastDay(this DatePrecision precision, DateOnly first) => precision switch
    {
        DatePrecision.Month => first.AddMonths(1).AddDays(-1),
        DatePrecision.Year => first.AddYears(1).AddDays(-1),
        _ => first
    };

    /// <summary>The date as far as it is known: "2024-09-30", "2024-10" or "2024".</summary>
    public static string Written(this DatePrecision precision, DateOnly date) => precision switch
    {
        DatePrecision.Month => date.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
        DatePrecision.Year => date.ToString("yyyy", System.Globalization.CultureInfo.InvariantCulture),
        _ => Wording.Date(date)
    };
}
