namespace Tracker.Domain.Commitments;

/// <summary>
/// Decides, when a deadline check comes due, whether the deadline passed without the commitment achieved. Says nothing
/// when the deadline has since moved (a new check is scheduled for the new date), is not yet over, was already recorded,
/// or no longer mattered by then: achieved or withdrawn with effect on or before the due date and still so. An achievement in effect
/// only later (achieved late, and perhaps recorded before the check came due) still leaves the deadline passed in the
/// days between, so views as effective show it overdue until it took effect.
/// </summary>
public static class PassDeadline
{
    public static Decision Decide(CommitmentState state, DateOnly dueBy, DateOnly today)
    {
        // A deadline that took effect after its own due date (set retroactively) passed only once it was in force: not
        // before that day, and not if the commitment was achieved or withdrawn by then.
        var inForceFrom = InForceAfterItsDay(state, dueBy);
        var passesOn = inForceFrom ?? dueBy.AddDays(1);
        if (state.Deadline?.DueBy != dueBy || today < passesOn || state.RecordedPassed(dueBy)) return Decision.Accept();
        if (Settles(state.Status) && state.StatusDate < passesOn) return Decision.Accept();
        // Achieved (or withdrawn) by the due date and settled ever since (achieved, then withdrawn): nothing passed. Settled
        // then and assessed otherwise since (achieved, then stalled): the deadline passed, and says so, where until
        // 2026-12-06 it said "no achievement on record by then".
        DateOnly? achievedUntil = null;
        if (state.Assessments.LastOrDefault(a => a.EffectiveOn < passesOn) is { } onTheLastDay && Settles(onTheLastDay.Status))
        {
            if (state.Assessments.FirstOrDefault(a => a.EffectiveOn >= passesOn && !Settles(a.Status)) is not { } since) return Decision.Accept();
            achievedUntil = since.EffectiveOn;
        }
        return Decision.Accept(new DeadlinePassed(dueBy, inForceFrom, achievedUntil));
    }

    /// <summary>The statuses that end a commitment's obligation to its deadline.</summary>
    private static bool Settles(CommitmentStatus status) =>
        status is CommitmentStatus.Achieved or CommitmentStatus.AchievedLate or CommitmentStatus.Withdrawn;

    /// <summary>When to check: the first instant after the last day that still meets the deadline, in UTC.</summary>
    public static DateTimeOffset CheckAt(DateOnly dueBy) => new(dueBy.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>
    /// When to check a state's due date: after its last day, or, for a deadline that took effect after it, on the day it
    /// did (a revision dated tomorrow, in the time zones ahead of UTC, to a day already past).
    /// </summary>
    public static DateTimeOffset CheckAt(CommitmentState state, DateOnly dueBy) =>
        InForceAfterItsDay(state, dueBy) is { } from ? new(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : CheckAt(dueBy);

    /// <summary>The day the due date came into force, when that was after the day following it; null otherwise.</summary>
    private static DateOnly? InForceAfterItsDay(CommitmentState state, DateOnly dueBy) =>
        state.Deadline?.DueBy == dueBy && state.DueDateInForceSince is { } since && since > dueBy.AddDays(1) ? since : null;
}
