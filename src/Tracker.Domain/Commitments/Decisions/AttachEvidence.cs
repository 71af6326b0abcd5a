namespace Tracker.Domain.Commitments;

public static class AttachEvidence
{
    public static Decision Decide(Commitment state, Evidence evidence) =>
        Rules.NotWithdrawn(state) is { } withdrawn ? withdrawn : Decision.Accept(new EvidenceAttached(evidence));
}
