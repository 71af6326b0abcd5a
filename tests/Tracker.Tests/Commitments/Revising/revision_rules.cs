using Tracker.Domain.Commitments;
using static Tracker.Tests.Domain.Commitments.Given;

namespace Tracker.Tests.Commitments.Revising;

public sealed class revision_rules
{
    [Fact]
    public void a_revision_needs_something_to_revise_and_records_each_change_as_its_own_event()
    {
        var state = StabilisationGoal();

        ReviseCommitment.Decide(state, null, null, "r", Communique).ShouldBeRefusedBy("nothing-to-revise");
        var both = ReviseCommitment.Decide(state, new Target(400_000_000m, "USD", null),
            new Deadline(new DateOnly(2025, 1, 1), DeadlinePrecision.Year), "new goal", Communique);
        both.Events.Select(e => e.GetType()).ShouldBe([typeof(TargetRevised), typeof(DeadlineRevised)]);
    }

    [Fact]
    public void the_ledger_currency_cannot_change_once_money_is_recorded()
    {
        var state = StabilisationGoal().WithPledge("Japan", 1m);

        ReviseCommitment.Decide(state, new Target(360_000_000m, "EUR", null), null, "r", Communique)
            .ShouldBeRefusedBy("ledger-currency-locked");
        ReviseCommitment.Decide(StabilisationGoal(), new Target(360_000_000m, "EUR", null), null, "r", Communique)
            .Accepted.ShouldBeTrue();
    }

    [Fact]
    public void money_counted_in_the_currency_its_statement_named_takes_a_target_in_that_currency_and_keeps_it()
    {
        var state = ReconstructionFund(ledgerCurrency: "EUR");
        // Euros are counted as they are, without a rate; dollars need one.
        AnnouncePledge.Decide(state, null, "Canada", new Money(1_000_000m, "USD"), new DateOnly(2024, 10, 2), null, Communique)
            .ShouldBeRefusedBy("exchange-rate-required");
        state = state.WithPledge("Germany", 1_000_000m, "EUR");
        state.LedgerCurrency.ShouldBe("EUR");
        ReconstructionFund().WithPledge("Germany", 1_000_000m, "EUR", rate: 1.08m).LedgerCurrency.ShouldBe("USD");

        ReviseCommitment.Decide(state, new Target(5_000_000m, "USD", null), null, "a budget", Communique)
            .ShouldBeRefusedBy("ledger-currency-locked");
        var budgeted = state.Then(ReviseCommitment.Decide(state, new Target(5_000_000m, "EUR", null), null, "a budget", Communique));
        budgeted.LedgerCurrency.ShouldBe("EUR");
        // Back to a target that is not money, money is still counted in the euros the statement named: nothing relabelled.
        budgeted.Then(budgeted.Correct(budgeted.Version, "the budget was a draft")).LedgerCurrency.ShouldBe("EUR");
        budgeted.Full().LedgerCurrency.ShouldBe("EUR");
    }

    [Fact]
    public void a_ledger_currency_named_after_the_statement_counts_new_money_and_never_relabels_money_recorded()
    {
        var fund = ReconstructionFund();
        ReviseCommitment.Decide(fund, null, null, "r", Communique).ShouldBeRefusedBy("nothing-to-revise");

        var inEuros = fund.Then(ReviseCommitment.Decide(fund, null, null, "the fund counts in euros", Communique, "EUR"));
        inEuros.LedgerCurrency.ShouldBe("EUR");
        inEuros.Full().LedgerCurrency.ShouldBe("EUR");
        var pledged = inEuros.WithPledge("Germany", 1_000_000m, "EUR");

        // Money recorded in euros is not relabelled: not by naming another, nor by taking the naming back.
        ReviseCommitment.Decide(pledged, null, null, "r", Communique, "GBP").ShouldBeRefusedBy("ledger-currency-locked");
        pledged.Correct(2, "named in error").ShouldBeRefusedBy("ledger-currency-locked");
        // Beside a money target, the target's currency is the ledger's: named with another, the pair is a contradiction.
        ReviseCommitment.Decide(fund, new Target(5_000_000m, "USD", null), null, "r", Communique, "EUR")
            .ShouldBeRefusedBy("ledger-currency-mismatch");
        ReviseCommitment.Decide(fund, new Target(5_000_000m, "EUR", null), null, "r", Communique, "EUR").Events
            .Select(e => e.GetType()).ShouldBe([typeof(LedgerCurrencyNamed), typeof(TargetRevised)]);

        // Taken back before any money, the statement's currency stands again.
        var retracted = inEuros.Then(inEuros.Correct(2, "named in error"));
        retracted.LedgerCurrency.ShouldBe("USD");
        retracted.Full().LedgerCurrency.ShouldBe("USD");
    }

    [Fact]
    public void the_ledger_currency_named_to_take_effect_last_is_in_force_whatever_order_they_were_recorded_in()
    {
        var fund = ReconstructionFund();
        Evidence On(int year, int month) => new(null, "https://example.org/fund-report", false, new DateOnly(year, month, 1));

        var euros = fund.Then(ReviseCommitment.Decide(fund, null, null, "counted in euros", On(2025, 3), "EUR"));
        var learnedLate = euros.Then(ReviseCommitment.Decide(euros, null, null, "an older decision, in pounds", On(2024, 10), "GBP"));

        learnedLate.LedgerCurrency.ShouldBe("EUR", "the naming of March 2025 took effect after the one of October 2024");
    }

    [Fact]
    public void a_ledger_currency_is_checked_against_the_target_in_force_after_the_revision_not_the_one_revised_to()
    {
        var meeting = NextMinisterial();
        Evidence On(int year, int month) => new(null, "https://example.org/budget", false, new DateOnly(year, month, 1));
        var budgeted = meeting.Then(ReviseCommitment.Decide(meeting, new Target(5_000_000m, "EUR", null), null, "a budget", On(2025, 6)));

        // A count dated before the euro budget leaves the budget in force: pounds beside it contradict it.
        ReviseCommitment.Decide(budgeted, new Target(200m, null, "delegations"), null, "an earlier plan", On(2025, 1), "GBP")
            .ShouldBeRefusedBy("ledger-currency-mismatch").Message.ShouldContain("in force is money in EUR");
        // Dated after it, the count is in force, and pounds count money beside it.
        ReviseCommitment.Decide(budgeted, new Target(200m, null, "delegations"), null, "a later plan", On(2025, 9), "GBP")
            .Accepted.ShouldBeTrue();
    }

    [Fact]
    public void a_target_that_is_not_money_cannot_take_the_ledger_away_from_money_recorded_in_another_currency()
    {
        var state = NextMinisterial();
        state = state.Then(ReviseCommitment.Decide(state, new Target(5_000_000m, "EUR", null), null, "a budget", Communique));
        state = state.Then(ReportProgress.Decide(state, 1_000_000m, null, "EUR", Comparator.About, new DateOnly(2022, 1, 10), null,
            "spent so far", Communique));

        // Counted in USD by default, the euros would be relabelled dollars.
        ReviseCommitment.Decide(state, new Target(1m, null, "meeting"), null, "the meeting is the goal", Communique)
            .ShouldBeRefusedBy("ledger-currency-locked").Message.ShouldContain("not money");
    }
}
