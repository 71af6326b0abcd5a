namespace Tracker.Domain.Commitments;

/// <summary>How a reported figure relates to the truth: communiqués give lower bounds ("more than $200 million").</summary>
public enum Comparator
{
    Exactly,
    AtLeast,
    MoreThan,
    About,
    UpTo
}
