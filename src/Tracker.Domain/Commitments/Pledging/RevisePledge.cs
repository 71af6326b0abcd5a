namespace Tracker.Domain.Commitments;

/// <summary>The only way a pledge's total changes: an explicit, recorded revision.</summary>
public static class RevisePledge
{
    /// <param name="recordedOn">The day it is recorded: the day an undated revision takes effect.</param>
    public static Decision Decide(CommitmentState state, string pledgeId, Money newAmount, ExchangeRate? rate, string reason,
        Evidence source, DateOnly? recordedOn = null)
    {
        if (Rules.NotWithdrawn(state) is { } withdrawn) return withdrawn;
        if (state.FindPledge(pledgeId) is not { } pledge) return PledgeRules.NotFound(state, pledgeId);
        if (PledgeRules.InPledgeCurrency(pledge, newAmount) is { } currency) return currency;
        // A revision takes effect on its source's date, or the day it is recorded (PledgeRevised's effective date).
        if ((source.On ?? recordedOn) is { } on && on < pledge.AnnouncedOn)
        {
            return new RuleViolation("revision-before-announcement",
                $"Pledge '{pledge.PledgeId}' was announced on {pledge.AnnouncedOn:yyyy-MM-dd}; a revision cannot take effect on " +
                $"{on:yyyy-MM-dd} ({(source.On is null ? "the day it is recorded" : Rules.RevisionSourceDay)}), before the pledge existed. Give the day it took effect as the source's 'on'.");
        }

        // A pledge's amounts follow one another: each revision replaces the one before it from its day on, so one cannot
        // take effect before the revision in force (the exports would date a change before the amount it changes).
        if ((source.On ?? recordedOn) is { } day && pledge.RevisedOn is { } inForce && day < inForce)
        {
            return new RuleViolation("revision-out-of-order",
                $"Pledge '{pledge.PledgeId}' was last revised with effect from {inForce:yyyy-MM-dd}; a revision cannot take effect " +
                $"earlier ({day:yyyy-MM-dd}). To record an earlier change, retract the later revision, then record both in the order they took effect.");
        }

        var floor = pledge.MostStaged;

        if (newAmount.Amount < floor)
        {
            return new RuleViolation("revision-below-stages",
                $"Pledge '{pledge.PledgeId}' already has {pledge.Currency} {Wording.Number(floor)} committed or disbursed; " +
                $"it cannot be revised to {newAmount}.");
        }

        // Valued at a rate of its own day or before, as a pledge and a stage are (until 2026-12-05 a revision's rate was not
        // compared with its day: a 2021 revision could be valued at a 2026 rate).
        var (ledgerAmount, conversion) = Rules.ToPledgeLedger(newAmount, rate, state.LedgerCurrency, source.On ?? recordedOn);
        if (conversion is not null) return conversion;
        // The total moves as PledgeTotals.Replaced moves it: by the change where that is exact, otherwise the old value
        // taken off and the new added; each step exact.
        var inexact = PledgeTotals.ExactChange(pledge.LedgerAmount, ledgerAmount) is { } change
            ? Rules.AddsExactly(state.LedgerCurrency, ("The commitment's pledged total", state.PledgeSums.Pledged, change))
            : Rules.AddsExactly(state.LedgerCurrency, ("The commitment's pledged total", state.PledgeSums.Pledged, -pledge.LedgerAmount),
                ("The commitment's pledged total without the pledge", state.PledgeSums.Pledged - pledge.LedgerAmount, ledgerAmount));
        if (inexact is not null) return inexact;

        return Decision.Accept(new PledgeRevised(pledge.PledgeId, pledge.Pledger, newAmount,
            newAmount.Currency == state.LedgerCurrency ? null : rate, ledgerAmount, reason, source, pledge.LedgerAmount));
    }
}
