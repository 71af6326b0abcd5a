using Tracker.Domain.Commitments;
using static Tracker.Tests.Domain.Commitments.Given;

namespace Tracker.Tests.Commitments.Revising;

public sealed class correction_rules
{
    private static readonly DateOnly Today = new(2024, 10, 2);

    [Fact]
    public void a_revision_cannot_take_effect_before_the_statement()
    {
        var goal = NextMinisterial();
        var later = new Deadline(new DateOnly(2023, 6, 1), DeadlinePrecision.Month);

        ReviseCommitment.Decide(goal, null, later, "moved", Communique with { On = new DateOnly(2021, 6, 1) })
            .ShouldBeRefusedBy("revision-before-statement").Message.ShouldContain("2021-06-28");
        ReviseCommitment.Decide(goal, null, later, "moved", Communique with { On = new DateOnly(2021, 6, 28) }).Violation.ShouldBeNull();
        ReviseCommitment.Decide(goal, null, later, "moved", Communique).Violation.ShouldBeNull();
    }

    [Fact]
    public void a_correction_reverses_exactly_the_fact_recorded_at_that_version()
    {
        var state = StabilisationGoal();
        state = state.Then(ReportProgress.Decide(state, 100m, null, "USD", Comparator.About, Today, null, "wrong", Communique));
        state = state.Then(ReportProgress.Decide(state, 200m, null, "USD", Comparator.About, Today, null, "right", Communique));

        state = state.Then(state.Correct(2, "typo in the figure"));

        state.Full().ProgressReports.ShouldHaveSingleItem().Note.ShouldBe("right");
        state.Full().Corrections.ShouldHaveSingleItem().CorrectedEvent.ShouldBe("progress-reported");
        state.Version.ShouldBe(4);
    }

    [Fact]
    public void correcting_a_pledge_removes_it_and_its_money()
    {
        var state = StabilisationGoal().WithPledge("Japan", 10m);

        state = state.Then(state.Correct(2, "announced by mistake"));

        state.Pledges.ShouldBeEmpty();
    }

    [Fact]
    public void a_pledge_with_later_stages_cannot_be_reversed_before_its_stages()
    {
        var state = StabilisationGoal().WithPledge("Japan", 10m);
        state = state.Then(RecordPledgeStage.Decide(state, "japan-1", PledgeStage.Disbursed, new Money(5m, "USD"), Today,
            null, Communique));

        state.Correct(2, "x").ShouldBeRefusedBy("pledge-has-later-events");
        state = state.Then(state.Correct(3, "stage was wrong"));
        state.FindPledge("japan-1")!.Stages.ShouldBe(0);
        state.Correct(2, "now it can go").Accepted.ShouldBeTrue();
    }

    [Fact]
    public void reversing_a_revision_below_the_money_already_staged_is_refused()
    {
        var state = StabilisationGoal().WithPledge("Japan", 10m);
        state = state.Then(RevisePledge.Decide(state, "japan-1", new Money(20m, "USD"), null, "raised", Communique));
        state = state.Then(RecordPledgeStage.Decide(state, "japan-1", PledgeStage.Disbursed, new Money(15m, "USD"), Today,
            null, Communique));

        state.Correct(3, "the raise never happened").ShouldBeRefusedBy("stages-exceed-restored-pledge");
    }

    [Fact]
    public void a_revision_followed_by_another_is_corrected_only_after_the_later_one()
    {
        var state = StabilisationGoal().WithPledge("Japan", 40m);
        state = state.Then(RevisePledge.Decide(state, "japan-1", new Money(50m, "USD"), null, "raised", Communique));
        state = state.Then(RevisePledge.Decide(state, "japan-1", new Money(60m, "USD"), null, "raised again", Communique));

        // The raise to 60 was recorded as ten more than 50: without the 50, the effective timeline would count 50.
        state.Correct(3, "the first raise never happened").ShouldBeRefusedBy("revision-followed");

        state = state.Then(state.Correct(4, "recorded in the wrong order"));
        state = state.Then(state.Correct(3, "the first raise never happened"));
        state.FindPledge("japan-1")!.LedgerAmount.ShouldBe(40m);
        state.PledgeSums.Pledged.ShouldBe(40m);
    }

    [Fact]
    public void reversing_a_target_revision_restores_the_previous_target()
    {
        var state = StabilisationGoal();
        state = state.Then(ReviseCommitment.Decide(state, new Target(500_000_000m, "USD", null), null, "misread", Communique));

        state = state.Then(state.Correct(2, "the goal is still 394 million"));

        state.Target!.Amount.ShouldBe(394_000_000m);
    }

    [Fact]
    public void reversing_the_revision_that_set_the_ledger_currency_is_refused_while_money_is_recorded_in_it()
    {
        var state = StabilisationGoal();
        state = state.Then(ReviseCommitment.Decide(state, new Target(360_000_000m, "EUR", null), null, "in euros", Communique));
        state = state.WithPledge("Italy", 100m, "EUR");

        state.Correct(2, "the goal was in dollars").ShouldBeRefusedBy("ledger-currency-locked").Message
            .ShouldContain("EUR");
        state.LedgerCurrency.ShouldBe("EUR");

        // With the money corrected first, the target may go back to dollars.
        state = state.Then(state.Correct(3, "announced by mistake"));
        state = state.Then(state.Correct(2, "the goal was in dollars"));
        state.LedgerCurrency.ShouldBe("USD");
    }

    [Fact]
    public void reversing_a_restatement_that_brought_a_target_in_another_currency_is_refused_while_money_is_recorded()
    {
        var state = StabilisationGoal();
        state = state.Then(RestateCommitment.Decide(state, new CommitmentRestated(new Provenance("brussels-2025", "2", "in pounds"),
            new DateOnly(2025, 1, 10), new Target(300_000_000m, "GBP", null), null, null)));
        state = state.WithPledge("United Kingdom", 100m, "GBP");

        state.Correct(2, "misread").ShouldBeRefusedBy("ledger-currency-locked").Kind.ShouldBe(ViolationKind.Conflict);

        // A reversal that keeps the currency is not held back by the money.
        var revised = state.Then(ReviseCommitment.Decide(state, new Target(320_000_000m, "GBP", null), null, "raised", Communique));
        revised.Correct(4, "not raised").Accepted.ShouldBeTrue();
    }

    [Fact]
    public void the_statement_a_correction_and_unknown_versions_cannot_be_corrected()
    {
        var state = StabilisationGoal().WithPledge("Japan", 10m);
        state = state.Then(state.Correct(2, "x"));

        state.Correct(1, "x").ShouldBeRefusedBy("statement-not-correctable");
        // Each said for what it is (until 2026-12-06 both read "it does not exist, or it is itself a correction").
        state.Correct(3, "x").ShouldBeRefusedBy("version-not-correctable").Message.ShouldStartWith(
            "Version 3 of 'stabilisation-394m' is a fact a correction cannot reverse (pledge-retracted)");
        state.Correct(99, "x").ShouldBeRefusedBy("version-not-correctable").Message.ShouldBe("Version 99 of 'stabilisation-394m' does not exist.");
        state.Correct(2, "x").ShouldBeRefusedBy("already-corrected").Kind
            .ShouldBe(ViolationKind.Conflict);
    }
}
