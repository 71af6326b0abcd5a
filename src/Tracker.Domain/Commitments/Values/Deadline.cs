namespace Tracker.Domain.Commitments;

public enum DeadlinePrecision
{
    Day,
    Month,
    Quarter,
    /// <summary>A meteorological season of the northern hemisphere: the Date is its first day (Mar, Jun, Sep or Dec 1).</summary>
    Season,
    Year,
    /// <summary>No date: "as soon as circumstances permit". Description says what the text says.</summary>
    OpenEnded,
    /// <summary>
    /// A half of a year ("in the first half of 2025", "by mid-2025"): the Date is its first day (Jan or Jul 1). Last
    /// among the precisions because it came last (2026-12-07), not because it is the loosest.
    /// </summary>
    HalfYear
}

/// <summary>
/// When a commitment is due, as precisely as the text says it: "by June 2022" is 2022-06-01 with Month precision and is
/// due by the end of that month.
/// </summary>
public sealed record Deadline(DateOnly? Date, DeadlinePrecision Precision, string? Description = null)
{
    /// <summary>The last day that still meets the deadline; none for an open-ended one.</summary>
    public DateOnly? DueBy => Date is not { } start ? null : Precision switch
    {
        DeadlinePrecision.Day => start,
        DeadlinePrecision.Month => new DateOnly(start.Year, start.Month, 1).AddMonths(1).AddDays(-1),
        DeadlinePrecision.Quarter => new DateOnly(start.Year, (start.Month - 1) / 3 * 3 + 1, 1).AddMonths(3).AddDays(-1),
        DeadlinePrecision.Season => new DateOnly(start.Year, start.Month, 1).AddMonths(3).AddDays(-1),
        DeadlinePrecision.HalfYear => start.Month <= 6 ? new DateOnly(start.Year, 6, 30) : new DateOnly(start.Year, 12, 31),
        DeadlinePrecision.Year => new DateOnly(start.Year, 12, 31),
        _ => null
    };
}
