using System.Text.Json;
using Alba;
using Tracker.Domain;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Commitments;

public sealed class what_every_write_records(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

    private static object Assessment(string status, string on = "2025-03-01") => new
    {
        status,
        assessedOn = on,
        rationale = "Members report projects under way in Raqqa and Deir ez-Zor",
        source = Source
    };

    [Fact]
    public async Task every_event_records_the_actor_the_correlation_id_and_its_source()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write($"{Base}/assessments", Assessment("in-progress"), 200,
            ("X-Api-Key", await Api.KeyFor("monitor.carol")), ("X-Correlation-Id", "review-2025-q1"));

        await using var session = Store.LightweightSession();
        var assessed = (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Goal))).Last();
        assessed.UserName.ShouldBe("key:monitor.carol");
        assessed.CorrelationId.ShouldBe("review-2025-q1");
        assessed.Data.ShouldBeOfType<Tracker.Domain.Commitments.StatusAssessed>().Source.DocumentKey.ShouldBe("washington-2024");
    }

    [Fact]
    public void events_are_stamped_by_the_clock_the_write_rules_take_today_from()
    {
        // One clock for a write's "today" (an undated revision takes effect that day) and its event's timestamp (the day
        // the stored model gives it): two clocks could put the two a day apart at midnight.
        ((Marten.StoreOptions)Store.Options).Events.TimeProvider.ShouldBeOfType<Tracker.Api.Infrastructure.EventStamps>()
            .Clock.ShouldBeOfType<TrackerApp.RegisteredClock>();
    }

    [Theory]
    [InlineData("restatements")]
    [InlineData("revisions")]
    [InlineData("progress")]
    [InlineData("assessments")]
    [InlineData("evidence")]
    [InlineData("corrections")]
    [InlineData("pledges/germany-1/stages")]
    [InlineData("pledges/germany-1/revisions")]
    public async Task every_write_route_answers_404_for_an_unknown_commitment(string route)
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        var anyValidBody = route switch
        {
            "restatements" => (object)new { restatedIn = new { documentKey = "washington-2024", quote = "q" } },
            "revisions" => new { deadline = new { date = "2026-01-01", precision = "year" }, reason = "r", source = Source },
            "progress" => Progress(),
            "assessments" => Assessment("stalled"),
            "evidence" => Source,
            "corrections" => new { version = 2, reason = "r", source = Source },
            "pledges/germany-1/stages" => Disbursement(1m),
            _ => new { amount = new { amount = 1m, currency = "EUR" }, reason = "r", source = Source }
        };

        var result = await Api.Write($"/api/commitments/nothing-here/{route}", anyValidBody, 404);

        result.ReadProblem(404);
    }
}
