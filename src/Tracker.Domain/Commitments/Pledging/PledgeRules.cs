namespace Tracker.Domain.Commitments;

public static class PledgeRules
{
    public static RuleViolation Unknown(CommitmentState state, string pledgeId) => new("unknown-pledge",
        $"Commitment '{state.Key}' has no pledge '{pledgeId}'.");

    /// <summary>A pledge's stages and revisions are in the currency it was announced in.</summary>
    public static RuleViolation? InPledgeCurrency(PledgeLedger pledge, Money amount) => amount.Currency == pledge.Currency
        ? null
        : new RuleViolation("pledge-currency-mismatch",
            $"Pledge '{pledge.PledgeId}' is in {pledge.Currency}; record its stages and revisions in {pledge.Currency} " +
            $"(the amount was in {amount.Currency}).");
}
