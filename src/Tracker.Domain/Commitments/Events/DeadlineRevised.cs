namespace Tracker.Domain.Commitments;

/// <summary>The commitment's deadline was revised outside a restatement.</summary>
public sealed record DeadlineRevised(Deadline NewDeadline, string Reason, Evidence Source);
