using Tracker.Domain.Commitments;
using static Tracker.Tests.Domain.Commitments.Given;

namespace Tracker.Tests.Commitments.Assessing;

public sealed class assessment_rules
{
    private static readonly DateOnly Today = new(2024, 10, 2);

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
}
