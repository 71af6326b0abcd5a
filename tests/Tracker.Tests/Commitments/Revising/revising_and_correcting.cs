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
    public async Task a_revision_or_evidence_dated_after_the_document_it_cites_is_refused()
    {
        // A text cannot record what happened after it: until 2026-12-06 a 2024 communiqué could extend a deadline from a
        // day of 2025, and an achievement late by the dates read as on time. A later source by its address is taken.
        await Api.StatedTheStabilisationGoal();
        var extension = new
        {
            deadline = new { date = "2026-12-31", precision = "day" }, reason = "extended",
            source = new { documentKey = "washington-2024", primary = true, on = "2025-03-01" }
        };

        var refused = (await Api.Write($"{Base}/revisions", extension, 422)).Json();
        var evidence = (await Api.Write($"{Base}/evidence", new { documentKey = "washington-2024", primary = true, on = "2025-03-01" }, 422)).Json();

        refused.GetProperty("rule").GetString().ShouldBe("dated-after-document");
        refused.GetProperty("detail").GetString()!.ShouldStartWith("source.on 2025-03-01 is after document 'washington-2024' was published (2024-09-30)");
        evidence.GetProperty("rule").GetString().ShouldBe("dated-after-document");
        await Api.Write($"{Base}/revisions", new
        {
            deadline = new { date = "2026-12-31", precision = "day" }, reason = "extended",
            source = new { url = "https://example.org/extension", primary = true, on = "2025-03-01" }
        });
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
