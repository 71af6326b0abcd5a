namespace Tracker.Domain.Commitments;

/// <summary>The rules shared by several decisions.</summary>
public static class Rules
{
    /// <summary>
    /// Where a revision's day came from when its source has one, as its refusals say: its own `on`, or the day of the
    /// document it cites (filled in by the API).
    /// </summary>
    public const string RevisionSourceDay = "its source's date: its 'on', or the day of the document it cites";

    public static RuleViolation? NotWithdrawn(CommitmentState state) => state.Status == CommitmentStatus.Withdrawn
        ? new RuleViolation("commitment-withdrawn",
            $"Commitment '{state.Key}' is withdrawn; only corrections can still be recorded.", ViolationKind.Conflict)
        : null;

    /// <summary>A financial commitment's target is money; a quantitative one's is a quantity.</summary>
    public static RuleViolation? TargetFitsKind(CommitmentKind kind, Target? target) => (kind, target) switch
    {
        (CommitmentKind.Financial, { IsMoney: false }) => new RuleViolation("target-kind-mismatch",
            "A financial commitment's target must be money (an amount and a currency)."),
        (CommitmentKind.Quantitative, { IsMoney: true }) => new RuleViolation("target-kind-mismatch",
            "A quantitative commitment's target must be a quantity with a unit, not money."),
        _ => null
    };

    /// <summary>
    /// Once money is recorded, the ledger currency may not change under it: not by a money target in another currency,
    /// nor by a target that is not money, which counts money in the currency the statement named (by default USD).
    /// </summary>
    public static RuleViolation? LedgerCurrencyKept(CommitmentState state, Target? newTarget)
    {
        if (newTarget is null || state.CountedIn(newTarget) is var counted && counted == state.LedgerCurrency)
            return null;
        return state.MoneyRecorded
            ? new RuleViolation("ledger-currency-locked",
                $"Money is already recorded in {state.LedgerCurrency}; " +
                (newTarget.IsMoney ? $"a target in {counted}" : $"a target that is not money (money is then counted in {counted})") +
                " would change the ledger currency under it. Keep the currency, or correct the recorded money first.",
                ViolationKind.Conflict)
            : null;
    }

    /// <summary>
    /// A ledger currency named for money while the target is not money: not beside a money target in another currency in
    /// force after the revision naming it (the one in force, or the one revised to with it if it takes effect last), which
    /// counts money in its own; and, once money is recorded, not one that changes the currency it was counted in.
    /// </summary>
    /// <param name="after">The state after the revision: the naming, and the target revised to with it.</param>
    public static RuleViolation? LedgerNamedFits(CommitmentState before, CommitmentState after, string currency)
    {
        if (after.Target is { IsMoney: true, Currency: { } targetCurrency } && targetCurrency != currency)
        {
            return new RuleViolation("ledger-currency-mismatch",
                $"The target in force is money in {targetCurrency}, which money toward it is counted in; " +
                $"ledgerCurrency {currency} names another. Leave ledgerCurrency out, or make it {targetCurrency}.");
        }
        return before.MoneyRecorded && before.LedgerCurrency != after.CountedIn(after.Target)
            ? new RuleViolation("ledger-currency-locked",
                $"Money is already recorded in {before.LedgerCurrency}; counting it in {currency} would change the ledger " +
                "currency under it. Keep the currency, or correct the recorded money first.", ViolationKind.Conflict)
            : null;
    }

    /// <summary>
    /// Reversing a target's revision or a restatement brings back the target before it: not one that counts in another
    /// currency once money is recorded, which would relabel the recorded amounts without converting them.
    /// </summary>
    public static RuleViolation? LedgerCurrencyKeptOnReversal(CommitmentState before, CommitmentState after, int version) =>
        // The target brought back, not the state's ledger, which keeps the money's currency (MoneyLedger) whatever the target.
        before.MoneyRecorded && after.CountedIn(after.Target) is var counted && counted != before.LedgerCurrency
            ? new RuleViolation("ledger-currency-locked",
                $"Money is already recorded in {before.LedgerCurrency}; reversing version {version} would count it in {counted} " +
                "(the target, or the ledger currency named, it brings back) and change the ledger currency under it. Correct " +
                "the recorded money first, or revise the target instead.", ViolationKind.Conflict)
            : null;

