namespace Tracker.Domain.Commitments;

public static class PledgeRules
{
    /// <summary>A pledge a correction's fact names (the fact at the version it retracts) that the commitment no longer has (422).</summary>
    public static RuleViolation Unknown(CommitmentState state, string pledgeId) => new("unknown-pledge",
        $"Commitment '{state.Key}' has no pledge '{pledgeId}'.");

    /// <summary>A pledge named in the route (its stages, its revisions) that the commitment does not have: no such resource (404).</summary>
    public static RuleViolation NotFound(CommitmentState state, string pledgeId) =>
        Unknown(state, pledgeId) with { Kind = ViolationKind.NotFound };

    /// <summary>A pledge's stages and revisions are in the currency it was announced in.</summary>
    public static RuleViolation? InPledgeCurrency(PledgeLedger pledge, Money amount) => amount.Currency == pledge.Currency
        ? null
        : new RuleViolation("pledge-currency-mismatch",
            $"Pledge '{pledge.PledgeId}' is in {pledge.Currency}; record its stages and revisions in {pledge.Currency} " +
            $"(the amount was in {amount.Currency}).");
}
