namespace Tracker.Domain.Commitments;

/// <summary>Evidence about the commitment was attached: a document or address, primary or secondary, dated.</summary>
public sealed record EvidenceAttached(Evidence Evidence);
