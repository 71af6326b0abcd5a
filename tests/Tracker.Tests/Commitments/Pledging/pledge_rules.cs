using Tracker.Domain.Commitments;
using static Tracker.Tests.Domain.Commitments.Given;

namespace Tracker.Tests.Commitments.Pledging;

public sealed class pledge_rules
{
    private static readonly DateOnly October2 = new(2024, 10, 2);

    [Fact]
    public void a_pledge_in_the_target_currency_counts_at_face_value()
    {
        var decision = AnnouncePledge.Decide(StabilisationGoal(), null, "United States", new Money(50_000_000m, "USD"),
            October2, null, Communique);

        var announced = decision.Events.ShouldHaveSingleItem().ShouldBeOfType<PledgeAnnounced>();
        announced.LedgerAmount.ShouldBe(50_000_000m);
        announced.Rate.ShouldBeNull();
        announced.PledgeId.ShouldBe("united-states-1");
    }

    [Fact]
    public void a_retracted_pledge_s_id_is_neither_numbered_again_nor_taken_again()
    {
        string[] retracted = ["united-states-1"];

        AnnouncePledge.Decide(StabilisationGoal(), null, "United States", new Money(1m, "USD"), October2, null, Communique, retracted)
            .Events.ShouldHaveSingleItem().ShouldBeOfType<PledgeAnnounced>().PledgeId.ShouldBe("united-states-2");
        AnnouncePledge.Decide(StabilisationGoal(), "united-states-1", "United States", new Money(1m, "USD"), October2, null,
            Communique, retracted).ShouldBeRefusedBy("pledge-id-retracted");
        // Named by the retracted pledge's own id, which the history holds, not the id asked for (until 2026-12-06).
        AnnouncePledge.Decide(StabilisationGoal(), "united-states-001", "United States", new Money(1m, "USD"), October2, null,
            Communique, retracted).ShouldBeRefusedBy("pledge-id-retracted").Message.ShouldStartWith(
            "Pledge 'united-states-1' on 'stabilisation-394m' was recorded and retracted, with the number 1 that 'united-states-001' carries after the same stem");
    }

    [Fact]
    public void a_pledge_in_another_currency_keeps_the_original_and_counts_at_its_exchange_rate()
    {
        var decision = AnnouncePledge.Decide(StabilisationGoal(), null, "Germany", new Money(25_000_000m, "EUR"),
            October2, new ExchangeRate(1.084m, October2), Communique);

        var announced = decision.Events.ShouldHaveSingleItem().ShouldBeOfType<PledgeAnnounced>();
        announced.Amount.ShouldBe(new Money(25_000_000m, "EUR"));
        announced.LedgerAmount.ShouldBe(27_100_000m);
        announced.Rate!.Rate.ShouldBe(1.084m);
    }

    [Fact]
    public void a_pledge_in_another_currency_without_a_rate_is_rejected()
    {
        var decision = AnnouncePledge.Decide(StabilisationGoal(), null, "Germany", new Money(25_000_000m, "EUR"),
            October2, null, Communique);

        decision.ShouldBeRefusedBy("exchange-rate-required").Message.ShouldContain("EUR");
    }

    [Fact]
    public void an_amount_the_ledger_would_count_as_nothing_is_refused_rather_than_counted_as_nothing()
    {
        var dust = new Money(0.00000000000000000001m, "EUR");
        var rate = new ExchangeRate(0.000000001m, October2);

        AnnouncePledge.Decide(StabilisationGoal(), null, "Germany", dust, October2, rate, Communique)
            .ShouldBeRefusedBy("ledger-amount-vanishes").Message.ShouldContain("counted as nothing");
        ReportProgress.Decide(StabilisationGoal(), dust.Amount, null, "EUR", Comparator.About, October2, rate, null, Communique)
            .ShouldBeRefusedBy("ledger-amount-vanishes");
        AnnouncePledge.Decide(StabilisationGoal(), null, "Germany", new Money(1_000m, "EUR"), October2, rate, Communique)
            .Violation.ShouldBeNull();
    }

