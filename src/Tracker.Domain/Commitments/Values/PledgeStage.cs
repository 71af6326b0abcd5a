namespace Tracker.Domain.Commitments;

/// <summary>A pledge's later stages, after it is announced: committed (firm, contracted) and disbursed (paid).</summary>
public enum PledgeStage
{
    Committed,
    Disbursed
}
