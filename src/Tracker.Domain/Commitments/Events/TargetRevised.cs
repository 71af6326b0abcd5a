using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>The commitment's target was revised outside a restatement.</summary>
public sealed record TargetRevised(Target NewTarget, string Reason, Evidence Source) : ITrackedEvent, IRetractable
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => Source.On ?? recordedOn;

    string ITrackedEvent.Summary(string ledgerCurrency) => $"Target revised to {Target(NewTarget)}: {Reason}";

    IRetraction IRetractable.RetractedBy(int version, string reason, Evidence source) =>
        new TargetRevisionRetracted(version, reason, source);
}

