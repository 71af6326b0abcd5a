using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>A later document restated or reaffirmed the commitment, possibly with a new target or deadline.</summary>
public sealed record CommitmentRestated(
    Provenance RestatedIn,
    DateOnly RestatedOn,
    Target? NewTarget,
    Deadline? NewDeadline,
    string? Note) : ITrackedEvent, IRetractable
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => RestatedOn;

    string? ITrackedEvent.Reason => Note;

    string ITrackedEvent.Summary(string ledgerCurrency) =>
        $"Restated in {RestatedIn.DocumentKey}{Paragraph(RestatedIn.Paragraph)} on {Date(RestatedOn)}" +
        (NewTarget is null ? "" : $"; new target {Target(NewTarget)}") +
        (NewDeadline is null ? "" : $"; new deadline {Deadline(NewDeadline)}");

    IRetraction IRetractable.RetractedBy(int version, string reason, Evidence source) =>
        new RestatementRetracted(version, RestatedIn.DocumentKey, reason, source);
}

