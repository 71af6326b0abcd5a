namespace Tracker.Domain.Commitments;

/// <summary>
/// Decides, when a deadline check comes due, whether the deadline passed without the commitment achieved. Says nothing
/// when the deadline has since moved (a new check is scheduled for the new date), is not yet over, was already recorded,
/// or no longer matters (achieved or withdrawn).
/// </summary>
public static class PassDeadline
{
    public static Decision Decide(CommitmentState state, DateOnly dueBy, DateOnly today)
    {
        if (state.Deadline?.DueBy != dueBy || today <= dueBy || state.DeadlinePassedOn == dueBy) return Decision.Accept();
        if (state.IsAchieved || state.Status == CommitmentStatus.Withdrawn) return Decision.Accept();
        return Decision.Accept(new DeadlinePassed(dueBy));
    }

    /// <summary>When to check: the first instant after the last day that still meets the deadline, in UTC.</summary>
    public static DateTimeOffset CheckAt(DateOnly dueBy) => new(dueBy.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
