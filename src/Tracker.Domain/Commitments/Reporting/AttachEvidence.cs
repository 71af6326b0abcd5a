namespace Tracker.Domain.Commitments;

public static class AttachEvidence
{
    public static Decision Decide(CommitmentState state, Evidence evidence) =>
        Rules.NotWithdrawn(state) is { } withdrawn ? withdrawn : Decision.Accept(new EvidenceAttached(evidence));
}