    [Fact]
    public void a_rate_dated_after_the_day_the_amount_took_effect_cannot_value_it()
    {
        var later = October2.AddDays(1);

        AnnouncePledge.Decide(StabilisationGoal(), null, "Germany", new Money(25_000_000m, "EUR"), October2,
                new ExchangeRate(1.084m, later), Communique)
            .ShouldBeRefusedBy("exchange-rate-after-fact").Message.ShouldContain("took effect");
        var pledged = StabilisationGoal().WithPledge("Germany", 25_000_000m, "EUR", 1.084m);
        RecordPledgeStage.Decide(pledged, "germany-1", PledgeStage.Disbursed, new Money(1m, "EUR"), October2,
            new ExchangeRate(1.1m, later), Communique).ShouldBeRefusedBy("exchange-rate-after-fact");
        ReportProgress.Decide(StabilisationGoal(), 1m, null, "EUR", Comparator.About, October2, new ExchangeRate(1.1m, later),
            null, Communique).ShouldBeRefusedBy("exchange-rate-after-fact");
        AnnouncePledge.Decide(StabilisationGoal(), null, "Germany", new Money(25_000_000m, "EUR"), later,
            new ExchangeRate(1.084m, October2), Communique).Violation.ShouldBeNull();
        // A revision is valued as of its own day too: a 2025 top-up at a 2026 rate is refused, at a 2025 one taken.
        var toppedUp = Communique with { On = new DateOnly(2025, 1, 10) };
        RevisePledge.Decide(pledged, "germany-1", new Money(30_000_000m, "EUR"), new ExchangeRate(1.05m, new DateOnly(2026, 11, 1)),
            "topped up", toppedUp, RecordedOn).ShouldBeRefusedBy("exchange-rate-after-fact");
        RevisePledge.Decide(pledged, "germany-1", new Money(30_000_000m, "EUR"), new ExchangeRate(1.09m, new DateOnly(2025, 1, 10)),
            "topped up", toppedUp, RecordedOn).Violation.ShouldBeNull();
    }

    [Fact]
    public void a_rate_on_money_already_in_the_ledger_currency_is_rejected_unless_it_is_one()
    {
        AnnouncePledge.Decide(StabilisationGoal(), null, "France", new Money(1m, "USD"), October2,
            new ExchangeRate(0.9m, October2), Communique).ShouldBeRefusedBy("exchange-rate-not-applicable");
        AnnouncePledge.Decide(StabilisationGoal(), null, "France", new Money(1m, "USD"), October2,
            new ExchangeRate(1m, October2), Communique).Accepted.ShouldBeTrue();
    }

    [Fact]
    public void a_second_pledge_by_the_same_pledger_gets_the_next_id()
    {
        var state = StabilisationGoal().WithPledge("Germany", 1_000_000m);

        AnnouncePledge.NextPledgeId(state, "Germany").ShouldBe("germany-2");
    }

    [Theory]
    [InlineData("germany-3", 3L)]
    [InlineData("member-12-40", 40L)]
    [InlineData("germany-000000000000000012", 12L)]
    [InlineData("germany-1234567890123456789", 1234567890123456789L)]
    [InlineData("germany-9223372036854775807", long.MaxValue)]
    [InlineData("germany-9223372036854775808", null)]
    [InlineData("germany", null)]
    public void a_pledge_id_s_number_is_what_follows_its_stem(string pledgeId, long? number)
    {
        AnnouncePledge.NumberOf(pledgeId).ShouldBe(number);
    }

    [Theory]
    [InlineData("germany-3", "germany")]
    [InlineData("member-12-40", "member-12")]
    [InlineData("Germany-2", "germany")]
    [InlineData("germany", null)]
    [InlineData("germany-", null)]
    [InlineData("germany-2b", null)]
    [InlineData("-2", null)]
    public void a_pledge_id_is_numbered_after_the_stem_before_its_last_dash_when_a_number_follows(string pledgeId, string? stem)
    {
        AnnouncePledge.NumberedStem(pledgeId).ShouldBe(stem);
    }

    [Fact]
    public void a_pledge_id_that_is_taken_is_a_conflict()
    {
        var state = StabilisationGoal().WithPledge("Germany", 1_000_000m);

        var violation = AnnouncePledge.Decide(state, "germany-1", "Germany", new Money(5m, "USD"), October2, null, Communique)
            .ShouldBeRefusedBy("pledge-exists");
        violation.Kind.ShouldBe(ViolationKind.Conflict);
    }

    [Fact]
    public void pledges_count_toward_financial_commitments_only()
    {
        AnnouncePledge.Decide(RepatriationGoal(), null, "Iraq", new Money(5m, "USD"), October2, null, Communique)
            .ShouldBeRefusedBy("pledge-needs-financial-commitment");
    }

    [Fact]
    public void disbursements_up_to_the_pledge_are_accepted_and_valued_at_their_own_rate()
    {
        var state = StabilisationGoal().WithPledge("Germany", 25_000_000m, "EUR", 1.084m);

        var decision = RecordPledgeStage.Decide(state, "germany-1", PledgeStage.Disbursed, new Money(25_000_000m, "EUR"),
            new DateOnly(2024, 12, 1), new ExchangeRate(1.05m, new DateOnly(2024, 12, 1)), Communique);

        decision.Events.ShouldHaveSingleItem().ShouldBeOfType<PledgeStageRecorded>().LedgerAmount.ShouldBe(26_250_000m);
    }

