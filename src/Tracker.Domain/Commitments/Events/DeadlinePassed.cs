using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>
/// The commitment's deadline passed without it being achieved. Recorded by the service itself, at the end of the day the
/// deadline allows, so the overdue state is part of the history and replays the same way.
/// </summary>
/// <param name="InForceFrom">
/// The day the deadline took effect, when that came after its due date (a deadline set retroactively, by a revision
/// dated after the day it names): it was not in force, and so could not have passed, before then. Null otherwise, and in
/// events recorded before 2026-12-05.
/// </param>
/// <param name="AchievedUntil">
/// For a commitment achieved by its due date and assessed otherwise after it (achieved, then stalled): the day that later
/// assessment took effect. The passing is dated as any is (the commitment was not overdue while achieved: overdue is a
/// passed deadline without an achievement); only what it says differs. Null otherwise, and in events recorded before
/// 2026-12-06, when such an event said no achievement was on record by then.
/// </param>
public sealed record DeadlinePassed(DateOnly DueBy, DateOnly? InForceFrom = null, DateOnly? AchievedUntil = null) : ITrackedEvent
{
    /// <summary>The day after the last day the deadline allowed, or the day it took effect if that came later.</summary>
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) =>
        InForceFrom is { } from && from > DueBy.AddDays(1) ? from : DueBy.AddDays(1);

    /// <summary>
    /// What the service saw, no more: no achievement on record by the due date (one in effect later may be), which is not
    /// evidence that it failed; or an achievement on record by then that no longer holds.
    /// </summary>
    string ITrackedEvent.Summary(string ledgerCurrency)
    {
        var due = $"due by {Date(DueBy)}" + (InForceFrom is { } from ? $", a deadline in force from {Date(from)}" : "");
        return AchievedUntil is { } until
            ? $"Deadline passed ({due}): achieved by then, but assessed otherwise from {Date(until)}"
            : $"Deadline passed with no achievement on record by then ({due})";
    }
}

