namespace Tracker.Domain.Commitments;

public static class StateCommitment
{
    public static Decision Decide(CommitmentStated stated) =>
        (Rules.TargetFitsKind(stated.Kind, stated.Target) ?? LedgerFitsTarget(stated.Target, stated.LedgerCurrency)) is { } violation
            ? violation
            : Decision.Accept(stated);

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
