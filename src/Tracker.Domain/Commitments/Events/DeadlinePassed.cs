using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>
/// The commitment's deadline passed without it being achieved. Recorded by the service itself, at the end of the day the
/// deadline allows, so the overdue state is part of the history and replays the same way.
/// </summary>
public sealed record DeadlinePassed(DateOnly DueBy) : ITrackedEvent
{
    /// <summary>The day after the last day the deadline allowed.</summary>
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => DueBy.AddDays(1);

    /// <summary>
    /// What the service saw, no more: no achievement on record by the due date (one in effect later may be), which is not
    /// evidence that it failed.
    /// </summary>
    string ITrackedEvent.Summary(string ledgerCurrency) => $"Deadline passed with no achievement on record by then (due by {Date(DueBy)})";
}

