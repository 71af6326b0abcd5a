namespace Tracker.Domain.Commitments;

/// <summary>A later document restated or reaffirmed the commitment, possibly with a new target or deadline.</summary>
public sealed record CommitmentRestated(
    Provenance RestatedIn,
    DateOnly RestatedOn,
    Target? NewTarget,
    Deadline? NewDeadline,
    string? Note);
