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
