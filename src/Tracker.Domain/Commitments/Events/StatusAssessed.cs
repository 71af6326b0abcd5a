using System.Text.Json.Serialization;
using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>
/// A monitor assessed the commitment's implementation status, with a rationale and the evidence for it: the judgement
/// made on <see cref="AssessedOn"/> about a state of affairs that took effect on <see cref="EffectiveOn"/> (achieved on,
/// missed on, stalled since). Assessments stored before the two dates were told apart carry one date, which is both.
/// </summary>
public sealed record StatusAssessed(CommitmentStatus Status, DateOnly AssessedOn, string Rationale, Evidence Source,
    DateOnly? EffectiveOn = null) : ITrackedEvent, IRetractable
{
    public DateOnly? EffectiveOn { get; init; } = EffectiveOn ?? AssessedOn;

    /// <summary>The day the assessed state of affairs took effect (never null: see EffectiveOn).</summary>
    [JsonIgnore]
    public DateOnly TookEffectOn => EffectiveOn ?? AssessedOn;

    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => TookEffectOn;

    string? ITrackedEvent.Reason => Rationale;

    string ITrackedEvent.Summary(string ledgerCurrency) => TookEffectOn == AssessedOn
        ? $"Assessed {Name(Status)} on {Date(AssessedOn)}: {Rationale}"
        : $"Assessed {Name(Status)} on {Date(AssessedOn)}, in effect since {Date(TookEffectOn)}: {Rationale}";

    IRetraction IRetractable.RetractedBy(int version, string reason, Evidence source) =>
        new AssessmentRetracted(version, reason, source);
}

