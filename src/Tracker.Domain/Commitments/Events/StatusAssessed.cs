using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>A monitor assessed the commitment's implementation status, with a rationale and the evidence for it.</summary>
public sealed record StatusAssessed(CommitmentStatus Status, DateOnly AssessedOn, string Rationale, Evidence Source) : ITrackedEvent, IRetractable
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => AssessedOn;

    string? ITrackedEvent.Reason => Rationale;

    string ITrackedEvent.Summary(string ledgerCurrency) => $"Assessed {Name(Status)} on {Date(AssessedOn)}: {Rationale}";

    IRetraction IRetractable.RetractedBy(int version, string reason, Evidence source) =>
        new AssessmentRetracted(version, reason, source);
}

