using Alba;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Domain;
using Tracker.Tests.Commitments;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.ReadModels;

public sealed class deadlines_and_time(TrackerApp app) : TrackerTest(app)
{
    private const string Ministerial = "next-ministerial-2022";

    private Task StatedTheNextMinisterialByJune2022() => StatedTheNextMinisterial("2022-06-01");

    /// <summary>The next ministerial stated in June 2021, due by the month of <paramref name="dueIn"/>, or with no deadline.</summary>
    private async Task StatedTheNextMinisterial(string? dueIn)
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", new
        {
            key = Ministerial, title = "Hold the next ministerial meeting", kind = "milestone", lineOfEffort = "meetings",
            actors = new[] { "coalition" }, deadline = dueIn is null ? null : new { date = dueIn, precision = "month" },
            statedIn = new { documentKey = "washington-2024", quote = "hold the next ministerial meeting by June 2022" },
            statedOn = "2021-06-28"
        }, 201);
    }

    private async Task<System.Text.Json.JsonElement> Read(string url) => (await Api.Scenario(s => s.Get.Url(url))).Json();

    private Task<System.Text.Json.JsonElement> OverdueMinisterial() =>
        Eventually.Until(() => Api.ReadCommitment(Ministerial), c => c.GetProperty("overdue").GetBoolean());

    [Fact]
    public async Task an_extension_whose_source_cites_a_communique_without_a_day_of_its_own_takes_effect_on_the_communiques_day()
    {
        await StatedTheNextMinisterialByJune2022();
        await Api.RegisterDocument(new
        {
            key = "rome-2022", title = "Rome communiqué", publishedOn = "2022-03-01", kind = "communique", primary = true
        });
        await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2022-12-01", precision = "month" }, reason = "extended in Rome",
            source = new { documentKey = "rome-2022", primary = true }
        });
        await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2022-10-05", effectiveOn = "2022-10-01", rationale = "held in October",
            source = new { url = "https://example.org/october-meeting", primary = false }
        });

        // Recorded in 2026, it took effect in March 2022: the October meeting was on time, and nothing was ever overdue.
        var history = (await Read($"/api/commitments/{Ministerial}/history")).GetProperty("items").EnumerateArray().ToList();
        history.Single(e => e.GetProperty("type").GetString() == "deadline-revised").GetProperty("effectiveOn").GetString()
            .ShouldBe("2022-03-01");
        var present = await Api.ReadCommitment(Ministerial);
        present.GetProperty("status").GetString().ShouldBe("achieved");
        present.GetProperty("assessment").GetProperty("dueByThen").GetString().ShouldBe("2022-12-31");
        (await Read($"/api/commitments/{Ministerial}?effectiveAsOf=2022-07-15")).GetProperty("overdue").GetBoolean().ShouldBeFalse();

        // A document dated only to its month gives no day: the source must.
        await Api.RegisterDocument(DocumentScenarios.ShafaqReport());
        var undated = await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2023-06-01", precision = "month" }, reason = "moved again",
            source = new { documentKey = "shafaq-2024", primary = false }
        }, 422);
        undated.Json().GetProperty("rule").GetString().ShouldBe("document-day-unknown");
        undated.ReadAsText().ShouldContain("source.on");
    }

    [Fact]
    public async Task a_deadline_set_after_its_own_due_date_passes_on_the_day_it_took_effect_not_before()
    {
        // Stated without a deadline, so no other due date is checked meanwhile.
        await StatedTheNextMinisterial(null);
        await Api.RegisterDocument(new
        {
            key = "ministers-2021-09", title = "September 2021 statement", publishedOn = "2021-09-20", kind = "communique", primary = true
        });
        // Set in September 2021 to June 2021: already past on the day it took effect.
        await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2021-06-01", precision = "month" }, reason = "set retroactively",
            source = new { documentKey = "ministers-2021-09", primary = true }
        });
        await OverdueMinisterial();

        var passed = (await Read($"/api/commitments/{Ministerial}/history")).GetProperty("items").EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == "deadline-passed");
        passed.GetProperty("effectiveOn").GetString().ShouldBe("2021-09-20");
        passed.GetProperty("summary").GetString().ShouldBe(
            "Deadline passed with no achievement on record by then (due by 2021-06-30, a deadline in force from 2021-09-20)");
        (await Read($"/api/commitments/{Ministerial}?effectiveAsOf=2021-07-01")).GetProperty("overdue").GetBoolean().ShouldBeFalse();
        (await Read($"/api/commitments/{Ministerial}?effectiveAsOf=2021-09-20")).GetProperty("overdue").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task a_deadline_that_passed_with_no_achievement_on_record_becomes_a_fact_recorded_by_the_service()
    {
        await StatedTheNextMinisterialByJune2022();

        var progress = await OverdueMinisterial();

        progress.GetProperty("dueBy").GetString().ShouldBe("2022-06-30");
        await using var session = Store.LightweightSession();
        var passed = (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Ministerial))).Last();
        passed.EventTypeName.ShouldBe("deadline_passed");
        passed.UserName.ShouldBe("tracker-service");
        passed.Data.ShouldBeOfType<Tracker.Domain.Commitments.DeadlinePassed>().DueBy.ShouldBe(new DateOnly(2022, 6, 30));
    }

    [Fact]
    public async Task the_services_passing_is_a_write_of_its_own_caused_by_the_write_that_scheduled_it()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Scenario(s =>
        {
            s.Post.Json(new
            {
                key = Ministerial, title = "Hold the next ministerial meeting", kind = "milestone", lineOfEffort = "meetings",
                actors = new[] { "coalition" }, deadline = new { date = "2022-06-01", precision = "month" },
                statedIn = new { documentKey = "washington-2024", quote = "hold the next ministerial meeting by June 2022" },
                statedOn = "2021-06-28"
            }).ToUrl("/api/commitments");
            s.WithRequestHeader("X-Correlation-Id", "statement-1");
            s.StatusCodeShouldBe(201);
        });

        await OverdueMinisterial();

        // Until 2026-12-06 the passing carried the request's trace id (or, without an X-Correlation-Id, the statement's
        // own id), and read as part of the write that scheduled it.
        var history = (await Api.Scenario(s => s.Get.Url($"/api/commitments/{Ministerial}/history"))).Json().GetProperty("items");
        var (stated, passed) = (history[0], history[history.GetArrayLength() - 1]);
        passed.GetProperty("type").GetString().ShouldBe("deadline-passed");
        stated.GetProperty("correlationId").GetString().ShouldBe("statement-1");
        passed.GetProperty("correlationId").GetString().ShouldNotBeNull().ShouldStartWith("deadline-check:");
        passed.GetProperty("causationId").GetString().ShouldBe("statement-1");
        var csv = (await Api.Scenario(s => s.Get.Url($"/api/commitments/{Ministerial}/history.csv"))).ReadAsText().Split('\n');
        csv[0].TrimEnd('\r').ShouldEndWith(",data,causation_id");
        csv.ShouldContain(line => line.TrimEnd('\r').EndsWith(",statement-1") && line.Contains("deadline-check:"));
    }

    [Fact]
    public async Task achieving_after_the_deadline_is_achieved_late_and_no_longer_overdue()
    {
        await StatedTheNextMinisterialByJune2022();
        await OverdueMinisterial();

        await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2022-09-09", rationale = "The ministerial met in Marrakesh", source = Source
        });

        var progress = await Api.ReadCommitment(Ministerial);
        progress.GetProperty("status").GetString().ShouldBe("achieved-late");
        progress.GetProperty("overdue").GetBoolean().ShouldBeFalse();
        progress.GetProperty("progress").GetProperty("fraction").GetDecimal().ShouldBe(1m);
    }

    [Fact]
    public async Task moving_the_deadline_later_clears_overdue_until_the_new_one_passes()
    {
        await StatedTheNextMinisterialByJune2022();
        await OverdueMinisterial();

        await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2099-01-01", precision = "year" }, reason = "postponed", source = Source
        });

        var progress = await Api.ReadCommitment(Ministerial);
        progress.GetProperty("overdue").GetBoolean().ShouldBeFalse();
        progress.GetProperty("dueBy").GetString().ShouldBe("2099-12-31");
    }

    [Fact]
    public async Task a_future_deadline_is_checked_by_a_durable_message_scheduled_for_the_day_after()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", new
        {
            key = "far-future", title = "A far future goal", kind = "milestone", lineOfEffort = "meetings",
            actors = new[] { "coalition" }, deadline = new { date = "2099-06-01", precision = "month" },
            statedIn = new { documentKey = "washington-2024", quote = "by June 2099" }
        }, 201);

        await using var query = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "select execution_time from tracker.wolverine_incoming_envelopes " +
            "where message_type like '%CheckDeadline%' and status = 'Scheduled'");
        var scheduled = (DateTimeOffset?)(await query.ExecuteScalarAsync() as DateTime?);
        scheduled.ShouldNotBeNull();
        scheduled.Value.UtcDateTime.ShouldBe(new DateTime(2099, 7, 1, 0, 0, 0, DateTimeKind.Utc));
        (await Api.ReadCommitment("far-future")).GetProperty("overdue").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task an_achieved_commitment_is_not_marked_overdue_when_its_deadline_passes()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", new
        {
            key = "brussels-small-group", title = "Small Group meeting in Brussels", kind = "milestone", lineOfEffort = "meetings",
            actors = new[] { "coalition" }, deadline = new { date = "2025-09-01", precision = "season" },
            statedIn = new { documentKey = "washington-2024", quote = "in Brussels in the fall" }
        }, 201);
        await Api.Write("/api/commitments/brussels-small-group/assessments", new
        {
            status = "achieved", assessedOn = "2025-10-01", rationale = "held", source = Source
        });

        var progress = await Api.ReadCommitment("brussels-small-group");
        progress.GetProperty("status").GetString().ShouldBe("achieved");
        progress.GetProperty("overdue").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task a_meeting_held_before_its_deadline_and_learned_of_after_it_passed_was_achieved_on_time()
    {
        await StatedTheNextMinisterialByJune2022();
        await OverdueMinisterial();
        var learnedOfItAt = DateTimeOffset.UtcNow;

        await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2026-11-30", effectiveOn = "2022-05-20",
            rationale = "A news report says the ministerial met in May 2022", source = Source
        });

        // The present: achieved on time, in force since the day it happened, judged today.
        var progress = await Api.ReadCommitment(Ministerial);
        progress.GetProperty("status").GetString().ShouldBe("achieved");
        progress.GetProperty("overdue").GetBoolean().ShouldBeFalse();
        progress.GetProperty("statusDate").GetString().ShouldBe("2022-05-20");
        progress.GetProperty("assessment").GetProperty("assessedOn").GetString().ShouldBe("2026-11-30");
        progress.GetProperty("assessment").GetProperty("effectiveOn").GetString().ShouldBe("2022-05-20");

        // As effective: achieved from May 2022, so never overdue, even on a date after the deadline.
        var july2022 = await Read($"/api/commitments/{Ministerial}?effectiveAsOf=2022-07-15");
        july2022.GetProperty("status").GetString().ShouldBe("achieved");
        july2022.GetProperty("overdue").GetBoolean().ShouldBeFalse();
        var april2022 = await Read($"/api/commitments/{Ministerial}?effectiveAsOf=2022-04-30");
        april2022.GetProperty("status").GetString().ShouldBe("not-assessed");
        var dashboard = await Read("/api/dashboard?effectiveAsOf=2022-07-15");
        dashboard.GetProperty("byStatus").GetProperty("achieved").GetInt32().ShouldBe(1);
        dashboard.GetProperty("overdueCount").GetInt32().ShouldBe(0);
        // The passing recorded before the meeting was known does not hold by the dates: in the past as effective it is no
        // change (until 2026-12-06 the commitment read as last changed on 2022-07-01, at the passing's version, with a
        // point of its own in the trend where nothing changed).
        var july1st = await Read($"/api/commitments/{Ministerial}?effectiveAsOf=2022-07-01");
        july1st.GetProperty("version").GetInt32().ShouldBe(3);
        july1st.GetProperty("status").GetString().ShouldBe("achieved");
        var trend = (await Read($"/api/commitments/{Ministerial}/trend")).GetProperty("points").EnumerateArray()
            .Select(p => p.GetProperty("on").GetString()).ToList();
        trend.ShouldNotContain("2022-07-01");

        // As recorded: what the tracker said before it learned of the meeting stays in the log and in that past.
        var before = await Read($"/api/commitments/{Ministerial}?recordedAsOf={Uri.EscapeDataString(learnedOfItAt.ToString("O"))}");
        before.GetProperty("overdue").GetBoolean().ShouldBeTrue();
        var history = (await Read($"/api/commitments/{Ministerial}/history")).GetProperty("items").EnumerateArray()
            .Select(h => h.GetProperty("type").GetString()).ToList();
        history.ShouldBe(["commitment-stated", "deadline-passed", "status-assessed"]);
    }

    [Fact]
    public async Task a_passing_left_out_of_the_past_as_effective_counts_again_once_the_achievement_before_it_is_retracted()
    {
        // Recorded overdue (version 2), then achieved before the due date (3): the passing does not hold by the dates.
        await StatedTheNextMinisterialByJune2022();
        await OverdueMinisterial();
        await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2026-11-30", effectiveOn = "2022-05-20", rationale = "A report says it met in May", source = Source
        });
        (await Read($"/api/commitments/{Ministerial}?effectiveAsOf=2022-07-01")).GetProperty("version").GetInt32().ShouldBe(3);
        // (The timeline takes the achievement in on a page of its own, so that the retraction refolds what it stored.)
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        // The report was wrong: once the achievement is retracted, the passing holds again, in the stored timeline as in a
        // fold from the statement (a passing left out had no fact row, which a refold reads: it came back only by a rebuild).
        await Api.Write($"/api/commitments/{Ministerial}/corrections", new { version = 3, reason = "it did not meet", source = Source });
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        var july1st = await Read($"/api/commitments/{Ministerial}?effectiveAsOf=2022-07-01");
        july1st.GetProperty("version").GetInt32().ShouldBe(2);
        july1st.GetProperty("overdue").GetBoolean().ShouldBeTrue();
        (await Read($"/api/commitments/{Ministerial}/trend")).GetProperty("points").EnumerateArray()
            .Select(p => p.GetProperty("on").GetString()).ShouldContain("2022-07-01");
        var verified = await Read("/api/admin/projections/EffectiveTimeline/verify");
        verified.GetProperty("consistent").GetBoolean().ShouldBeTrue(verified.ToString());
    }

    /// <summary>Due in June 2022, recorded overdue, then achieved: the meeting was held in July, judged in August.</summary>
    private async Task MinisterialHeldInJulyAfterItsJuneDeadline()
    {
        await StatedTheNextMinisterialByJune2022();
        await OverdueMinisterial();
        await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2022-08-01", effectiveOn = "2022-07-15", rationale = "It met in July", source = Source
        });
    }

    [Fact]
    public async Task an_extension_in_force_before_the_achievement_makes_it_on_time_even_when_recorded_after_it()
    {
        await MinisterialHeldInJulyAfterItsJuneDeadline();
        (await Api.ReadCommitment(Ministerial)).GetProperty("status").GetString().ShouldBe("achieved-late");

        // The coalition had agreed in March to hold it by the end of the year; the tracker learns of it afterwards.
        await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2022-10-01", precision = "quarter" }, reason = "extended to the end of 2022",
            source = new { documentKey = "washington-2024", primary = true, on = "2022-03-01" }
        });

        foreach (var view in new[] { $"/api/commitments/{Ministerial}", $"/api/commitments/{Ministerial}?effectiveAsOf={DateTime.UtcNow:yyyy-MM-dd}" })
        {
            var extended = await Read(view);
            extended.GetProperty("status").GetString().ShouldBe("achieved", view);
            extended.GetProperty("assessment").GetProperty("status").GetString().ShouldBe("achieved", view);
            extended.GetProperty("dueBy").GetString().ShouldBe("2022-12-31", view);
            extended.GetProperty("overdue").GetBoolean().ShouldBeFalse(view);
        }
        (await Read($"/api/commitments?status=achieved-late")).GetProperty("total").GetInt32().ShouldBe(0);

        // Retracted, the extension never was: the July meeting was late for June again.
        await Api.Write($"/api/commitments/{Ministerial}/corrections", new { version = 4, reason = "no such agreement", source = Source });

        var retracted = await Api.ReadCommitment(Ministerial);
        retracted.GetProperty("status").GetString().ShouldBe("achieved-late");
        retracted.GetProperty("dueBy").GetString().ShouldBe("2022-06-30");
    }

    [Fact]
    public async Task an_achievement_says_which_due_date_it_was_judged_against_when_a_later_extension_is_in_force_now()
    {
        await MinisterialHeldInJulyAfterItsJuneDeadline();
        // Extended in September, after the meeting: the commitment is due at the end of 2022 now, but July was late for June.
        await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2022-10-01", precision = "quarter" }, reason = "the next one by the end of 2022",
            source = new { documentKey = "washington-2024", primary = true, on = "2022-09-01" }
        });

        var judged = await Api.ReadCommitment(Ministerial);
        judged.GetProperty("status").GetString().ShouldBe("achieved-late");
        judged.GetProperty("dueBy").GetString().ShouldBe("2022-12-31");
        judged.GetProperty("assessment").GetProperty("dueByThen").GetString().ShouldBe("2022-06-30");

        // A status other than an achievement is judged against no due date.
        await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "in-progress", assessedOn = "2022-09-02", rationale = "The July meeting was a preparatory one", source = Source
        });
        (await Api.ReadCommitment(Ministerial)).GetProperty("assessment").TryGetProperty("dueByThen", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task the_deadline_in_force_is_the_one_that_took_effect_last_whatever_order_they_were_recorded_in()
    {
        await StatedTheNextMinisterialByJune2022();
        await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2027-06-01", precision = "month" }, reason = "the 2023 communique moved it",
            source = new { documentKey = "washington-2024", primary = true, on = "2023-03-01" }
        });
        // Recorded later, but it took effect earlier: superseded by the 2023 revision already on record, as its answer says.
        var superseded = await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2023-10-01", precision = "quarter" }, reason = "the 2022 communique moved it",
            source = new { documentKey = "washington-2024", primary = true, on = "2022-03-01" }
        });
        var inForce = superseded.Json().GetProperty("inForce").GetProperty("deadline");
        inForce.GetProperty("date").GetString().ShouldBe("2027-06-01");
        inForce.GetProperty("precision").GetString().ShouldBe("month");

        var present = await Api.ReadCommitment(Ministerial);
        present.GetProperty("dueBy").GetString().ShouldBe("2027-06-30");
        present.GetProperty("overdue").GetBoolean().ShouldBeFalse();
        var today = await Read($"/api/commitments/{Ministerial}?effectiveAsOf={DateTime.UtcNow:yyyy-MM-dd}");
        today.GetProperty("dueBy").GetString().ShouldBe("2027-06-30");
        var inLate2022 = await Read($"/api/commitments/{Ministerial}?effectiveAsOf=2022-12-01");
        inLate2022.GetProperty("dueBy").GetString().ShouldBe("2023-12-31");
    }

    [Fact]
    public async Task overdue_on_a_past_date_follows_the_deadline_in_force_then_not_whether_its_passing_was_recorded()
    {
        await StatedTheNextMinisterial("2027-06-01");
        await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2027-06-01", precision = "month" }, reason = "the 2023 communique kept 2027",
            source = new { documentKey = "washington-2024", primary = true, on = "2023-03-01" }
        });
        // Learned last: from March 2022 to March 2023 the meeting was due by June 2022. No check was ever due for it (the
        // deadline in force now is 2027), so nothing records its passing.
        await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2022-06-01", precision = "month" }, reason = "the 2022 communique asked for June",
            source = new { documentKey = "washington-2024", primary = true, on = "2022-03-01" }
        });
        await Api.NoDeadlineCheckPending();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        foreach (var (on, overdue) in new[] { ("2022-06-30", false), ("2022-07-01", true), ("2022-12-01", true), ("2023-03-01", false) })
        {
            var then = await Read($"/api/commitments/{Ministerial}?effectiveAsOf={on}");
            then.GetProperty("overdue").GetBoolean().ShouldBe(overdue, on);
            var listed = await Read($"/api/commitments?effectiveAsOf={on}&overdue=true");
            listed.GetProperty("total").GetInt64().ShouldBe(overdue ? 1 : 0, on);
            listed.GetProperty("items").GetArrayLength().ShouldBe(overdue ? 1 : 0, on);
            var byDeadline = await Read($"/api/commitments?effectiveAsOf={on}&overdue=true&sort=deadline");
            byDeadline.GetProperty("items").GetArrayLength().ShouldBe(overdue ? 1 : 0, on);
            var dashboard = await Read($"/api/dashboard?effectiveAsOf={on}");
            dashboard.GetProperty("overdueCount").GetInt32().ShouldBe(overdue ? 1 : 0, on);
            dashboard.GetProperty("overdue").GetArrayLength().ShouldBe(overdue ? 1 : 0, on);
            var oneLine = await Read($"/api/dashboard?effectiveAsOf={on}&lineOfEffort=meetings&kind=milestone");
            oneLine.GetProperty("overdueCount").GetInt32().ShouldBe(overdue ? 1 : 0, on);
        }
        (await Api.ReadCommitment(Ministerial)).GetProperty("overdue").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task a_rebuild_that_puts_a_passed_deadline_in_force_records_its_passing_so_the_present_is_overdue()
    {
        await StatedTheNextMinisterial("2027-06-01");
        // Appended around the API (as an importer of another make might): no check is scheduled for the deadline it puts
        // in force, which passed in 2022.
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(StreamIds.ForCommitment(Ministerial), new Tracker.Domain.Commitments.DeadlineRevised(
                new Tracker.Domain.Commitments.Deadline(new DateOnly(2022, 6, 1), Tracker.Domain.Commitments.DeadlinePrecision.Month),
                "moved", new Tracker.Domain.Commitments.Evidence("washington-2024", null, true, new DateOnly(2022, 3, 1))));
            await session.SaveChangesAsync();
        }
        await Api.NoDeadlineCheckPending();
        (await Api.ReadCommitment(Ministerial)).GetProperty("overdue").GetBoolean().ShouldBeFalse();

        var started = await Api.Scenario(s => { s.Post.Url("/api/admin/projections/CommitmentProgress/rebuild"); s.StatusCodeShouldBe(202); });
        var location = started.Context.Response.Headers.Location.ToString();
        (await Eventually.Until(() => Read(location), p => p.GetProperty("status").GetString() != "running"))
            .GetProperty("status").GetString().ShouldBe("completed");

        var progress = await Api.ReadCommitment(Ministerial);
        (progress.GetProperty("dueBy").GetString(), progress.GetProperty("overdue").GetBoolean()).ShouldBe(("2022-06-30", true));
        await using var query = Store.QuerySession();
        var passed = (await query.Events.FetchStreamAsync(StreamIds.ForCommitment(Ministerial))).Last();
        passed.Data.ShouldBeOfType<Tracker.Domain.Commitments.DeadlinePassed>().DueBy.ShouldBe(new DateOnly(2022, 6, 30));
        passed.UserName.ShouldBe("tracker-service");
    }

    [Fact]
    public async Task deadlines_whose_checks_were_lost_are_recorded_passed_by_the_sweep_each_time_it_runs()
    {
        // As a log restored without Wolverine's tables leaves it: a deadline in force with no check waiting for it (until
        // 2026-12-07 such a deadline was never recorded passed, until a rebuild).
        async Task MovedTo2022AroundTheApi(string key)
        {
            await using var session = Store.LightweightSession();
            session.Events.Append(StreamIds.ForCommitment(key), new Tracker.Domain.Commitments.DeadlineRevised(
                new Tracker.Domain.Commitments.Deadline(new DateOnly(2022, 6, 1), Tracker.Domain.Commitments.DeadlinePrecision.Month),
                "moved", new Tracker.Domain.Commitments.Evidence("washington-2024", null, true, new DateOnly(2022, 3, 1))));
            await session.SaveChangesAsync();
        }
        await StatedTheNextMinisterial("2027-06-01");
        await Api.Write("/api/commitments", new
        {
            key = "a-later-meeting", title = "Hold a later meeting", kind = "milestone", lineOfEffort = "meetings",
            actors = new[] { "coalition" }, deadline = new { date = "2027-06-01", precision = "month" },
            statedIn = new { documentKey = "washington-2024", quote = "hold a later meeting" }
        }, 201);
        await MovedTo2022AroundTheApi(Ministerial);
        await Api.NoDeadlineCheckPending();
        (await Api.ReadCommitment(Ministerial)).GetProperty("overdue").GetBoolean().ShouldBeFalse();
        Api.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()
            .OfType<Tracker.Api.Commitments.Assessing.DeadlineSweeping>().ShouldHaveSingleItem();

        var every = Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(new Microsoft.Extensions.Configuration.ConfigurationBuilder(),
            new Dictionary<string, string?> { [Tracker.Api.Commitments.Assessing.DeadlineSweeping.Setting] = "00:00:00.200" }).Build();
        var sweeping = new Tracker.Api.Commitments.Assessing.DeadlineSweeping(Store, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Tracker.Api.Commitments.Assessing.DeadlineSweeping>.Instance,
            Api.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>(), every);
        await sweeping.StartAsync(CancellationToken.None);
        try
        {
            (await OverdueMinisterial()).GetProperty("dueBy").GetString().ShouldBe("2022-06-30");
            // A deadline lost after that pass is found by a later one.
            await MovedTo2022AroundTheApi("a-later-meeting");
            (await Eventually.Until(() => Api.ReadCommitment("a-later-meeting"), c => c.GetProperty("overdue").GetBoolean()))
                .GetProperty("overdue").GetBoolean().ShouldBeTrue();
        }
        finally
        {
            await sweeping.StopAsync(CancellationToken.None);
        }
        await using var query = Store.QuerySession();
        var passed = (await query.Events.FetchStreamAsync(StreamIds.ForCommitment(Ministerial))).Last();
        passed.Data.ShouldBeOfType<Tracker.Domain.Commitments.DeadlinePassed>().DueBy.ShouldBe(new DateOnly(2022, 6, 30));
        passed.UserName.ShouldBe("tracker-service");
    }

    /// <summary>Every deadline check due by now has been handled (those for due dates to come wait their day).</summary>
    [Fact]
    public async Task retracting_an_on_time_achievement_after_its_due_date_leaves_the_commitment_overdue()
    {
        await StatedTheNextMinisterial(null);
        await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2022-06-10", effectiveOn = "2022-05-20", rationale = "It met in May", source = Source
        });
        await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2022-06-01", precision = "month" }, reason = "by June 2022",
            source = new { documentKey = "washington-2024", primary = true, on = "2022-03-01" }
        });
        // The check at the due date found it achieved on time: nothing passed.
        await Api.NoDeadlineCheckPending();
        (await Api.ReadCommitment(Ministerial)).GetProperty("overdue").GetBoolean().ShouldBeFalse();

        await Api.Write($"/api/commitments/{Ministerial}/corrections", new { version = 2, reason = "it did not meet", source = Source });

        var progress = await OverdueMinisterial();
        progress.GetProperty("status").GetString().ShouldBe("not-assessed");
        progress.GetProperty("dueBy").GetString().ShouldBe("2022-06-30");
    }

    [Fact]
    public async Task an_achievement_on_time_assessed_otherwise_after_the_due_date_passes_the_deadline_saying_so()
    {
        await StatedTheNextMinisterialByJune2022();
        await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2022-05-10", rationale = "It met in May", source = Source
        });
        await Api.NoDeadlineCheckPending();

        await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "stalled", assessedOn = "2022-08-10", rationale = "The meeting's outcome was disowned", source = Source
        });

        // Until 2026-12-06 the passing said "no achievement on record by then", though the commitment was achieved that
        // day. It is dated as any passing is: the commitment was not overdue while it stood achieved.
        var progress = await OverdueMinisterial();
        progress.GetProperty("status").GetString().ShouldBe("stalled");
        var passed = (await Read($"/api/commitments/{Ministerial}/history")).GetProperty("items").EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == "deadline-passed");
        passed.GetProperty("effectiveOn").GetString().ShouldBe("2022-07-01");
        passed.GetProperty("summary").GetString().ShouldBe(
            "Deadline passed (due by 2022-06-30): achieved by then, but assessed otherwise from 2022-08-10");
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var onTheFirstOfJuly = await Read($"/api/commitments/{Ministerial}?effectiveAsOf=2022-07-01");
        onTheFirstOfJuly.GetProperty("status").GetString().ShouldBe("achieved");
        onTheFirstOfJuly.GetProperty("overdue").GetBoolean().ShouldBeFalse();
        (await Read($"/api/commitments/{Ministerial}?effectiveAsOf=2022-08-11")).GetProperty("overdue").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task an_achievement_assessed_again_is_refused_rather_than_dated_anew_and_a_retraction_then_dates_it()
    {
        await StatedTheNextMinisterialByJune2022();
        await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2022-05-10", rationale = "It met in May", source = Source
        });

        // Until 2026-12-06 this recorded "achieved-late on 2022-09-01", and the May achievement was gone from the present.
        var again = await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2022-09-01", rationale = "Confirmed by the minutes", source = Source
        }, 422);

        var problem = again.ReadProblem(422);
        problem.Type.ShouldNotBeNull().ShouldEndWith("/rules/already-achieved");
        problem.Detail.ShouldNotBeNull().ShouldContain("achieved since 2022-05-10");
        var progress = await Api.ReadCommitment(Ministerial);
        progress.GetProperty("status").GetString().ShouldBe("achieved");
        progress.GetProperty("statusDate").GetString().ShouldBe("2022-05-10");
        // With a day of its own too: until 2026-12-07 this recorded achieved-late from September, while every past from May
        // on said achieved on time. Another day for the achievement is a retraction of the one in force, then its day.
        var dated = await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2022-09-01", effectiveOn = "2022-09-01", rationale = "It met again", source = Source
        }, 422);
        dated.ReadProblem(422).Detail.ShouldNotBeNull().ShouldContain("retract the assessment in force (POST .../corrections, version 2)");
        (await Api.ReadCommitment(Ministerial)).GetProperty("status").GetString().ShouldBe("achieved");
        await Api.Write($"/api/commitments/{Ministerial}/corrections", new { version = 2, reason = "it met in September, not May", source = Source });
        await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2022-09-01", effectiveOn = "2022-09-01", rationale = "It met in September", source = Source
        });
        (await Api.ReadCommitment(Ministerial)).GetProperty("status").GetString().ShouldBe("achieved-late");
    }

    [Fact]
    public async Task a_deadline_in_force_again_after_a_later_one_is_retracted_is_overdue_at_once_and_not_recorded_passed_twice()
    {
        await StatedTheNextMinisterialByJune2022();
        await OverdueMinisterial();
        await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2022-10-01", precision = "quarter" }, reason = "extended to the end of 2022",
            source = new { documentKey = "washington-2024", primary = true, on = "2022-03-01" }
        });
        await Eventually.Until(() => Api.ReadCommitment(Ministerial),
            c => c.GetProperty("dueBy").GetString() == "2022-12-31" && c.GetProperty("overdue").GetBoolean());

        await Api.Write($"/api/commitments/{Ministerial}/corrections", new { version = 3, reason = "no such agreement", source = Source });

        var again = await Api.ReadCommitment(Ministerial);
        again.GetProperty("dueBy").GetString().ShouldBe("2022-06-30");
        again.GetProperty("overdue").GetBoolean().ShouldBeTrue();
        await Api.NoDeadlineCheckPending();
        await using var session = Store.LightweightSession();
        (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Ministerial))).Select(e => e.Data)
            .OfType<Tracker.Domain.Commitments.DeadlinePassed>().Select(p => p.DueBy)
            .ShouldBe([new DateOnly(2022, 6, 30), new DateOnly(2022, 12, 31)]);
    }

    [Fact]
    public async Task an_assessment_cannot_take_effect_after_the_day_it_was_made()
    {
        await StatedTheNextMinisterialByJune2022();

        var refused = await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2022-05-01", effectiveOn = "2022-05-20", rationale = "x", source = Source
        }, 400);

        refused.ReadAsText().ShouldContain("effectiveOn");
    }
}
