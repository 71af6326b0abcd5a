using Tracker.Api.Documents;
using Microsoft.AspNetCore.Http.HttpResults;
using Shouldly;
using Tracker.Api.Commitments;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Tests.Domain.Commitments;
using Wolverine;
using Tracker.Api.Commitments.Pledging;
using Tracker.Api.Commitments.Reporting;
using Tracker.Api.Commitments.Revising;
using Tracker.Api.Commitments.Assessing;
using Tracker.Projections.Documents;

namespace Tracker.Tests.Commitments;

/// <summary>
/// A write endpoint is a pure function of the request and the commitment's state: it returns the events to append, the
/// answer and any scheduled check, and the shared workflow (CommitmentWrite) does the fetching, checking and committing.
/// So each one can be called here with no host and no database; the stories in the other files take the HTTP path.
/// </summary>
public sealed class deciding_without_a_host
{
    private static readonly Evidence Communique = Given.Communique;

    /// <summary>The service's clock, stopped at one instant.</summary>
    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly TimeProvider Clock = new StoppedClock(Given.RecordedOn.ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc));

    [Fact]
    public void announcing_a_pledge_appends_it_and_answers_where_the_pledge_now_lives()
    {
        var goal = Given.StabilisationGoal();

        var (answer, appended, scheduled) = AnnouncePledgeEndpoint.Post(new AnnouncePledgeRequest(null, "Germany",
            new Money(25_000_000m, "USD"), new DateOnly(2024, 10, 2), null, Communique), goal, new PledgeNumbering(3),
            new RegisteredDocuments(), Clock);

        appended.StreamId.ShouldBe(StreamIds.ForCommitment(goal.Key));
        var pledge = appended.Events.ShouldHaveSingleItem().ShouldBeOfType<PledgeAnnounced>();
        pledge.Pledger.ShouldBe("Germany");
        pledge.PledgeId.ShouldBe("germany-4");
        pledge.LedgerAmount.ShouldBe(25_000_000m);
        var accepted = answer.ShouldBeOfType<WriteAccepted>();
        accepted.Version.ShouldBe(goal.Version + 1);
        accepted.Location.ShouldBe($"/api/commitments/{goal.Key}/pledges/{pledge.PledgeId}");
        accepted.Body.ShouldBeOfType<PledgeRecorded>().Pledge.Pledger.ShouldBe("Germany");
        scheduled.ShouldBeEmpty();
    }

    [Fact]
    public void a_report_the_rules_refuse_appends_nothing_and_answers_the_rule()
    {
        var repatriation = Given.RepatriationGoal();

        var (answer, appended, scheduled) = ReportProgressEndpoint.Post(new ReportProgressRequest(200_000_000m, null, "USD",
            Comparator.MoreThan, new DateOnly(2024, 9, 30), null, null, Communique), repatriation, new RegisteredDocuments(), Clock);

        appended.Events.ShouldBeEmpty();
        scheduled.ShouldBeEmpty();
        var problem = answer.ShouldBeOfType<ProblemHttpResult>().ProblemDetails;
        problem.Status.ShouldBe(422);
        problem.Extensions["rule"].ShouldBe("unit-mismatch");
    }

    [Fact]
    public void a_new_deadline_schedules_the_check_of_its_due_date()
    {
        var goal = Given.StabilisationGoal();
        var deadline = new Deadline(new DateOnly(2026, 6, 1), DeadlinePrecision.Month);

        var (answer, appended, scheduled) = ReviseCommitmentEndpoint.Post(
            new ReviseCommitmentRequest(null, deadline, "extended at the 2025 ministerial", Communique), goal,
            new CitedDocument(Washington2024), Clock);

        appended.Events.ShouldHaveSingleItem().ShouldBeOfType<DeadlineRevised>().NewDeadline.ShouldBe(deadline);
        answer.ShouldBeOfType<WriteAccepted>().Body.ShouldBeOfType<Recorded>().Events.ShouldBe(["deadline-revised"]);
        var check = scheduled.ShouldHaveSingleItem().ShouldBeOfType<ScheduledMessage<CheckDeadline>>();
        check.Message.DueBy.ShouldBe(new DateOnly(2026, 6, 30));
        check.Options.ScheduledTime.ShouldBe(PassDeadline.CheckAt(new DateOnly(2026, 6, 30)));
    }

    [Fact]
    public void a_revision_without_a_date_takes_effect_on_the_day_the_services_clock_says()
    {
        var goal = Given.StabilisationGoal();
        var extended = new Deadline(new DateOnly(2027, 6, 1), DeadlinePrecision.Month);
        var lastMinuteOfTheYear = new StoppedClock(new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero));

        var (answer, _, _) = CommitmentWrite.Recorded(goal, lastMinuteOfTheYear,
            ReviseCommitment.Decide(goal, null, extended, "extended", new Evidence(null, "https://example.org/extended", Primary: false)),
            after => after);

        var state = answer.ShouldBeOfType<WriteAccepted>().Body.ShouldBeOfType<CommitmentState>();
        state.Deadlines[^1].ShouldBe(new InForce<Deadline>(goal.Version + 1, extended, new DateOnly(2025, 12, 31)));
        state.DeadlineOn(new DateOnly(2025, 12, 30)).ShouldBeNull();
        state.Deadline.ShouldBe(extended);
    }

    private static readonly DocumentView Washington2024 = new(StreamIds.ForDocument("washington-2024"), "washington-2024",
        "Washington communiqué", new DateOnly(2024, 9, 30), "Washington", "communique", null, true, DateTimeOffset.UnixEpoch, 1);

    [Fact]
    public void a_revision_whose_source_cites_a_document_without_a_day_of_its_own_takes_effect_on_the_documents_day()
    {
        var goal = Given.StabilisationGoal();
        var extended = new Deadline(new DateOnly(2027, 6, 1), DeadlinePrecision.Month);

        var (_, appended, _) = ReviseCommitmentEndpoint.Post(
            new ReviseCommitmentRequest(null, extended, "extended", Communique), goal, new CitedDocument(Washington2024), Clock);
        appended.Events.ShouldHaveSingleItem().ShouldBeOfType<DeadlineRevised>().Source.On.ShouldBe(new DateOnly(2024, 9, 30));

        // A day of its own wins; a document dated only to its month gives none, so the source must.
        var dated = Communique with { On = new DateOnly(2025, 3, 1) };
        var (_, own, _) = ReviseCommitmentEndpoint.Post(
            new ReviseCommitmentRequest(null, extended, "extended", dated), goal, new CitedDocument(null), Clock);
        own.Events.ShouldHaveSingleItem().ShouldBeOfType<DeadlineRevised>().Source.On.ShouldBe(new DateOnly(2025, 3, 1));
        var (refused, none, _) = ReviseCommitmentEndpoint.Post(
            new ReviseCommitmentRequest(null, extended, "extended", Communique), goal,
            new CitedDocument(Washington2024 with { PublishedPrecision = Tracker.Domain.Documents.DatePrecision.Month }), Clock);
        none.Events.ShouldBeEmpty();
        var problem = refused.ShouldBeOfType<ProblemHttpResult>().ProblemDetails;
        problem.Extensions["rule"].ShouldBe("document-day-unknown");
        problem.Detail.ShouldNotBeNull().ShouldContain("source.on");

        // What no day would help comes first: a withdrawn commitment takes no revision whatever its day.
        var (withdrawn, _, _) = ReviseCommitmentEndpoint.Post(
            new ReviseCommitmentRequest(null, extended, "extended", Communique), goal.Withdrawn(),
            new CitedDocument(Washington2024 with { PublishedPrecision = Tracker.Domain.Documents.DatePrecision.Month }), Clock);
        withdrawn.ShouldBeOfType<ProblemHttpResult>().ProblemDetails.Extensions["rule"].ShouldBe("commitment-withdrawn");
    }
}
