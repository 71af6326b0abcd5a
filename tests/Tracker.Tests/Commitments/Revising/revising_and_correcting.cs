using System.Text.Json;
using Alba;
using Tracker.Domain;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Commitments.Revising;

public sealed class revising_and_correcting(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

    [Fact]
    public async Task a_revision_of_target_and_deadline_records_two_events_with_the_reason()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/revisions", new
        {
            target = new { amount = 400_000_000m, currency = "USD" },
            deadline = new { date = "2026-01-01", precision = "year" },
            reason = "The Small Group raised the goal",
            source = new { url = "https://example.org/small-group-2025", primary = true }
        });

        result.Version().ShouldBe(3);
        result.Json().GetProperty("events").EnumerateArray().Select(e => e.GetString())
            .ShouldBe(["target-revised", "deadline-revised"]);
        (await Api.ReadCommitment()).GetProperty("target").GetProperty("amount").GetDecimal().ShouldBe(400_000_000m);
    }

    [Fact]
    public async Task an_empty_revision_is_a_400()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/revisions", new { reason = "nothing", source = Source }, 400);

        result.ReadProblem(400);
    }

    [Fact]
    public async Task a_correction_reverses_an_event_that_stays_in_the_log()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/progress", Progress(2_000_000_000m));

        await Api.Write($"{Base}/corrections", new
        {
            version = 2, reason = "Read two billion for two hundred million", source = Source
        });

        var commitment = await Api.ReadCommitment();
        (await Api.ReadFacts("progress-reported")).ShouldBeEmpty();
        commitment.GetProperty("correctionCount").GetInt32().ShouldBe(1);
        (!commitment.TryGetProperty("latestReport", out var latest) || latest.ValueKind == JsonValueKind.Null)
            .ShouldBeTrue("the only report was retracted");
        await using var session = Store.LightweightSession();
        var log = await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Goal));
        log.Select(e => e.EventTypeName).ShouldBe(["commitment_stated", "progress_reported", "progress_report_retracted"]);
    }

    [Fact]
    public async Task correcting_the_statement_is_a_422_and_correcting_twice_a_409()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/progress", Progress());
        await Api.Write($"{Base}/corrections", new { version = 2, reason = "dup", source = Source });

        (await Api.Write($"{Base}/corrections", new { version = 1, reason = "x", source = Source }, 422))
            .Json().GetProperty("rule").GetString().ShouldBe("statement-not-correctable");
        (await Api.Write($"{Base}/corrections", new { version = 2, reason = "x", source = Source }, 409))
            .Json().GetProperty("rule").GetString().ShouldBe("already-corrected");
    }
}
