using System.Text.Json;
using Alba;
using Tracker.Domain;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Commitments.Reporting;

public sealed class reporting_progress(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

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
    public async Task a_money_figure_says_which_stage_of_money_it_counts_and_a_secondary_claim_stays_its_own()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write($"{Base}/progress", new
        {
            figure = 200_000_000, currency = "USD", comparator = "more-than", asOf = "2024-09-30", stage = "announced",
            note = "members have already announced commitments totalling more than $200 million", source = Source
        });
        await Api.Write($"{Base}/progress", new
        {
            figure = 200_000_000, currency = "USD", comparator = "more-than", asOf = "2024-10-01", stage = "pledged",
            note = "a news report: pledged over $200 million",
            source = new { url = "https://shafaq.com/en", primary = false }
        });

        var reports = await Api.ReadFacts("progress-reported");
        reports.Select(r => r.GetProperty("stage").GetString()).ShouldBe(["announced", "pledged"]);
        var latest = (await Api.ReadCommitment()).GetProperty("latestReport");
        (latest.GetProperty("stage").GetString(), latest.GetProperty("asOf").GetString()).ShouldBe(("pledged", "2024-10-01"));
        var history = (await Api.Scenario(s => s.Get.Url($"{Base}/history"))).Json().GetProperty("items").EnumerateArray()
            .Select(h => h.GetProperty("summary").GetString()).ToList();
        history.ShouldContain("Reported more than USD 200,000,000 announced as of 2024-09-30");
    }

    [Fact]
    public async Task money_mobilised_from_other_sources_is_a_stage_of_its_own_and_measures_the_goal()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write($"{Base}/progress", new
        {
            figure = 250_000_000, currency = "USD", comparator = "more-than", asOf = "2024-10-01", stage = "mobilised",
            note = "public money mobilised more than $250 million of private finance", source = LaterSource
        });

        var goal = await Api.ReadCommitment();
        goal.GetProperty("latestReport").GetProperty("stage").GetString().ShouldBe("mobilised");
        goal.GetProperty("progress").GetProperty("fraction").GetDecimal().ShouldBe(Math.Round(250_000_000m / 394_000_000m, 4));
        var history = (await Api.Scenario(s => s.Get.Url($"{Base}/history"))).Json().GetProperty("items").EnumerateArray()
            .Select(h => h.GetProperty("summary").GetString()).ToList();
        history.ShouldContain("Reported more than USD 250,000,000 mobilised as of 2024-10-01");
    }

    [Fact]
    public async Task a_figure_keeps_the_words_of_its_text_nearly_included()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write($"{Base}/progress", new
        {
            figure = 8_000_000, currency = "USD", comparator = "nearly", asOf = "2024-10-01", source = LaterSource
        });
        var refused = await Api.Write($"{Base}/progress", new
        {
            figure = 1, currency = "USD", comparator = "almost", asOf = "2024-10-01", source = LaterSource
        }, 400);

        (await Api.ReadCommitment()).GetProperty("latestReport").GetProperty("comparator").GetString().ShouldBe("nearly");
        var history = (await Api.Scenario(s => s.Get.Url($"{Base}/history"))).Json().GetProperty("items").EnumerateArray()
            .Select(h => h.GetProperty("summary").GetString()).ToList();
        history.ShouldContain("Reported nearly USD 8,000,000 as of 2024-10-01");
        refused.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldContain("comparator");
    }

    [Fact]
    public async Task a_stage_of_money_on_a_quantity_is_a_400_naming_it()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/progress", new
        {
            figure = 5, unit = "people", comparator = "about", asOf = "2024-09-30", stage = "pledged", source = Source
        }, 400);

        result.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldContain("stage");
    }

    [Fact]
    public async Task an_exchange_rate_on_a_count_is_a_400_not_dropped()
    {
        // Until 2026-12-06 the rate was dropped without a word, and its date never compared with the figure's.
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/progress", new
        {
            figure = 5, unit = "people", comparator = "about", asOf = "2024-09-30",
            exchangeRate = new { rate = 999, on = "2024-09-30" }, source = Source
        }, 400);

        result.ReadProblem(400).Errors.ShouldNotBeNull()["exchangeRate"]
            .ShouldBe(["exchangeRate converts money into the ledger currency; a figure without a currency (a count) takes none: leave it out."]);
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
    public async Task a_targets_unit_is_stored_without_the_spaces_around_it_as_a_reports_is()
    {
        await Api.RegisterDocument(Tracker.Tests.Documents.DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", new
        {
            key = "fewer-camps", title = "Fewer camps", kind = "quantitative", lineOfEffort = "detention-and-camps",
            actors = new[] { "coalition" }, target = new { amount = 100, unit = " camps ", baseline = 200 },
            statedIn = new { documentKey = "washington-2024", quote = "reduce the number of camps" }
        }, 201);

        // Until 2026-12-06 the target kept " camps ", and this report was a unit-mismatch.
        await Api.Write("/api/commitments/fewer-camps/progress", new
        {
            figure = 150, unit = "camps", comparator = "exactly", asOf = "2024-10-01", source = LaterSource
        });

        (await Api.ReadCommitment("fewer-camps")).GetProperty("target").GetProperty("unit").GetString().ShouldBe("camps");
    }

    [Fact]
    public async Task evidence_without_a_day_of_its_own_takes_its_documents_day_or_the_last_of_its_month()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.RegisterDocument(Tracker.Tests.Documents.DocumentScenarios.ShafaqReport());

        // Until 2026-12-06 the day it was recorded, however old the document.
        await Api.Write($"{Base}/evidence", new { documentKey = "washington-2024", primary = true, note = "the communique" });
        // A document dated to its month: the month's last day, the latest its text can speak of (until 2026-12-08 the day
        // it was recorded, which the rule refuses when given, as below).
        await Api.Write($"{Base}/evidence", new { documentKey = "shafaq-2024", primary = false, note = "the report" });
        await Api.Write($"{Base}/evidence", new { url = "https://example.org/shafaq", primary = false, note = "the report online" });
        // A document of this year, whose year has not ended: the day it is recorded, not a day still to come.
        var thisYear = DateTime.UtcNow.Year;
        await Api.RegisterDocument(new
        {
            key = "annual-review", title = "Annual review", publishedOn = $"{thisYear}-01-01", publishedPrecision = "year",
            kind = "news-report", primary = false
        });
        await Api.Write($"{Base}/evidence", new { documentKey = "annual-review", primary = false, note = "the review" });
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        (await Api.Write($"{Base}/evidence", new { documentKey = "shafaq-2024", primary = false, note = "the report", on = today }, 422))
            .Json().GetProperty("rule").GetString().ShouldBe("dated-after-document");

        var attached = (await Api.Scenario(s => s.Get.Url($"{Base}/history"))).Json().GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "evidence-attached").ToList();
        attached[0].GetProperty("effectiveOn").GetString().ShouldBe("2024-09-30");
        attached[0].GetProperty("data").GetProperty("evidence").GetProperty("on").GetString().ShouldBe("2024-09-30");
        attached[1].GetProperty("effectiveOn").GetString().ShouldBe("2024-10-31");
        attached[1].GetProperty("data").GetProperty("evidence").GetProperty("on").GetString().ShouldBe("2024-10-31");
        // From a URL, and from a year that has not ended: the day it is recorded.
        foreach (var undated in attached.Skip(2))
        {
            undated.GetProperty("effectiveOn").GetString()
                .ShouldBe(undated.GetProperty("recordedAt").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd"));
        }
        attached.Count.ShouldBe(4);
    }

    [Fact]
    public async Task a_source_citing_a_document_says_of_it_what_its_registration_says()
    {
        // Until 2026-12-06 a news report registered as secondary could be cited as primary, and the timeline and the exports
        // called it primary evidence.
        await Api.StatedTheStabilisationGoal();
        await Api.RegisterDocument(Tracker.Tests.Documents.DocumentScenarios.ShafaqReport());

        var evidence = (await Api.Write($"{Base}/evidence", new { documentKey = "Shafaq-2024", primary = true, note = "the report" }, 422)).Json();
        evidence.GetProperty("rule").GetString().ShouldBe("source-primary-differs");
        evidence.GetProperty("detail").GetString().ShouldBe(
            "primary is true, but document 'shafaq-2024' is registered as a secondary report (primary: false): a source citing it " +
            "says the same. Cite it as registered, or give the source by its url.");
        var report = (await Api.Write($"{Base}/progress", new
        {
            figure = 1m, currency = "USD", comparator = "more-than", asOf = "2024-09-30",
            source = new { documentKey = "washington-2024", primary = false }
        }, 422)).Json();
        report.GetProperty("detail").GetString()!.ShouldStartWith("source.primary is false, but document 'washington-2024' is registered as an official text");

        // As registered, or by its address (the monitor's own judgement), it is recorded.
        await Api.Write($"{Base}/evidence", new { documentKey = "shafaq-2024", primary = false, note = "the report" });
        await Api.Write($"{Base}/evidence", new { url = "https://example.org/shafaq", primary = true, note = "the report" });
    }

    [Fact]
    public async Task a_document_is_cited_by_its_key_in_any_case_and_recorded_as_registered()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write($"{Base}/evidence", new { documentKey = "Washington-2024", primary = true, note = "the communique" });
        await Api.Write($"{Base}/progress", new
        {
            figure = 210_000_000m, currency = "USD", comparator = "more-than", asOf = "2024-09-30",
            source = new { documentKey = "WASHINGTON-2024", primary = true }
        });

        (await Api.ReadFacts("evidence-attached")).Single().GetProperty("evidence").GetProperty("documentKey").GetString()
            .ShouldBe("washington-2024");
        (await Api.ReadFacts("progress-reported")).Last().GetProperty("source").GetProperty("documentKey").GetString()
            .ShouldBe("washington-2024");
        var notAKey = await Api.Write($"{Base}/evidence", new { documentKey = "washington 2024", primary = true }, 400);
        notAKey.ReadProblem(400).Errors!["documentKey"].ShouldHaveSingleItem().ShouldContain("any case");
    }

    [Fact]
    public async Task evidence_without_a_document_or_url_is_a_400()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/evidence", new { primary = true, note = "trust me" }, 400);

        result.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldContain("documentKey");
    }
}
