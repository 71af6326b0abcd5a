using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>
/// An earlier event of this stream (by its version) was found wrong and its effect is reversed. The corrected event stays
/// in the log; a replacement, if any, is recorded as a new event after this one. Pledger is set when the corrected event
/// was about a pledge, so views of pledgers across commitments can reverse it too.
/// </summary>
public sealed record EventCorrected(int CorrectedVersion, string CorrectedEvent, string Reason, Evidence Source,
    string? Pledger = null) : ITrackedEvent
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => null;

    string ITrackedEvent.Summary(string ledgerCurrency) => $"Version {CorrectedVersion} ({CorrectedEvent}) reversed: {Reason}";
}

