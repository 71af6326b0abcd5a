namespace Tracker.Domain.Commitments;

/// <summary>A monitor assessed the commitment's implementation status, with a rationale and the evidence for it.</summary>
public sealed record StatusAssessed(CommitmentStatus Status, DateOnly AssessedOn, string Rationale, Evidence Source);
