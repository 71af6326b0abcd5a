using Alba;
using Marten.Events;
using Tracker.Tests.Commitments;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.ReadModels;

public sealed class commitment_progress(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

    [Fact]
    public async Task money_by_stage_is_counted_in_the_target_currency_at_each_amounts_own_rate()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);          // USD 27,100,000
        await Api.Write($"{Base}/pledges", new
        {
            pledger = "United States", amount = new { amount = 50_000_000m, currency = "USD" }, announcedOn = "2024-09-30",
            source = Source
        }, 201);
        await Api.Write($"{Base}/pledges/germany-1/stages", new
        {
            stage = "committed", amount = new { amount = 20_000_000m, currency = "EUR" }, on = "2024-11-01",
            exchangeRate = new { rate = 1.08m, on = "2024-11-01" }, source = LaterSource
        });                                                                           // USD 21,600,000 committed
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(10_000_000m)); // USD 10,500,000 disbursed
        await Api.Write($"{Base}/pledges/united-states-1/stages", new
        {
            stage = "disbursed", amount = new { amount = 5_000_000m, currency = "USD" }, on = "2024-12-15", source = LaterSource
        });

        var progress = await Api.ReadCommitment();

        var money = progress.GetProperty("money");
        money.GetProperty("pledged").GetDecimal().ShouldBe(77_100_000m);
        money.GetProperty("committed").GetDecimal().ShouldBe(21_600_000m);
        money.GetProperty("disbursed").GetDecimal().ShouldBe(15_500_000m);
        progress.GetProperty("ledgerCurrency").GetString().ShouldBe("USD");
        progress.GetProperty("pledgeCount").GetInt32().ShouldBe(2);
        var measure = progress.GetProperty("progress");
        measure.GetProperty("basis").GetString().ShouldBe("pledged");
        measure.GetProperty("fraction").GetDecimal().ShouldBe(Math.Round(77_100_000m / 394_000_000m, 4));
        measure.GetProperty("disbursedFraction").GetDecimal().ShouldBe(Math.Round(15_500_000m / 394_000_000m, 4));
        progress.GetProperty("version").GetInt32().ShouldBe(6);
    }

    [Fact]
    public async Task an_aggregate_report_and_the_member_pledges_it_may_include_are_never_added_together()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);          // USD 27,100,000 pledged
        await Api.Write($"{Base}/progress", Progress(200_000_000m));                  // more than USD 200 million announced

        var progress = await Api.ReadCommitment();

        var measure = progress.GetProperty("progress");
        measure.GetProperty("basis").GetString().ShouldBe("reported");
        measure.GetProperty("fraction").GetDecimal().ShouldBe(Math.Round(200_000_000m / 394_000_000m, 4));
        var latest = progress.GetProperty("latestReport");
        latest.GetProperty("comparator").GetString().ShouldBe("more-than");
        latest.GetProperty("asOf").GetString().ShouldBe("2024-09-30");
        progress.GetProperty("money").GetProperty("pledged").GetDecimal().ShouldBe(27_100_000m);
    }

    [Fact]
    public async Task a_figure_of_one_stage_does_not_take_back_another_stages_and_a_reported_disbursement_counts_as_disbursed()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/progress", MoneyFigure(200_000_000m, "more-than", "2024-09-30", "announced"));
        await Api.Write($"{Base}/progress", MoneyFigure(150_000_000m, "less-than", "2025-03-01", "disbursed"));

        var measure = (await Api.ReadCommitment()).GetProperty("progress");
        measure.GetProperty("basis").GetString().ShouldBe("reported");
        measure.GetProperty("fraction").GetDecimal().ShouldBe(Math.Round(200_000_000m / 394_000_000m, 4),
            "less than 150 million disbursed says nothing against more than 200 million announced");
        measure.GetProperty("disbursedFraction").GetDecimal().ShouldBe(0m, "a ceiling says how much at most, not at least");
        var goal = await Api.ReadCommitment();
        goal.GetProperty("latestReport").GetProperty("stage").GetString().ShouldBe("disbursed");
        goal.GetProperty("measuredBy").GetProperty("stage").GetString().ShouldBe("announced", "the figure the fraction is measured on");
        goal.GetProperty("measuredBy").GetProperty("figure").GetDecimal().ShouldBe(200_000_000m);

        await Api.Write($"{Base}/progress", MoneyFigure(120_000_000m, "about", "2025-04-01", "disbursed"));
        (await Api.ReadCommitment()).GetProperty("progress").GetProperty("disbursedFraction").GetDecimal()
            .ShouldBe(Math.Round(120_000_000m / 394_000_000m, 4));

        // A later figure of the same stage replaces it, lower or higher; retracted, the one before is back.
        await Api.Write($"{Base}/progress", MoneyFigure(180_000_000m, "about", "2025-04-01", "announced"));
        (await Api.ReadCommitment()).GetProperty("progress").GetProperty("fraction").GetDecimal()
            .ShouldBe(Math.Round(180_000_000m / 394_000_000m, 4));
        await Api.Write($"{Base}/corrections", new { version = 5, reason = "the figure was a draft", source = LaterSource });
        (await Api.ReadCommitment()).GetProperty("progress").GetProperty("fraction").GetDecimal()
            .ShouldBe(Math.Round(200_000_000m / 394_000_000m, 4));
        await Api.Write($"{Base}/corrections", new { version = 4, reason = "the report was about another fund", source = LaterSource });
        var after = (await Api.ReadCommitment()).GetProperty("progress");
        after.GetProperty("disbursedFraction").GetDecimal().ShouldBe(0m);
        after.GetProperty("fraction").GetDecimal().ShouldBe(Math.Round(200_000_000m / 394_000_000m, 4));
    }

    [Fact]
    public async Task a_ceiling_measures_the_goal_only_where_no_other_figure_does()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/progress", MoneyFigure(300_000_000m, "up-to", "2024-09-30", "committed"));
        (await Api.ReadCommitment()).GetProperty("progress").GetProperty("fraction").GetDecimal()
            .ShouldBe(Math.Round(300_000_000m / 394_000_000m, 4), "alone, a figure counts at its stated value");
        // A list says what a share is measured on too, so it can say "up to 76%": today's, and a past day's as effective.
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        foreach (var query in new[] { "", "?effectiveAsOf=2025-01-01" })
        {
            var row = (await Api.Scenario(s => s.Get.Url($"/api/commitments{query}"))).Json().GetProperty("items").EnumerateArray()
                .Single(i => i.GetProperty("key").GetString() == Goal);
            row.GetProperty("measuredBy").GetProperty("comparator").GetString().ShouldBe("up-to", query);
            row.GetProperty("measuredBy").GetProperty("stage").GetString().ShouldBe("committed", query);
        }

        await Api.Write($"{Base}/progress", MoneyFigure(100_000_000m, "more-than", "2024-08-01", "announced"));
        (await Api.ReadCommitment()).GetProperty("progress").GetProperty("fraction").GetDecimal()
            .ShouldBe(Math.Round(100_000_000m / 394_000_000m, 4), "up to 300 million says nothing of more than 100 million");
    }

    [Fact]
    public async Task a_ceiling_does_not_measure_the_goal_beside_money_members_pledged()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", new
        {
            pledger = "United States", amount = new { amount = 100_000_000m, currency = "USD" }, announcedOn = "2024-09-30", source = Source
        }, 201);
        await Api.Write($"{Base}/progress", MoneyFigure(300_000_000m, "up-to", "2024-09-30", "committed"));

        var goal = await Api.ReadCommitment();
        goal.GetProperty("progress").GetProperty("basis").GetString().ShouldBe("pledged");
        goal.GetProperty("progress").GetProperty("fraction").GetDecimal().ShouldBe(Math.Round(100_000_000m / 394_000_000m, 4));
        (goal.TryGetProperty("measuredBy", out var measured) && measured.ValueKind != System.Text.Json.JsonValueKind.Null)
            .ShouldBeFalse("no reported figure measures it");
    }

    [Fact]
    public async Task a_figure_of_another_stage_learned_late_counts_and_retracting_one_that_is_not_the_latest_takes_it_back()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/progress", MoneyFigure(100_000_000m, "exactly", "2025-03-01", "disbursed"));
        // Recorded after the disbursement, dated before it: not the latest money figure, but the latest committed one.
        await Api.Write($"{Base}/progress", MoneyFigure(300_000_000m, "about", "2024-12-01", "committed"));
        var goal = await Api.ReadCommitment();
        goal.GetProperty("latestReport").GetProperty("stage").GetString().ShouldBe("disbursed");
        goal.GetProperty("progress").GetProperty("fraction").GetDecimal().ShouldBe(Math.Round(300_000_000m / 394_000_000m, 4));

        await Api.Write($"{Base}/corrections", new { version = 3, reason = "the figure was of another fund", source = LaterSource });

        var measure = (await Api.ReadCommitment()).GetProperty("progress");
        measure.GetProperty("fraction").GetDecimal().ShouldBe(Math.Round(100_000_000m / 394_000_000m, 4), "money disbursed was raised");
        measure.GetProperty("disbursedFraction").GetDecimal().ShouldBe(Math.Round(100_000_000m / 394_000_000m, 4));
    }

    [Fact]
    public async Task a_correction_takes_its_money_out_of_the_totals()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(10_000_000m));

        await Api.Write($"{Base}/corrections", new { version = 3, reason = "the report was about another fund", source = Source });

        var progress = await Api.ReadCommitment();
        progress.GetProperty("money").GetProperty("disbursed").GetDecimal().ShouldBe(0m);
        progress.GetProperty("money").GetProperty("pledged").GetDecimal().ShouldBe(27_100_000m);
        progress.GetProperty("correctionCount").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task a_quantity_counts_from_its_baseline()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", new
        {
            key = "iraq-repatriation", title = "Iraq repatriates its nationals from northeast Syria", kind = "quantitative",
            lineOfEffort = "detention-and-camps", actors = new[] { "iraq" },
            target = new { amount = 25_000, unit = "people", baseline = 5_000 },
            statedIn = new { documentKey = "washington-2024", quote = "repatriating over 10,000 of its nationals" }
        }, 201);

        await Api.Write("/api/commitments/iraq-repatriation/progress", new
        {
            figure = 10_000, unit = "people", comparator = "more-than", asOf = "2024-09-30", source = Source
        });

        var progress = await Api.ReadCommitment("iraq-repatriation");
        progress.GetProperty("progress").GetProperty("fraction").GetDecimal().ShouldBe(0.25m);
        progress.GetProperty("progress").GetProperty("basis").GetString().ShouldBe("reported");
    }

    [Fact]
    public async Task a_reduction_counts_down_from_its_baseline_and_a_baseline_at_the_target_is_refused()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        object Camps(string key, decimal baseline) => new
        {
            key, title = "Fewer camps in northeast Syria", kind = "quantitative", lineOfEffort = "detention-and-camps",
            actors = new[] { "coalition" }, target = new { amount = 100, unit = "camps", baseline },
            statedIn = new { documentKey = "washington-2024", quote = "reduce the number of camps" }
        };
        (await Api.Write("/api/commitments", Camps("same-camps", 100), 400)).ReadAsText().ShouldContain("A baseline equal to the target");
        await Api.Write("/api/commitments", Camps("fewer-camps", 200), 201);
        // Down to none: every camp closed.
        var none = new
        {
            key = "no-camps", title = "Close every camp", kind = "quantitative", lineOfEffort = "detention-and-camps",
            actors = new[] { "coalition" }, target = new { amount = 0, unit = "camps", baseline = 20 },
            statedIn = new { documentKey = "washington-2024", quote = "close the camps" }
        };
        await Api.Write("/api/commitments", none, 201);
        await Api.Write("/api/commitments/no-camps/progress", new { figure = 5, unit = "camps", comparator = "exactly", asOf = "2024-09-30", source = Source });
        (await Api.ReadCommitment("no-camps")).GetProperty("progress").GetProperty("fraction").GetDecimal().ShouldBe(0.75m);
        (await Api.Write("/api/commitments", new
        {
            key = "no-base", title = "Close every camp", kind = "quantitative", lineOfEffort = "detention-and-camps",
            actors = new[] { "coalition" }, target = new { amount = 0, unit = "camps" },
            statedIn = new { documentKey = "washington-2024", quote = "close the camps" }
        }, 400)).ReadAsText().ShouldContain("A target of 0 is a reduction");

        await Api.Write("/api/commitments/fewer-camps/progress", new
        {
            figure = 150, unit = "camps", comparator = "exactly", asOf = "2024-09-30", source = Source
        });

        var progress = await Api.ReadCommitment("fewer-camps");
        progress.GetProperty("progress").GetProperty("fraction").GetDecimal().ShouldBe(0.5m);
        progress.GetProperty("progress").GetProperty("basis").GetString().ShouldBe("reported");

        // Revised to count sites: the last count of camps measures nothing of it.
        await Api.Write("/api/commitments/fewer-camps/revisions", new
        {
            target = new { amount = 50, unit = "sites", baseline = 100 }, reason = "counted by site", source = Source
        });
        var revised = (await Api.ReadCommitment("fewer-camps")).GetProperty("progress");
        revised.GetProperty("basis").GetString().ShouldBe("none");
        revised.TryGetProperty("fraction", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task a_target_revised_to_another_unit_is_measured_by_its_own_units_latest_count_though_a_count_in_the_old_one_is_dated_later()
    {
        await Api.StatedFewerCamps();
        const string camps = "/api/commitments/fewer-camps";
        async Task<decimal?> Fraction(string query = "")
        {
            var progress = (await Api.Scenario(s => s.Get.Url(camps + query))).Json().GetProperty("progress");
            return progress.TryGetProperty("fraction", out var fraction) ? fraction.GetDecimal() : null;
        }
        object Count(decimal figure, string unit, string asOf) => new { figure, unit, comparator = "exactly", asOf, source = SourceOn(asOf) };

        await Api.Write($"{camps}/progress", Count(150, "camps", "2024-09-30"));                 // version 2
        await Api.Write($"{camps}/revisions", new
        {
            target = new { amount = 50, unit = "sites", baseline = 100 }, reason = "counted by site",
            source = new { url = "https://example.org/a-later-source", primary = true, on = "2025-01-01" }
        });                                                                                       // version 3
        (await Fraction()).ShouldBeNull();

        // Sites counted as of a day before the camps' count: the camps' count stays the latest report, and measures
        // nothing of a target in sites; the count of sites does.
        await Api.Write($"{camps}/progress", Count(80, "sites", "2024-09-15"));                  // version 4
        var read = await Api.ReadCommitment("fewer-camps");
        read.GetProperty("latestReport").GetProperty("unit").GetString().ShouldBe("camps");
        read.GetProperty("progress").GetProperty("fraction").GetDecimal().ShouldBe(0.4m);
        read.GetProperty("progress").GetProperty("basis").GetString().ShouldBe("reported");

        await Api.Write($"{camps}/progress", Count(70, "Sites", "2024-09-20"));                  // version 5
        (await Fraction()).ShouldBe(0.6m);
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd");
        (await Fraction($"?effectiveAsOf={today}")).ShouldBe(0.6m);

        // Retracted, the count of sites before it measures the target again, now and as effective.
        await Api.Write($"{camps}/corrections", new { version = 5, reason = "counted twice", source = Source });
        (await Fraction()).ShouldBe(0.4m);
        (await Fraction($"?effectiveAsOf={today}")).ShouldBe(0.4m);
        (await Fraction("?version=5")).ShouldBe(0.6m);

        // A count of camps learned late, dated when camps were the target, is taken, and measures that day's target.
        await Api.Write($"{camps}/progress", Count(120, "camps", "2024-10-01"));
        (await Fraction("?effectiveAsOf=2024-10-15")).ShouldBe(0.8m);
        (await Fraction()).ShouldBe(0.4m);
        var people = await Api.Write($"{camps}/progress", Count(3, "people", "2024-10-01"), 422);
        people.ReadAsText().ShouldContain("counts sites (on 2024-10-01, camps); the figure was in people. A count is taken in the unit of the target now, or of the target in force on its asOf day.");
    }

    [Fact]
    public async Task a_count_dated_before_the_commitment_had_a_target_is_measured_against_the_target_now()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", new
        {
            key = "camps-later", title = "Camps", kind = "quantitative", lineOfEffort = "detention-and-camps",
            actors = new[] { "coalition" }, statedIn = new { documentKey = "washington-2024", quote = "the camps" }
        }, 201);
        await Api.Write("/api/commitments/camps-later/revisions", new
        {
            // Set after the counts' day (recorded today, citing no document), so on that day no target was in force.
            target = new { amount = 100, unit = "camps", baseline = 200 }, reason = "a target was set",
            source = new { url = "https://example.org/target-set", primary = false }
        });

        var bananas = await Api.Write("/api/commitments/camps-later/progress", new
        {
            figure = 3, unit = "bananas", comparator = "exactly", asOf = "2024-09-30", source = Source
        }, 422);
        bananas.ReadAsText().ShouldContain("counts camps; the figure was in bananas");
        await Api.Write("/api/commitments/camps-later/progress", new
        {
            figure = 5, currency = "USD", comparator = "exactly", asOf = "2024-09-30", source = Source
        }, 422);
    }

    [Fact]
    public async Task restatements_count_as_sources_and_the_status_carries_its_date()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.RegisterDocument(new
        {
            key = "statement-2025", title = "Statement", publishedOn = "2025-06-01", kind = "statement", primary = true
        });
        await Api.Write($"{Base}/restatements", new { restatedIn = new { documentKey = "statement-2025", quote = "reaffirmed" } });
        await Api.Write($"{Base}/assessments", new
        {
            status = "in-progress", assessedOn = "2025-06-02", rationale = "projects under way", source = Source
        });

        var progress = await Api.ReadCommitment();
        progress.GetProperty("sourceCount").GetInt32().ShouldBe(2);
        progress.GetProperty("restatementCount").GetInt32().ShouldBe(1);
        progress.GetProperty("sourceDocuments").EnumerateArray().Select(d => d.GetString())
            .ShouldBe(["washington-2024", "statement-2025"]);
        progress.GetProperty("status").GetString().ShouldBe("in-progress");
        progress.GetProperty("statusDate").GetString().ShouldBe("2025-06-02");
    }

    [Fact]
    public async Task the_commitment_read_carries_its_version_as_etag_and_the_time_its_last_event_was_stored()
    {
        await Api.StatedTheStabilisationGoal();
        var write = await Api.Write($"{Base}/progress", Progress());

        var read = await Api.Scenario(s => s.Get.Url(Base));
        var history = await Api.Scenario(s => s.Get.Url($"{Base}/history"));

        read.Context.Response.Headers.ETag.ToString().ShouldBe(write.Context.Response.Headers.ETag.ToString());
        // The model is written before PostgreSQL stores the event (Quick appends): the time it carries is still the
        // one the log keeps.
        var stored = history.Json().GetProperty("items").EnumerateArray().Last().GetProperty("recordedAt").GetDateTimeOffset();
        read.Json().GetProperty("lastChangedAt").GetDateTimeOffset().ShouldBe(stored);
    }
}