    [Fact]
    public void a_disbursement_larger_than_what_remains_of_the_pledge_is_rejected()
    {
        var state = StabilisationGoal().WithPledge("Japan", 10_000_000m);
        state = state.Then(RecordPledgeStage.Decide(state, "japan-1", PledgeStage.Disbursed, new Money(6_000_000m, "USD"),
            October2, null, Communique));

        var violation = RecordPledgeStage.Decide(state, "japan-1", PledgeStage.Disbursed, new Money(4_000_001m, "USD"),
            October2, null, Communique).ShouldBeRefusedBy("stage-exceeds-pledge");
        violation.Message.ShouldContain("4,000,000");
    }

    [Fact]
    public void committed_and_disbursed_are_each_bounded_by_the_pledge()
    {
        var state = StabilisationGoal().WithPledge("Japan", 10_000_000m);
        state = state.Then(RecordPledgeStage.Decide(state, "japan-1", PledgeStage.Committed, new Money(10_000_000m, "USD"),
            October2, null, Communique));

        RecordPledgeStage.Decide(state, "japan-1", PledgeStage.Disbursed, new Money(10_000_000m, "USD"), October2, null,
            Communique).Accepted.ShouldBeTrue();
        RecordPledgeStage.Decide(state, "japan-1", PledgeStage.Committed, new Money(1m, "USD"), October2, null,
            Communique).ShouldBeRefusedBy("stage-exceeds-pledge");
    }

    [Fact]
    public void an_amount_that_would_round_a_total_is_refused_so_the_totals_always_come_back_when_facts_are_retracted()
    {
        // A decimal keeps 28 to 29 digits: a millionth beside 79 pledges of 10^21 (EUR 10^15 at a million) needs 29, which
        // it holds; beside 80 it would need more, and the millionth would be lost from the pledged total for good (until
        // 2026-12-06 taken, and a later retraction of the large ones left a total below the pledges standing).
        var state = StabilisationGoal().WithPledge("Small", 0.000001m);
        for (var i = 0; i < 79; i++) state = state.WithPledge("Large", 1_000_000_000_000_000m, "EUR", 1_000_000m);

        var refused = AnnouncePledge.Decide(state, null, "Large", new Money(1_000_000_000_000_000m, "EUR"), October2,
            new ExchangeRate(1_000_000m, October2), Communique).ShouldBeRefusedBy("amount-beyond-precision");

        state.PledgeSums.Pledged.ShouldBe(79_000_000_000_000_000_000_000.000001m);
        refused.Message.ShouldContain("The commitment's pledged total holds USD 79,000,000,000,000,000,000,000.000001");
    }

    [Fact]
    public void pledged_money_is_valued_in_the_ledger_to_a_millionth_and_an_amount_worth_less_is_refused()
    {
        var pledged = AnnouncePledge.Decide(StabilisationGoal(), null, "Germany", new Money(25_000_000.123457m, "EUR"), October2,
            new ExchangeRate(1.0841234567m, October2), Communique);
        var dust = AnnouncePledge.Decide(StabilisationGoal(), null, "Germany", new Money(0.0001m, "EUR"), October2,
            new ExchangeRate(0.000000001m, October2), Communique);

        // EUR 2.5 at a millionth: USD 0.0000025, halfway, rounded to even (0.000002, where away from zero would be 0.000003).
        var halfway = AnnouncePledge.Decide(StabilisationGoal(), null, "Germany", new Money(2.5m, "EUR"), October2,
            new ExchangeRate(0.000001m, October2), Communique);

        pledged.Events.ShouldHaveSingleItem().ShouldBeOfType<PledgeAnnounced>().LedgerAmount
            .ShouldBe(Math.Round(25_000_000.123457m * 1.0841234567m, 6, MidpointRounding.ToEven));
        halfway.Events.ShouldHaveSingleItem().ShouldBeOfType<PledgeAnnounced>().LedgerAmount.ShouldBe(0.000002m);
        dust.ShouldBeRefusedBy("ledger-amount-vanishes").Message
            .ShouldBe("0.0001 EUR at 0.000000001 USD per EUR rounds to nothing at the millionth of a USD the ledger keeps: it would be counted as nothing.");
    }

    [Fact]
    public void a_revision_down_takes_the_old_amount_off_the_total_and_adds_the_new_one_exactly()
    {
        // The change as one number, 0.000001 - 10^15, is exact here; the total is worked out as (total - old) + new all the
        // same, which stays exact where the change alone would need more digits than a decimal keeps.
        var state = StabilisationGoal().WithPledge("Small", 0.000003m).WithPledge("Large", 1_000_000_000_000_000m);

        state = state.Then(RevisePledge.Decide(state, "large-1", new Money(0.000001m, "USD"), null, "misread", Communique, October2));

        state.PledgeSums.Pledged.ShouldBe(0.000004m);
    }

