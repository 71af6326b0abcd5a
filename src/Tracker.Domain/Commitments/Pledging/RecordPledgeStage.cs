namespace Tracker.Domain.Commitments;

public static class RecordPledgeStage
{
    public static Decision Decide(CommitmentState state, string pledgeId, PledgeStage stage, Money amount, DateOnly on,
        ExchangeRate? rate, Evidence source)
    {
        if (Rules.NotWithdrawn(state) is { } withdrawn) return withdrawn;
        if (state.FindPledge(pledgeId) is not { } pledge) return PledgeRules.NotFound(state, pledgeId);
        if (PledgeRules.InPledgeCurrency(pledge, amount) is { } currency) return currency;

        if (on < pledge.AnnouncedOn)
        {
            return new RuleViolation("stage-before-announcement",
                $"Pledge '{pledge.PledgeId}' was announced on {pledge.AnnouncedOn:yyyy-MM-dd}; it cannot be " +
                $"{stage.ToString().ToLowerInvariant()} on {on:yyyy-MM-dd}. The days compared are the days each took " +
                $"effect, not the days they were recorded.");
        }

        var remaining = pledge.Remaining(stage);
        if (amount.Amount > remaining)
        {
            return new RuleViolation("stage-exceeds-pledge",
                $"Pledge '{pledge.PledgeId}' has {pledge.Currency} {Wording.Number(remaining)} left to be " +
                $"{stage.ToString().ToLowerInvariant()} of {pledge.Amount}; {amount} is more. Revise the pledge first.");
        }

        var (ledgerAmount, conversion) = Rules.ToPledgeLedger(amount, rate, state.LedgerCurrency, on);
        if (conversion is not null) return conversion;
        var disbursed = stage == PledgeStage.Disbursed;
        var named = disbursed ? "disbursed" : "committed";
        var inexact = Rules.AddsExactly(pledge.Currency,
                          ($"The {named} amount of pledge '{pledge.PledgeId}'", disbursed ? pledge.Disbursed : pledge.Committed, amount.Amount))
                      ?? Rules.AddsExactly(state.LedgerCurrency,
                          ($"The {named} amount of pledge '{pledge.PledgeId}' in the ledger currency", disbursed ? pledge.LedgerDisbursed : pledge.LedgerCommitted, ledgerAmount),
                          ($"The commitment's {named} total", disbursed ? state.PledgeSums.Disbursed : state.PledgeSums.Committed, ledgerAmount));
        if (inexact is not null) return inexact;

        return Decision.Accept(new PledgeStageRecorded(pledge.PledgeId, pledge.Pledger, stage, amount, on,
            amount.Currency == state.LedgerCurrency ? null : rate, ledgerAmount, source));
    }
}
