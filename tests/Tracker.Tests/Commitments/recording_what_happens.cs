using System.Text.Json;
using Alba;
using Tracker.Domain;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Commitments;

public sealed class recording_what_happens(TrackerApp app) : TrackerTest(app)
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
    public async Task an_aggregate_money_figure_is_recorded_with_its_comparator_and_date()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write($"{Base}/progress", Progress());

        var report = (await Api.ReadFacts("progress-reported")).Single();
        report.GetProperty("comparator").GetString().ShouldBe("more-than");
        report.GetProperty("asOf").GetString().ShouldBe("2024-09-30");
        report.GetProperty("ledgerFigure").GetDecimal().ShouldBe(200_000_000m);
    }

    [Fact]
    public async Task a_figure_with_both_unit_and_currency_is_a_400()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/progress", new
        {
            figure = 5, unit = "people", currency = "USD", comparator = "about", asOf = "2024-09-30", source = Source
        }, 400);

        result.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldContain("unit");
    }

    [Fact]
    public async Task a_status_assessment_changes_the_status_with_its_rationale_and_evidence()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write($"{Base}/assessments", Assessment("in-progress"));

        var commitment = await Api.ReadCommitment();
        commitment.GetProperty("status").GetString().ShouldBe("in-progress");
        commitment.GetProperty("assessment").GetProperty("rationale").GetString().ShouldStartWith("Members report");
    }

    [Fact]
    public async Task an_unknown_status_is_a_400()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/assessments", Assessment("kind-of-done"), 400);

        result.ReadProblem(400);
    }

    [Fact]
    public async Task a_withdrawn_commitment_refuses_new_pledges_with_a_409_naming_the_rule()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/assessments", Assessment("withdrawn"));

        var result = await Api.Write($"{Base}/pledges", GermanPledge(), 409);

        result.Json().GetProperty("rule").GetString().ShouldBe("commitment-withdrawn");
    }

    [Fact]
    public async Task a_restatement_in_a_later_document_keeps_both_provenances_and_may_move_the_deadline()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.RegisterDocument(new
        {
            key = "coalition-statement-2025", title = "Coalition statement", publishedOn = "2025-06-01",
            kind = "statement", primary = true
        });

        await Api.Write($"{Base}/restatements", new
        {
            restatedIn = new { documentKey = "coalition-statement-2025", paragraph = "2", quote = "we reaffirm the $394 million goal" },
            newDeadline = new { date = "2025-12-01", precision = "month" }
        });

        var commitment = await Api.ReadCommitment();
        commitment.GetProperty("statedIn").GetProperty("documentKey").GetString().ShouldBe("washington-2024");
        var restatement = (await Api.ReadFacts("commitment-restated")).Single();
        restatement.GetProperty("restatedIn").GetProperty("documentKey").GetString().ShouldBe("coalition-statement-2025");
        restatement.GetProperty("restatedOn").GetString().ShouldBe("2025-06-01");
        commitment.GetProperty("deadline").GetProperty("date").GetString().ShouldBe("2025-12-01");
    }

    [Fact]
    public async Task a_restatement_in_the_stating_document_is_a_409()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/restatements", new
        {
            restatedIn = new { documentKey = "washington-2024", quote = "again" }
        }, 409);

        result.Json().GetProperty("rule").GetString().ShouldBe("already-stated-in-document");
    }

    [Fact]
    public async Task a_restatement_in_an_unregistered_document_is_a_422()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/restatements", new
        {
            restatedIn = new { documentKey = "not-registered", quote = "q" }
        }, 422);

        result.ReadProblem(422).Detail.ShouldNotBeNull().ShouldContain("not-registered");
    }

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
    public async Task evidence_is_attached_primary_or_secondary()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write($"{Base}/evidence", new
        {
            url = "https://shafaq.com/en/report", primary = false, on = "2024-10-01", note = "news report on the ministerial"
        });

        var evidence = (await Api.ReadFacts("evidence-attached")).Single().GetProperty("evidence");
        evidence.GetProperty("primary").GetBoolean().ShouldBeFalse();
        evidence.GetProperty("url").GetString().ShouldBe("https://shafaq.com/en/report");
    }

    [Fact]
    public async Task evidence_without_a_document_or_url_is_a_400()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/evidence", new { primary = true, note = "trust me" }, 400);

        result.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldContain("documentKey");
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
