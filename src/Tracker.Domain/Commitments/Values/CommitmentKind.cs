namespace Tracker.Domain.Commitments;

public enum CommitmentKind
{
    /// <summary>Money: a goal or pledge drive with an amount in a currency.</summary>
    Financial,
    /// <summary>A number of something: people repatriated, personnel trained, members.</summary>
    Quantitative,
    /// <summary>A thing to happen: a meeting held, a body created or tasked.</summary>
    Milestone,
    /// <summary>An aim a monitor assesses without a figure.</summary>
    Qualitative
}
