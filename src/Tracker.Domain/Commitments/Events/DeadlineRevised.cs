using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>The commitment's deadline was revised outside a restatement.</summary>
public sealed record DeadlineRevised(Deadline NewDeadline, string Reason, Evidence Source) : ITrackedEvent, IRetractable
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => Source.On ?? recordedOn;

    string ITrackedEvent.Summary(string ledgerCurrency) => $"Deadline revised to {Deadline(NewDeadline)}: {Reason}";

    IRetraction IRetractable.RetractedBy(int version, string reason, Evidence source) =>
        new DeadlineRevisionRetracted(version, reason, source);
}

