using Tracker.Domain;
using Tracker.Domain.Commitments;

namespace Tracker.Api.Commitments;

public static class EvidenceExtensions
{
    /// <summary>Document keys are stored as registered: lower-case.</summary>
    public static Evidence Normalised(this Evidence evidence) => evidence.DocumentKey is null
        ? evidence
        : evidence with { DocumentKey = StreamIds.Normalise(evidence.DocumentKey) };
}

public static class TargetExtensions
{
    /// <summary>
    /// A unit is stored without the spaces around it, as a report's is: until 2026-12-06 a target in "people " made
    /// every report in "people" a unit-mismatch.
    /// </summary>
    public static Target? Normalised(this Target? target) =>
        target is { Unit: { } unit } && unit.Trim() != unit ? target with { Unit = unit.Trim() } : target;
}
