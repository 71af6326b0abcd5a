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
/// <param name="SettledUntil">
/// For a commitment achieved (or withdrawn) by its due date and assessed otherwise after it (achieved, then stalled): the
/// day that later assessment took effect, from which the deadline counts as passed. Null otherwise, and in events recorded
/// before 2026-12-06, when such an event was dated the day after the due date and said no achievement was on record by
/// then.
/// </param>
public sealed record DeadlinePassed(DateOnly DueBy, DateOnly? InForceFrom = null, DateOnly? SettledUntil = null) : ITrackedEvent
{
    /// <summary>
    /// The day after the last day the deadline allowed, or the day it took effect if that came later, or the day the
    /// achievement in force on its due date stopped being in force.
    /// </summary>
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) =>
        new[] { DueBy.AddDays(1), InForceFrom ?? DateOnly.MinValue, SettledUntil ?? DateOnly.MinValue }.Max();

    /// <summary>
    /// What the service saw, no more: no achievement on record by the due date (one in effect later may be), which is not
    /// evidence that it failed; or an achievement on record by then that is no longer in force.
    /// </summary>
    string ITrackedEvent.Summary(string ledgerCurrency) => SettledUntil is { } until
        ? $"Deadline passed (due by {Date(DueBy)}): the status on record by then no longer held from {Date(until)}"
        : $"Deadline passed with no achievement on record by then (due by {Date(DueBy)}" +
          (InForceFrom is { } from ? $", a deadline in force from {Date(from)})" : ")");
}

