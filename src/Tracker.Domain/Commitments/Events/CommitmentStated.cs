using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>A commitment was stated in a source document. Starts the commitment's stream.</summary>
public sealed record CommitmentStated(
    string Key,
    string Title,
    CommitmentKind Kind,
    string LineOfEffort,
    IReadOnlyList<string> Actors,
    Target? Target,
    Deadline? Deadline,
    Provenance StatedIn,
    DateOnly StatedOn) : ITrackedEvent
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => StatedOn;

    string ITrackedEvent.Summary(string ledgerCurrency) =>
        $"Stated in {StatedIn.DocumentKey}{Paragraph(StatedIn.Paragraph)} on {Date(StatedOn)}: {Title}" +
        (Target is null ? "" : $"; target {Wording.Target(Target)}") +
        (Deadline is null ? "" : $"; deadline {Wording.Deadline(Deadline)}");
}

