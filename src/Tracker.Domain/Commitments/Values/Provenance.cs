namespace Tracker.Domain.Commitments;

/// <summary>Where a commitment is stated: the source document's key, the paragraph, and the verbatim words.</summary>
public sealed record Provenance(string DocumentKey, string? Paragraph, [property: MultiLine] string Quote);
