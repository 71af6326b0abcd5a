namespace Tracker.Domain.Commitments;

public static class StateCommitment
{
    public static Decision Decide(CommitmentStated stated) =>
        (Rules.TargetFitsKind(stated.Kind, stated.Target) ?? LedgerFitsTarget(stated.Target, stated.LedgerCurrency) ??
         DueAfterStatement(stated.Deadline, stated.StatedOn)) is { } violation
            ? violation
            : Decision.Accept(stated);

    /// <summary>
    /// A commitment is not stated already due: a due date before the statement's day is a mistake of one or the other
    /// (1900 for 2100), which until 2026-12-07 was recorded, and the commitment overdue from its first day.
    /// </summary>
    public static RuleViolation? DueAfterStatement(Deadline? deadline, DateOnly statedOn) =>
        deadline?.DueBy is { } due && due < statedOn
            ? new RuleViolation("deadline-before-statement",
                $"The deadline is due by {Wording.Date(due)}, before the commitment was stated ({Wording.Date(statedOn)}): a " +
                "commitment is not stated, restated or revised to be already due when it was stated. Check the deadline's date " +
                "and the statement's day (statedOn, else the document's).")
            : null;

    /// <summary>
    /// A money target counts money in its own currency: a ledger currency named beside it in another would be ignored
    /// until the target changed, and is refused rather than kept for later.
    /// </summary>
    public static RuleViolation? LedgerFitsTarget(Target? target, string? ledgerCurrency) =>
        (ledgerCurrency, target) is ({ } named, { IsMoney: true, Currency: { } targetCurrency }) && named != targetCurrency
            ? new RuleViolation("ledger-currency-mismatch",
                $"The target is money in {targetCurrency}, which money toward it is counted in; ledgerCurrency {named} " +
                $"names another. Leave ledgerCurrency out, or make it {targetCurrency}.")
            : null;
}
