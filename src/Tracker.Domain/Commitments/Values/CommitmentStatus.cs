namespace Tracker.Domain.Commitments;

/// <summary>
/// Implementation status, kept apart from the money ledger. "Not assessed" is the initial state and is not "not started":
/// readers take unrated commitments for inaction, so the difference is explicit.
/// </summary>
public enum CommitmentStatus
{
    NotAssessed,
    NotStarted,
    InProgress,
    Stalled,
    PartiallyAchieved,
    Achieved,
    /// <summary>Achieved after its deadline: the service records this instead of a plain "achieved".</summary>
    AchievedLate,
    Missed,
    Withdrawn
}
