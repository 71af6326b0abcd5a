using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>Evidence about the commitment was attached: a document or address, primary or secondary, dated.</summary>
public sealed record EvidenceAttached(Evidence Evidence) : ITrackedEvent, IRetractable
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => Evidence.On ?? recordedOn;

    // What its author said of it, as a report's note is (until 2026-12-07 the history gave evidence no reason).
    string? ITrackedEvent.Reason => Evidence.Note;

    string ITrackedEvent.Summary(string ledgerCurrency) =>
        $"Evidence attached: {Evidence.DocumentKey ?? Evidence.Url} ({(Evidence.Primary ? "primary" : "secondary")})" +
        (Evidence.Note is null ? "" : $": {Evidence.Note}");

    IRetraction IRetractable.RetractedBy(int version, string reason, Evidence source) =>
        new EvidenceRetracted(version, reason, source);
}

