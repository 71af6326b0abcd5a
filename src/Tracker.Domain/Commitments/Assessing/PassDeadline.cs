namespace Tracker.Domain.Commitments;

/// <summary>
/// Decides, when a deadline check comes due, whether the deadline passed without the commitment achieved. Says nothing
/// when the deadline has since moved (a new check is scheduled for the new date), is not yet over, was already recorded,
/// or no longer mattered by then: achieved or withdrawn with effect on or before the due date. An achievement in effect
/// only later (achieved late, and perhaps recorded before the check came due) still leaves the deadline passed in the
/// days between, so views as effective show it overdue until it took effect.
/// </summary>
public static class PassDeadline
{
    public static Decision Decide(CommitmentState state, DateOnly dueBy, DateOnly today)
    {
        if (state.Deadline?.DueBy != dueBy || today <= dueBy || state.RecordedPassed(dueBy)) return Decision.Accept();
        if ((state.IsAchieved || state.Status == CommitmentStatus.Withdrawn) && state.StatusDate <= dueBy) return Decision.Accept();
        // A deadline that took effect after its own due date passed only once it was in force.
        return Decision.Accept(new DeadlinePassed(dueBy, state.DeadlineInForceFrom is { } from && from > dueBy ? from : null));
    }

    /// <summary>When to check: the first instant after the last day that still meets the deadline, in UTC.</summary>
    public static DateTimeOffset CheckAt(DateOnly dueBy) => new(dueBy.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
