namespace Tracker.Domain.Commitments;

/// <summary>The commitment's target was revised outside a restatement.</summary>
public sealed record TargetRevised(Target NewTarget, string Reason, Evidence Source);
