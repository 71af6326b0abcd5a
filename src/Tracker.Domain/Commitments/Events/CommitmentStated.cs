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
    DateOnly StatedOn);
