using Tracker.Domain.Commitments;
using static Tracker.Tests.Domain.Commitments.Given;

namespace Tracker.Tests.Domain.Commitments;

public sealed class commitment_rules
{
    private static readonly DateOnly Today = new(2024, 10, 2);

    private static CommitmentStated Stated(CommitmentKind kind, Target? target) => new("k", "t", kind, "meetings",
        ["coalition"], target, null, new Provenance("washington-2024", null, "q"), Today);

    [Fact]
    public void a_financial_commitment_needs_a_money_target_and_a_quantitative_one_a_quantity()
    {
        StateCommitment.Decide(Stated(CommitmentKind.Financial, new Target(5, null, "people")))
            .ShouldBeRefusedBy("target-kind-mismatch");
        StateCommitment.Decide(Stated(CommitmentKind.Quantitative, new Target(5, "USD", null)))
            .ShouldBeRefusedBy("target-kind-mismatch");
        StateCommitment.Decide(Stated(CommitmentKind.Financial, null)).Accepted.ShouldBeTrue();
        StateCommitment.Decide(Stated(CommitmentKind.Milestone, null)).Events.ShouldHaveSingleItem();
    }

    [Fact]
    public void a_commitment_starts_not_assessed_with_its_stated_target_and_deadline()
    {
        var state = NextMinisterial();

        state.Status.ShouldBe(CommitmentStatus.NotAssessed);
        state.Version.ShouldBe(1);
        state.Deadline!.DueBy.ShouldBe(new DateOnly(2022, 6, 30));
        StabilisationGoal().LedgerCurrency.ShouldBe("USD");
    }

    [Fact]
    public void a_restatement_can_bring_a_new_deadline_and_keeps_its_provenance()
    {
        var state = NextMinisterial();
        var restated = new CommitmentRestated(new Provenance("brussels-2022", "3", "reaffirmed"), new DateOnly(2022, 5, 11),
            null, new Deadline(new DateOnly(2022, 12, 31), DeadlinePrecision.Day), null);

        state = state.Then(RestateCommitment.Decide(state, restated));

        state.Full().Restatements.ShouldHaveSingleItem().RestatedIn.DocumentKey.ShouldBe("brussels-2022");
        state.Deadline!.Date.ShouldBe(new DateOnly(2022, 12, 31));
        state.Deadlines.Count.ShouldBe(2);
    }

    [Fact]
    public void a_restatement_in_a_document_that_already_states_it_is_a_conflict()
    {
        var state = NextMinisterial();
        var again = new CommitmentRestated(new Provenance("rome-2021", "21", "again"), new DateOnly(2021, 6, 28), null, null, null);

        RestateCommitment.Decide(state, again).ShouldBeRefusedBy("already-stated-in-document").Kind
            .ShouldBe(ViolationKind.Conflict);
    }

    [Fact]
    public void a_restatement_dated_before_the_statement_is_rejected()
    {
        var early = new CommitmentRestated(new Provenance("paris-2019", null, "q"), new DateOnly(2019, 6, 25), null, null, null);

        RestateCommitment.Decide(NextMinisterial(), early).ShouldBeRefusedBy("restated-before-stated");
    }

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
    public void an_aggregate_money_report_is_valued_in_the_ledger_currency_and_needs_a_rate_in_another()
    {
        var usd = ReportProgress.Decide(StabilisationGoal(), 200_000_000m, null, "USD", Comparator.MoreThan, Today, null,
            "more than $200 million announced", Communique);
        usd.Events.ShouldHaveSingleItem().ShouldBeOfType<ProgressReported>().LedgerFigure.ShouldBe(200_000_000m);

        ReportProgress.Decide(StabilisationGoal(), 1m, null, "GBP", Comparator.About, Today, null, null, Communique)
            .ShouldBeRefusedBy("exchange-rate-required");
    }

    [Fact]
    public void an_assessment_sets_the_status_and_not_assessed_cannot_be_assessed()
    {
        var state = NextMinisterial();
        state = state.Then(AssessStatus.Decide(state, CommitmentStatus.Achieved, new DateOnly(2022, 6, 10), "held", Communique));

        state.Status.ShouldBe(CommitmentStatus.Achieved);
        AssessStatus.Decide(state, CommitmentStatus.NotAssessed, Today, "x", Communique).ShouldBeRefusedBy("not-assessed-is-initial");
    }

    [Fact]
    public void an_assessment_dated_before_the_current_one_is_rejected()
    {
        var state = NextMinisterial();
        state = state.Then(AssessStatus.Decide(state, CommitmentStatus.InProgress, new DateOnly(2022, 3, 1), "x", Communique));

        AssessStatus.Decide(state, CommitmentStatus.Stalled, new DateOnly(2022, 2, 1), "x", Communique)
            .ShouldBeRefusedBy("assessment-out-of-order");
    }

    [Fact]
    public void a_withdrawn_commitment_refuses_every_change_but_a_correction()
    {
        var state = StabilisationGoal().WithPledge("Japan", 10m).Withdrawn();
        var withdrawalVersion = state.Version;

        AnnouncePledge.Decide(state, null, "France", new Money(1m, "USD"), Today, null, Communique)
            .ShouldBeRefusedBy("commitment-withdrawn").Kind.ShouldBe(ViolationKind.Conflict);
        RecordPledgeStage.Decide(state, "japan-1", PledgeStage.Disbursed, new Money(1m, "USD"), Today, null, Communique)
            .ShouldBeRefusedBy("commitment-withdrawn");
        ReportProgress.Decide(state, 1m, null, "USD", Comparator.About, Today, null, null, Communique)
            .ShouldBeRefusedBy("commitment-withdrawn");
        AssessStatus.Decide(state, CommitmentStatus.InProgress, new DateOnly(2025, 2, 1), "x", Communique)
            .ShouldBeRefusedBy("commitment-withdrawn");
        AttachEvidence.Decide(state, Communique).ShouldBeRefusedBy("commitment-withdrawn");
        ReviseCommitment.Decide(state, null, new Deadline(null, DeadlinePrecision.OpenEnded, "later"), "x", Communique)
            .ShouldBeRefusedBy("commitment-withdrawn");

        var reinstated = state.Then(state.Correct(withdrawalVersion, "withdrawn by mistake"));
        reinstated.Status.ShouldBe(CommitmentStatus.NotAssessed);
    }

    [Fact]
    public void evidence_is_kept_with_the_version_that_attached_it()
    {
        var state = NextMinisterial();
        state = state.Then(AttachEvidence.Decide(state, new Evidence(null, "https://example.org/report", false, Today, "press")));

        state.Full().Evidence.ShouldHaveSingleItem().Version.ShouldBe(2);
    }
}
