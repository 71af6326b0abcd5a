namespace Tracker.Domain.Commitments;

public static class RestateCommitment
{
    public static Decision Decide(CommitmentState state, CommitmentRestated restated)
    {
        if (Rules.NotWithdrawn(state) is { } withdrawn) return withdrawn;

        var document = restated.RestatedIn.DocumentKey;
        if (state.StatingDocuments.Contains(document))
        {
            return new RuleViolation("already-stated-in-document",
                $"Commitment '{state.Key}' is already stated or restated in document '{document}'.", ViolationKind.Conflict);
        }

        if (restated.RestatedOn < state.StatedOn)
        {
            return new RuleViolation("restated-before-stated",
                $"A restatement on {restated.RestatedOn:yyyy-MM-dd} cannot precede the statement on {state.StatedOn:yyyy-MM-dd} " +
                $"(the days each was made, not the days they were recorded).");
        }

        // A deadline due before the statement, as the statement's own cannot be (until 2026-12-07 taken from a restatement).
        if ((Rules.TargetFitsKind(state.Kind, restated.NewTarget) ?? Rules.LedgerCurrencyKept(state, restated.NewTarget) ??
             StateCommitment.DueAfterStatement(restated.NewDeadline, state.StatedOn))
            is { } violation)
        {
            return violation;
        }

        return Decision.Accept(restated);
    }
}
