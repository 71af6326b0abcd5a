using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments.Timeline;
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
    public void a_status_cannot_take_effect_before_the_commitment_was_stated()
    {
        var state = StabilisationGoal();

        AssessStatus.Decide(state, CommitmentStatus.InProgress, Today, "under way", Communique, new DateOnly(2023, 1, 1))
            .ShouldBeRefusedBy("assessment-before-statement").Message.ShouldContain("2024-09-30");
        AssessStatus.Decide(state, CommitmentStatus.InProgress, Today, "under way", Communique, state.StatedOn)
            .Accepted.ShouldBeTrue();
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

    // Timeliness is decided by when things took effect, never by the order they were recorded in.
    private static readonly DateOnly MayMeeting = new(2022, 5, 20);
    private static readonly DateOnly DueBy = new(2022, 6, 30);
    private static readonly DateOnly LearnedOfIt = new(2026, 11, 30);

    [Fact]
    public void achieved_before_the_deadline_then_the_deadline_passes_and_nothing_is_overdue()
    {
        var state = NextMinisterial();
        state = state.Then(AssessStatus.Decide(state, CommitmentStatus.Achieved, MayMeeting, "held", Communique));

        state.Status.ShouldBe(CommitmentStatus.Achieved);
        PassDeadline.Decide(state, DueBy, DueBy.AddDays(1)).Events.ShouldBeEmpty();
    }

    [Fact]
    public void the_deadline_passes_then_an_achievement_in_effect_before_it_is_recorded_and_it_was_on_time()
    {
        var state = NextMinisterial();
        state = state.Then(PassDeadline.Decide(state, DueBy, DueBy.AddDays(1)));
        state.DeadlinePassedOn.ShouldBe(DueBy);

        var decision = AssessStatus.Decide(state, CommitmentStatus.Achieved, LearnedOfIt, "a news report", Communique, MayMeeting);
        var assessed = decision.Events.ShouldHaveSingleItem().ShouldBeOfType<StatusAssessed>();
        assessed.Status.ShouldBe(CommitmentStatus.Achieved);
        (assessed.AssessedOn, assessed.EffectiveOn).ShouldBe((LearnedOfIt, MayMeeting));
        state = state.Then(decision);
        state.StatusDate.ShouldBe(MayMeeting);

        // As effective, by everything known now: achieved from May, never overdue; before May, not yet assessed.
        var log = state.Logged(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var july = EffectiveOrder.On(state.Id, log, new DateOnly(2022, 7, 15)).ShouldNotBeNull();
        (july.Status, july.Overdue).ShouldBe((CommitmentStatus.Achieved, false));
        EffectiveOrder.On(state.Id, log, MayMeeting.AddDays(-1)).ShouldNotBeNull().Status.ShouldBe(CommitmentStatus.NotAssessed);
    }

    [Fact]
    public void an_achievement_in_effect_after_the_deadline_is_late_whether_or_not_its_passing_was_recorded()
    {
        var unrecorded = NextMinisterial();
        var recorded = unrecorded.Then(PassDeadline.Decide(unrecorded, DueBy, DueBy.AddDays(1)));

        foreach (var before in new[] { unrecorded, recorded })
        {
            AssessStatus.Decide(before, CommitmentStatus.Achieved, LearnedOfIt, "held", Communique, DueBy.AddDays(10))
                .Events.ShouldHaveSingleItem().ShouldBeOfType<StatusAssessed>().Status.ShouldBe(CommitmentStatus.AchievedLate);
        }
        AssessStatus.Decide(unrecorded, CommitmentStatus.AchievedLate, LearnedOfIt, "held", Communique, MayMeeting)
            .ShouldBeRefusedBy("achieved-on-time").Message.ShouldContain("2022-05-20");
    }

    [Fact]
    public void an_achievement_is_late_or_on_time_by_the_deadline_in_force_on_its_day_as_known_now()
    {
        var state = NextMinisterial();
        state = state.Then(AssessStatus.Decide(state, CommitmentStatus.Achieved, LearnedOfIt, "held in July", Communique, DueBy.AddDays(15)));
        state.Status.ShouldBe(CommitmentStatus.AchievedLate);

        // An extension agreed in March, learned of afterwards: the July meeting met it.
        var extended = state.Then(ReviseCommitment.Decide(state, null, new Deadline(new DateOnly(2022, 10, 1), DeadlinePrecision.Quarter),
            "extended", Communique with { On = new DateOnly(2022, 3, 1) }));
        (extended.Status, extended.Deadline!.DueBy).ShouldBe((CommitmentStatus.Achieved, new DateOnly(2022, 12, 31)));

        // One agreed only in September came too late for it: the deadline in force is the new one, the meeting was late.
        var afterwards = state.Then(ReviseCommitment.Decide(state, null, new Deadline(new DateOnly(2022, 10, 1), DeadlinePrecision.Quarter),
            "extended", Communique with { On = new DateOnly(2022, 9, 1) }));
        (afterwards.Status, afterwards.Deadline!.DueBy).ShouldBe((CommitmentStatus.AchievedLate, new DateOnly(2022, 12, 31)));

        // Learned of out of order, an earlier revision does not replace the later one in force.
        var older = afterwards.Then(ReviseCommitment.Decide(afterwards, null, new Deadline(new DateOnly(2023, 6, 1), DeadlinePrecision.Month),
            "an older text", Communique with { On = new DateOnly(2022, 4, 1) }));
        older.Deadline!.DueBy.ShouldBe(new DateOnly(2022, 12, 31));
        older.DeadlineOn(new DateOnly(2022, 7, 15))!.DueBy.ShouldBe(new DateOnly(2023, 6, 30));
        older.Status.ShouldBe(CommitmentStatus.Achieved);
    }

    [Fact]
    public void a_state_stored_before_deadlines_were_dated_keeps_the_order_recorded_and_the_timeliness_recorded()
    {
        var state = NextMinisterial();
        state = state.Then(AssessStatus.Decide(state, CommitmentStatus.Achieved, LearnedOfIt, "held in July", Communique, DueBy.AddDays(15)));
        var extended = state.Then(ReviseCommitment.Decide(state, null, new Deadline(new DateOnly(2022, 10, 1), DeadlinePrecision.Quarter),
            "extended", Communique with { On = new DateOnly(2022, 3, 1) }));
        // As an older tracker stored it: no day on its deadlines.
        var stored = extended with { Deadlines = [.. extended.Deadlines.Select(d => d with { From = null })] };

        stored.Dated.ShouldBeFalse();
        (stored.Status, stored.Deadline!.DueBy).ShouldBe((CommitmentStatus.AchievedLate, new DateOnly(2022, 12, 31)));
        extended.Dated.ShouldBeTrue();
        extended.Status.ShouldBe(CommitmentStatus.Achieved);
    }

    [Fact]
    public void assessments_are_ordered_by_the_day_they_took_effect_and_cannot_take_effect_after_they_are_made()
    {
        var state = NextMinisterial();
        state = state.Then(AssessStatus.Decide(state, CommitmentStatus.InProgress, LearnedOfIt, "x", Communique, new DateOnly(2022, 3, 1)));

        AssessStatus.Decide(state, CommitmentStatus.Stalled, LearnedOfIt, "x", Communique, new DateOnly(2022, 2, 1))
            .ShouldBeRefusedBy("assessment-out-of-order").Message.ShouldContain("took effect");
        AssessStatus.Decide(state, CommitmentStatus.Stalled, new DateOnly(2022, 4, 1), "x", Communique, new DateOnly(2022, 4, 2))
            .ShouldBeRefusedBy("effective-after-assessment");
        state.Then(AssessStatus.Decide(state, CommitmentStatus.Achieved, LearnedOfIt, "x", Communique, MayMeeting))
            .Status.ShouldBe(CommitmentStatus.Achieved);
    }

    [Fact]
    public void achieved_late_and_recorded_before_the_check_came_due_still_leaves_the_deadline_passed_in_between()
    {
        var state = NextMinisterial();
        state = state.Then(AssessStatus.Decide(state, CommitmentStatus.Achieved, LearnedOfIt, "held late", Communique, DueBy.AddDays(70)));
        state.Status.ShouldBe(CommitmentStatus.AchievedLate);

        state = state.Then(PassDeadline.Decide(state, DueBy, LearnedOfIt));

        state.DeadlinePassedOn.ShouldBe(DueBy);
        var log = state.Logged(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var between = EffectiveOrder.On(state.Id, log, DueBy.AddDays(30)).ShouldNotBeNull();
        (between.Status, between.Overdue).ShouldBe((CommitmentStatus.NotAssessed, true));
        var after = EffectiveOrder.On(state.Id, log, DueBy.AddDays(70)).ShouldNotBeNull();
        (after.Status, after.Overdue).ShouldBe((CommitmentStatus.AchievedLate, false));
    }

    [Fact]
    public void a_deadline_set_after_its_own_due_date_passes_the_day_it_took_effect_unless_achieved_by_then()
    {
        var june2021 = new Deadline(new DateOnly(2021, 6, 1), DeadlinePrecision.Month);
        var dueBy = new DateOnly(2021, 6, 30);
        var inSeptember = Communique with { On = new DateOnly(2021, 9, 20) };
        var state = NextMinisterial();
        var retro = state.Then(ReviseCommitment.Decide(state, null, june2021, "set retroactively", inSeptember));

        PassDeadline.Decide(retro, dueBy, new DateOnly(2021, 9, 19)).Events.ShouldBeEmpty();
        PassDeadline.CheckAt(retro, dueBy).ShouldBe(new DateTimeOffset(2021, 9, 20, 0, 0, 0, TimeSpan.Zero));
        PassDeadline.Decide(retro, dueBy, new DateOnly(2021, 9, 20)).Events.ShouldHaveSingleItem()
            .ShouldBe(new DeadlinePassed(dueBy, new DateOnly(2021, 9, 20)));

        // Said again later, the due date keeps the day it came into force.
        var repeated = retro.Then(ReviseCommitment.Decide(retro, null, june2021 with { Description = "by June 2021" }, "said again",
            Communique with { On = new DateOnly(2021, 11, 1) }));
        PassDeadline.Decide(repeated, dueBy, new DateOnly(2021, 12, 1)).Events.ShouldHaveSingleItem()
            .ShouldBe(new DeadlinePassed(dueBy, new DateOnly(2021, 9, 20)));

        // Achieved in August, before that deadline was in force: it never passed.
        var achieved = state.Then(AssessStatus.Decide(state, CommitmentStatus.Achieved, new DateOnly(2021, 8, 2), "held", Communique,
            new DateOnly(2021, 8, 1)));
        var achievedThenRetro = achieved.Then(ReviseCommitment.Decide(achieved, null, june2021, "set retroactively", inSeptember));
        PassDeadline.Decide(achievedThenRetro, dueBy, new DateOnly(2021, 10, 1)).Events.ShouldBeEmpty();

        // A due date that was in force on its own day passes the day after it, as always.
        var ordinary = NextMinisterial();
        PassDeadline.Decide(ordinary, new DateOnly(2022, 6, 30), new DateOnly(2022, 7, 1)).Events.ShouldHaveSingleItem()
            .ShouldBe(new DeadlinePassed(new DateOnly(2022, 6, 30)));
    }

    [Fact]
    public void an_achievement_on_time_settled_ever_since_passes_no_deadline_and_one_assessed_otherwise_since_says_so()
    {
        var achieved = NextMinisterial();
        achieved = achieved.Then(AssessStatus.Decide(achieved, CommitmentStatus.Achieved, MayMeeting, "held", Communique));
        var withdrawn = achieved.Then(AssessStatus.Decide(achieved, CommitmentStatus.Withdrawn, DueBy.AddDays(40), "disowned", Communique));
        var stalled = achieved.Then(AssessStatus.Decide(achieved, CommitmentStatus.Stalled, DueBy.AddDays(40), "disowned", Communique));

        // Until 2026-12-06 the first was recorded as passed, and both said "no achievement on record by then".
        PassDeadline.Decide(withdrawn, DueBy, DueBy.AddDays(41)).Events.ShouldBeEmpty();
        var passed = PassDeadline.Decide(stalled, DueBy, DueBy.AddDays(41)).Events.ShouldHaveSingleItem().ShouldBeOfType<DeadlinePassed>();
        passed.AchievedUntil.ShouldBe(DueBy.AddDays(40));
        ((ITrackedEvent)passed).EffectiveOn(DueBy.AddDays(41)).ShouldBe(DueBy.AddDays(1));
        ((ITrackedEvent)passed).Summary("USD").ShouldBe(
            $"Deadline passed (due by {DueBy:yyyy-MM-dd}): achieved by then, but assessed otherwise from {DueBy.AddDays(40):yyyy-MM-dd}");
    }

    [Fact]
    public void an_achievement_assessed_again_is_refused_with_its_day_or_without()
    {
        var state = NextMinisterial();
        state = state.Then(AssessStatus.Decide(state, CommitmentStatus.Achieved, MayMeeting, "held", Communique));

        // Until 2026-12-06 a bare re-assessment after the due date recorded achieved-late on its own day; until 2026-12-07
        // one with its effectiveOn did, while the May achievement still stood in every past.
        AssessStatus.Decide(state, CommitmentStatus.Achieved, LearnedOfIt, "confirmed", Communique).ShouldBeRefusedBy("already-achieved");
        AssessStatus.Decide(state, CommitmentStatus.Achieved, LearnedOfIt, "it met again in September", Communique, LearnedOfIt)
            .ShouldBeRefusedBy("already-achieved");
        AssessStatus.Decide(state, CommitmentStatus.Achieved, LearnedOfIt, "the same day", Communique, MayMeeting)
            .ShouldBeRefusedBy("already-achieved");
    }
}