    [Fact]
    public void a_revision_stored_before_money_kept_six_places_replays_to_its_totals_whichever_way_the_change_falls()
    {
        // Exact, the change moves the total as it always did; where new - old would round (10^15 to 10^-14, which only an
        // amount stored before the six places could hold), the old value is taken off and the new one added instead.
        var totals = new PledgeTotals(1, 1_000_000_000_000_000m, 0m, 0m);

        totals.Replaced(1_000_000_000_000_000m, 0.00000000000001m).Pledged.ShouldBe(0.00000000000001m);
        totals.Replaced(1_000_000_000_000_000m, 2_000_000m).Pledged.ShouldBe(2_000_000m);
        (1_000_000_000_000_000m + (0.00000000000001m - 1_000_000_000_000_000m)).ShouldBe(0m);   // what the change alone gave
    }

    [Fact]
    public void a_stage_on_an_unknown_pledge_is_rejected_as_a_pledge_not_found()
    {
        RecordPledgeStage.Decide(StabilisationGoal(), "nobody-1", PledgeStage.Disbursed, new Money(1m, "USD"), October2,
            null, Communique).ShouldBeRefusedBy("unknown-pledge").Kind.ShouldBe(ViolationKind.NotFound);
    }

    [Fact]
    public void a_correction_of_a_fact_whose_pledge_the_commitment_no_longer_has_is_unprocessable_not_a_pledge_not_found()
    {
        // Version 2 read back as a stage of a pledge the state does not have (a log written by other means).
        var state = StabilisationGoal().WithPledge("France", 1m);
        var stage = new PledgeStageRecorded("germany-1", "Germany", PledgeStage.Disbursed, new Money(1m, "USD"), October2, null, 1m,
            Communique);

        CorrectEvent.Decide(state, 2, stage, "not Germany's", Communique).ShouldBeRefusedBy("unknown-pledge")
            .Kind.ShouldBe(ViolationKind.Unprocessable);
    }

    [Fact]
    public void a_stage_in_another_currency_than_the_pledge_is_rejected()
    {
        var state = StabilisationGoal().WithPledge("Germany", 25_000_000m, "EUR", 1.084m);

        RecordPledgeStage.Decide(state, "germany-1", PledgeStage.Disbursed, new Money(1m, "USD"), October2, null, Communique)
            .ShouldBeRefusedBy("pledge-currency-mismatch");
    }

    [Fact]
    public void a_stage_dated_before_the_announcement_is_rejected()
    {
        var state = StabilisationGoal().WithPledge("Japan", 10m);

        RecordPledgeStage.Decide(state, "japan-1", PledgeStage.Disbursed, new Money(1m, "USD"), new DateOnly(2024, 1, 1),
            null, Communique).ShouldBeRefusedBy("stage-before-announcement");
    }

    [Fact]
    public void an_explicit_revision_raises_the_ceiling_for_later_stages()
    {
        var state = StabilisationGoal().WithPledge("Japan", 10_000_000m);
        state = state.Then(RevisePledge.Decide(state, "japan-1", new Money(12_000_000m, "USD"), null, "topped up", Communique));

        state.FindPledge("japan-1")!.Amount.Amount.ShouldBe(12_000_000m);
        RecordPledgeStage.Decide(state, "japan-1", PledgeStage.Disbursed, new Money(12_000_000m, "USD"), October2, null,
            Communique).Accepted.ShouldBeTrue();
    }

    [Fact]
    public void a_revision_below_what_is_already_disbursed_is_rejected()
    {
        var state = StabilisationGoal().WithPledge("Japan", 10_000_000m);
        state = state.Then(RecordPledgeStage.Decide(state, "japan-1", PledgeStage.Disbursed, new Money(8_000_000m, "USD"),
            October2, null, Communique));

        RevisePledge.Decide(state, "japan-1", new Money(7_000_000m, "USD"), null, "cut", Communique)
            .ShouldBeRefusedBy("revision-below-stages");
    }

    [Fact]
    public void a_revision_of_an_unknown_pledge_or_in_another_currency_is_rejected()
    {
        var state = StabilisationGoal().WithPledge("Germany", 1m, "EUR", 1.1m);

        RevisePledge.Decide(state, "nobody-1", new Money(1m, "USD"), null, "x", Communique).ShouldBeRefusedBy("unknown-pledge")
            .Kind.ShouldBe(ViolationKind.NotFound);
        RevisePledge.Decide(state, "germany-1", new Money(2m, "USD"), null, "x", Communique)
            .ShouldBeRefusedBy("pledge-currency-mismatch");
    }
}
