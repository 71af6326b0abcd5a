using Tracker.Domain.Commitments;

namespace Tracker.Tests.Domain.Commitments;

public sealed class deadline_periods
{
    [Theory]
    [InlineData("2022-06-15", DeadlinePrecision.Day, "2022-06-15")]
    [InlineData("2022-06-01", DeadlinePrecision.Month, "2022-06-30")]
    [InlineData("2024-02-01", DeadlinePrecision.Month, "2024-02-29")]
    [InlineData("2021-07-01", DeadlinePrecision.Quarter, "2021-09-30")]
    [InlineData("2021-09-01", DeadlinePrecision.Season, "2021-11-30")]
    [InlineData("2021-12-01", DeadlinePrecision.Season, "2022-02-28")]
    [InlineData("2022-01-01", DeadlinePrecision.Year, "2022-12-31")]
    [InlineData("2025-01-01", DeadlinePrecision.HalfYear, "2025-06-30")]
    [InlineData("2025-07-01", DeadlinePrecision.HalfYear, "2025-12-31")]
    public void a_deadline_is_met_until_the_end_of_its_period(string date, DeadlinePrecision precision, string dueBy)
    {
        new Deadline(DateOnly.Parse(date), precision).DueBy.ShouldBe(DateOnly.Parse(dueBy));
    }

    [Fact]
    public void an_open_ended_deadline_is_never_due()
    {
        new Deadline(null, DeadlinePrecision.OpenEnded, "as soon as circumstances permit").DueBy.ShouldBeNull();
    }
}
