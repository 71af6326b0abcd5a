using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments.Timeline;
using static Tracker.Tests.Domain.Commitments.Given;

namespace Tracker.Tests.Commitments.Reporting;

public sealed class reporting_rules
{
    private static readonly DateOnly Today = new(2024, 10, 2);

    [Fact]
    public void progress_in_the_target_unit_is_accepted_with_its_comparator()
    {
        var decision = ReportProgress.Decide(RepatriationGoal(), 10_000m, "people", null, Comparator.MoreThan,
            new DateOnly(2024, 9, 30), null, null, Communique);

        var reported = decision.Events.ShouldHaveSingleItem().ShouldBeOfType<ProgressReported>();
        reported.Comparator.ShouldBe(Comparator.MoreThan);
        reported.LedgerFigure.ShouldBeNull();
    }

    [Fact]
    public void progress_in_another_unit_or_in_money_for_a_quantity_target_is_rejected()
    {
        ReportProgress.Decide(RepatriationGoal(), 5m, "families", null, Comparator.About, Today, null, null, Communique)
            .ShouldBeRefusedBy("unit-mismatch");
        ReportProgress.Decide(RepatriationGoal(), 5m, null, "USD", Comparator.About, Today, null, null, Communique)
            .ShouldBeRefusedBy("unit-mismatch");
    }

    [Fact]
    public void a_count_does_not_measure_a_money_target()
    {
        // Until 2026-12-06 a head count on the $394 million goal became its latest report.
        var refused = ReportProgress.Decide(StabilisationGoal(), 80m, "people", null, Comparator.Exactly, Today, null, null, Communique);

        refused.ShouldBeRefusedBy("unit-mismatch");
        refused.Violation!.Message.ShouldBe("Commitment 'stabilisation-394m' counts money (USD); a count in people does not measure it.");
    }

    [Fact]
    public void an_aggregate_money_report_is_valued_in_the_ledger_currency_and_needs_a_rate_in_another()
    {
        var usd = ReportProgress.Decide(StabilisationGoal(), 200_000_000m, null, "USD", Comparator.MoreThan, Today, null,
            "more than $200 million announced", Communique);
        usd.Events.ShouldHaveSingleItem().ShouldBeOfType<ProgressReported>().LedgerFigure.ShouldBe(200_000_000m);

        ReportProgress.Decide(StabilisationGoal(), 1m, null, "GBP", Comparator.About, Today, null, null, Communique)
            .ShouldBeRefusedBy("exchange-rate-required");
    }

    [Fact]
    public void evidence_is_kept_with_the_version_that_attached_it()
    {
        var state = NextMinisterial();
        state = state.Then(AttachEvidence.Decide(state, new Evidence(null, "https://example.org/report", false, Today, "press")));

        state.Full().Evidence.ShouldHaveSingleItem().Version.ShouldBe(2);
    }

    [Fact]
    public void a_report_recorded_late_changes_the_past_from_its_own_date_on()
    {
        var state = RepatriationGoal();
        state = state.Then(ReportProgress.Decide(state, 10_000m, "people", null, Comparator.MoreThan, new DateOnly(2024, 12, 31), null, null, Communique));
        state = state.Then(ReportProgress.Decide(state, 4_000m, "people", null, Comparator.About, new DateOnly(2024, 10, 15), null, null, Communique));

        var log = state.Logged(new DateTimeOffset(2025, 1, 10, 0, 0, 0, TimeSpan.Zero));
        EffectiveOrder.On(state.Id, log, new DateOnly(2024, 10, 14)).ShouldNotBeNull().LatestReport.ShouldBeNull();
        EffectiveOrder.On(state.Id, log, new DateOnly(2024, 11, 30)).ShouldNotBeNull().LatestReport.ShouldNotBeNull().Figure.ShouldBe(4_000m);
        EffectiveOrder.On(state.Id, log, new DateOnly(2025, 1, 1)).ShouldNotBeNull().LatestReport.ShouldNotBeNull().Figure.ShouldBe(10_000m);
    }
}