    /// <summary>
    /// A total keeps 28 to 29 significant digits (a decimal's): an amount whose addition would round it, a ledger amount of
    /// 10^21 beside a total of 0.00000004, would lose the smaller from the total for good, so that retracting the larger
    /// later left a total that no longer matched the pledges (0 with a pledge standing, then below 0; until 2026-12-06).
    /// Each total a write adds to is checked: <paramref name="totals"/> names each with what it already holds and what the
    /// write adds to it (negative for a revision down).
    /// </summary>
    public static RuleViolation? AddsExactly(string currency, params (string Total, decimal Holds, decimal Adds)[] totals)
    {
        foreach (var (total, holds, adds) in totals)
        {
            // Past a decimal's range the addition throws, which the API answers as figures too large to add up.
            var sum = holds + adds;
            if (sum - adds == holds && sum - holds == adds) continue;
            return new RuleViolation("amount-beyond-precision",
                $"{total} holds {currency} {Wording.Number(holds)}; adding {currency} {Wording.Number(adds)} would need more than " +
                "the 28 significant digits a total keeps, and the smaller amount's digits would be lost from it. Record the " +
                "amounts with fewer digits after the point, or a rate that values them in the ledger currency with fewer.");
        }
        return null;
    }

    /// <summary>
    /// Pledged money (a pledge, a stage, a revision) is summed into totals, so it is kept to
    /// <see cref="PledgedMoneyPlaces"/> decimal places, a millionth of a unit (below every currency's minor unit): the
    /// API refuses more in an amount, and its value in the ledger currency is rounded to as many (to even). Amounts of at
    /// most 10^21 at that many places add up exactly in any order while a total stays under about 7.9 x 10^22, so a view
    /// that sums them in another order (the effective timeline) gets the same totals. (Reports are not summed and keep
    /// every digit.)
    /// </summary>
    public const int PledgedMoneyPlaces = 6;

    /// <summary><see cref="ToLedger"/> for pledged money: its value rounded to <see cref="PledgedMoneyPlaces"/>.</summary>
    public static (decimal LedgerAmount, RuleViolation? Violation) ToPledgeLedger(Money amount, ExchangeRate? rate, string ledgerCurrency,
        DateOnly? tookEffectOn)
    {
        var (ledgerAmount, violation) = ToLedger(amount, rate, ledgerCurrency, tookEffectOn);
        if (violation is not null) return (ledgerAmount, violation);
        // Rounded once, from the exact product (Decimals.MultipliedAndRounded).
        var rounded = rate is not null && amount.Currency != ledgerCurrency
            ? Decimals.MultipliedAndRounded(amount.Amount, rate.Rate, PledgedMoneyPlaces)
            : Math.Round(ledgerAmount, PledgedMoneyPlaces, MidpointRounding.ToEven);
        return rounded == 0 && amount.Amount != 0
            ? (0, new RuleViolation("ledger-amount-vanishes",
                $"{Wording.Number(amount.Amount)} {amount.Currency}" +
                (rate is null || amount.Currency == ledgerCurrency ? "" : $" at {Wording.Number(rate.Rate)} {ledgerCurrency} per {amount.Currency}") +
                $" rounds to nothing at the millionth of a {ledgerCurrency} the ledger keeps: it would be counted as nothing."))
            : (rounded, null);
    }

    /// <summary>
    /// Values an amount in the ledger currency. Another currency needs its exchange rate and the rate's date; the
    /// original amount is kept beside the converted one. A rate values the amount as of the day it took effect
    /// (<paramref name="tookEffectOn"/>, IATI's value date), so it may not be dated later than that day.
    /// </summary>
    public static (decimal LedgerAmount, RuleViolation? Violation) ToLedger(Money amount, ExchangeRate? rate, string ledgerCurrency,
        DateOnly? tookEffectOn = null)
    {
        if (rate is not null && tookEffectOn is { } on && rate.On > on && amount.Currency != ledgerCurrency)
        {
            return (0, new RuleViolation("exchange-rate-after-fact",
                $"An exchange rate dated {rate.On:yyyy-MM-dd} cannot value an amount that took effect on {on:yyyy-MM-dd}: " +
                "give the rate of that day or an earlier one. The days compared are the days each took effect, not the " +
                "days they were recorded."));
        }
        if (amount.Currency == ledgerCurrency)
        {
            return rate is null || rate.Rate == 1m
                ? (amount.Amount, null)
                : (0, new RuleViolation("exchange-rate-not-applicable",
                    $"The amount is already in the ledger currency {ledgerCurrency}; an exchange rate of {rate.Rate} does not apply."));
        }

        if (rate is null)
        {
            return (0, new RuleViolation("exchange-rate-required",
                $"The amount is in {amount.Currency} but this commitment counts money in {ledgerCurrency}: give the " +
                $"exchange rate ({ledgerCurrency} per {amount.Currency}) and its date."));
        }
        // A decimal keeps 28 places: a tiny amount at a tiny rate would be counted as nothing while it says something.
        var ledgerAmount = amount.Amount * rate.Rate;
        return ledgerAmount == 0 && amount.Amount != 0
            ? (0, new RuleViolation("ledger-amount-vanishes",
                $"{amount.Amount} {amount.Currency} at {rate.Rate} {ledgerCurrency} per {amount.Currency} is less than " +
                $"the smallest amount the ledger keeps (28 decimal places): it would be counted as nothing."))
            : (ledgerAmount, null);
    }
}
