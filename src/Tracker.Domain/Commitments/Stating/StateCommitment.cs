namespace Tracker.Domain.Commitments;

public static class StateCommitment
{
    public static Decision Decide(CommitmentStated stated) =>
        Rules.TargetFitsKind(stated.Kind, stated.Target) is { } violation
            ? violation
            : Decision.Accept(stated);
}
