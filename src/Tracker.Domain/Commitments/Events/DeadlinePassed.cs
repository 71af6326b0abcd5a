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
public sealed record DeadlinePassed(DateOnly DueBy, DateOnly? InForceFrom = null) : ITrackedEvent
{
    /// <summary>The day after the last day the deadline allowed, or the day it took effect if that came later.</summary>
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) =>
        InForceFrom is { } from && from > DueBy.AddDays(1) ? from : DueBy.AddDays(1);

    /// <summary>
    /// What the service saw, no more: no achievement on record by the due date (one in effect later may be), which is not
    /// evidence that it failed.
    /// </summary>
    string ITrackedEvent.Summary(string ledgerCurrency) => $"Deadline passed with no achievement on record by then (due by {Date(DueBy)}" +
        (InForceFrom is { } from ? $", a deadline in force from {Date(from)})" : ")");
}

