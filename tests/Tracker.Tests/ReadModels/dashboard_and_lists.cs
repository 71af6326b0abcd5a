using System.Text.Json;
using Alba;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Projections.Commitments.Rollup;
using Tracker.Tests.Commitments;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.ReadModels;

public sealed class dashboard_and_lists(TrackerApp app) : TrackerTest(app)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    /// <summary>Four commitments: a money goal in progress, an overdue meeting, one due within 90 days, one achieved.</summary>
    private async Task FourCommitments()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"/api/commitments/{Goal}/assessments", new
        {
            status = "in-progress", assessedOn = "2024-10-05", rationale = "pledges coming in", source = Source
        });
        await Milestone("next-ministerial-2022", "Hold the next ministerial meeting", "2022-06-01", "month", statedOn: "2021-06-28");
        await Milestone("africa-focus-group", "Convene the Africa Focus Group", Today.AddDays(30).ToString("yyyy-MM-dd"), "day",
            "africa");
        await Milestone("iskp-grouping", "Establish the ISKP Diplomatic Grouping", "2099-01-01", "year", "central-and-south-asia");
        await Api.Write("/api/commitments/iskp-grouping/assessments", new
        {
            status = "achieved", assessedOn = "2024-10-01", rationale = "established", source = Source
        });
        await Eventually.Until(() => Api.ReadCommitment("next-ministerial-2022"), c => c.GetProperty("overdue").GetBoolean());
    }

    /// <summary>A meeting stated in the Washington communiqué, or on <paramref name="statedOn"/> as it reports (a commitment is not stated already due).</summary>
    private Task Milestone(string key, string title, string date, string precision, string line = "meetings",
        string actor = "coalition", string? statedOn = null) =>
        Api.Write("/api/commitments", new
        {
            key, title, kind = "milestone", lineOfEffort = line, actors = new[] { actor },
            deadline = new { date, precision },
            statedIn = new { documentKey = "washington-2024", quote = title }, statedOn
        }, 201);

    private async Task<JsonElement> Get(string url) => (await Api.Scenario(s => s.Get.Url(url))).Json();

    private static IEnumerable<string?> Keys(JsonElement rows) => rows.EnumerateArray().Select(r => r.GetProperty("key").GetString());

    [Fact]
    public async Task a_page_of_the_list_and_its_total_agree_while_commitments_are_being_stated()
    {
        await Api.StatedTheStabilisationGoal();
        var stating = Task.Run(async () =>
        {
            for (var i = 1; i <= 25; i++) await Api.Write("/api/commitments", StabilisationGoal($"goal-{i}"), 201);
        });

        // Until 2026-12-07 the count and the page were read in two snapshots (and the rollup's catch-up asked before
        // both): a page could hold one commitment more than its total. The whole list, counted by the rollup when it is
        // caught up, and one actor's, counted over the rows.
        var read = 0;
        while (!stating.IsCompleted || read == 0)
        {
            foreach (var url in new[] { "/api/commitments?pageSize=100", "/api/commitments?pageSize=100&q=raise" })
            {
                var page = await Get(url);
                page.GetProperty("items").GetArrayLength().ShouldBe(page.GetProperty("total").GetInt32(), $"{url}, read {read + 1}");
            }
            read++;
        }
        await stating;
        (await Get("/api/commitments?pageSize=100")).GetProperty("total").GetInt32().ShouldBe(26);
    }

    [Fact]
    public async Task the_dashboard_counts_by_status_line_of_effort_and_kind_and_totals_money()
    {
        await FourCommitments();

        var dashboard = await Get("/api/dashboard");

        dashboard.GetProperty("commitments").GetInt32().ShouldBe(4);
        var byStatus = dashboard.GetProperty("byStatus");
        byStatus.GetProperty("in-progress").GetInt32().ShouldBe(1);
        byStatus.GetProperty("not-assessed").GetInt32().ShouldBe(2);
        byStatus.GetProperty("achieved").GetInt32().ShouldBe(1);
        dashboard.GetProperty("byLineOfEffort").GetProperty("meetings").GetInt32().ShouldBe(1);
        dashboard.GetProperty("byKind").GetProperty("milestone").GetInt32().ShouldBe(3);
        var usd = dashboard.GetProperty("money").EnumerateArray().Single();
        usd.GetProperty("currency").GetString().ShouldBe("USD");
        usd.GetProperty("target").GetDecimal().ShouldBe(394_000_000m);
        usd.GetProperty("pledged").GetDecimal().ShouldBe(27_100_000m);
    }

    [Fact]
    public async Task the_dashboard_lists_the_overdue_the_due_within_90_days_and_the_recently_changed()
    {
        await FourCommitments();

        var dashboard = await Get("/api/dashboard");

        Keys(dashboard.GetProperty("overdue")).ShouldBe(["next-ministerial-2022"]);
        Keys(dashboard.GetProperty("dueWithin90Days")).ShouldBe(["africa-focus-group"]);
        var lastChangedFirst = Keys((await Get("/api/commitments?sort=last-changed&order=desc")).GetProperty("items"));
        Keys(dashboard.GetProperty("recentlyChanged")).ShouldBe(lastChangedFirst);
        dashboard.GetProperty("asOf").GetString().ShouldBe(Today.ToString("yyyy-MM-dd"));
    }

    [Fact]
    public async Task on_a_past_date_the_list_by_last_change_and_the_dashboards_recently_changed_agree_by_the_day_changes_took_effect()
    {
        await FourCommitments();
        // Recorded last, but took effect first: on a past date it is not the most recent change.
        await Api.Write($"/api/commitments/{Goal}/evidence", new
        {
            url = "https://example.org/learned-late", primary = false, on = "2024-09-30", note = "learned late"
        });

        foreach (var day in new[] { "2024-12-01", Today.ToString("yyyy-MM-dd") })
        {
            var dashboard = await Get($"/api/dashboard?effectiveAsOf={day}");
            var listed = Keys((await Get($"/api/commitments?effectiveAsOf={day}&sort=last-changed&order=desc")).GetProperty("items"));
            listed.Take(Keys(dashboard.GetProperty("recentlyChanged")).Count()).ShouldBe(Keys(dashboard.GetProperty("recentlyChanged")), day);
        }
    }

    [Fact]
    public async Task the_list_filters_by_status_kind_line_of_effort_actor_overdue_and_title()
    {
        await FourCommitments();

        Keys((await Get("/api/commitments?status=in-progress")).GetProperty("items")).ShouldBe([Goal]);
        Keys((await Get("/api/commitments?kind=milestone&sort=title")).GetProperty("items"))
            .ShouldBe(["africa-focus-group", "iskp-grouping", "next-ministerial-2022"]);
        Keys((await Get("/api/commitments?lineOfEffort=africa")).GetProperty("items")).ShouldBe(["africa-focus-group"]);
        Keys((await Get("/api/commitments?actor=coalition&overdue=true")).GetProperty("items")).ShouldBe(["next-ministerial-2022"]);
        Keys((await Get("/api/commitments?q=MINISTERIAL")).GetProperty("items")).ShouldBe(["next-ministerial-2022"]);
        Keys((await Get("/api/commitments?actor=iraq")).GetProperty("items")).ShouldBeEmpty();
    }

    [Fact]
    public async Task the_list_and_the_dashboard_match_an_actor_and_a_line_of_effort_whatever_their_case()
    {
        await FourCommitments();
        await Milestone("turkiye-meeting", "A meeting hosted by Türkiye", "2099-01-01", "year", actor: "Türkiye");
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        Keys((await Get("/api/commitments?actor=COALITION&overdue=true")).GetProperty("items")).ShouldBe(["next-ministerial-2022"]);
        Keys((await Get("/api/commitments?actor=T%C3%9CRKIYE")).GetProperty("items")).ShouldBe(["turkiye-meeting"]);
        Keys((await Get("/api/commitments?lineOfEffort=Africa")).GetProperty("items")).ShouldBe(["africa-focus-group"]);
        (await Get("/api/dashboard?actor=Coalition")).GetProperty("commitments").GetInt32().ShouldBe(4);
        (await Get("/api/dashboard?lineOfEffort=AFRICA")).GetProperty("commitments").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task a_new_commitment_spelling_a_recorded_actor_or_line_of_effort_in_another_case_is_a_409_naming_it()
    {
        await FourCommitments();

        var actor = await Api.Write("/api/commitments", MilestoneBody("coalition-again", actors: ["Iraq", "Coalition"]), 409);
        actor.Json().GetProperty("rule").GetString().ShouldBe("name-spelled-otherwise");
        actor.ReadProblem(409).Detail.ShouldNotBeNull().ShouldStartWith("actor 'Coalition' is recorded as 'coalition'");
        var line = await Api.Write("/api/commitments", MilestoneBody("meetings-again", line: "Meetings"), 409);
        line.ReadProblem(409).Detail.ShouldNotBeNull().ShouldStartWith("lineOfEffort 'Meetings' is recorded as 'meetings'");

        // The refused request claimed none of its names: Iraq is still free to be spelled as its first commitment says.
        await Api.Write("/api/commitments", MilestoneBody("iraq-meeting", actors: ["IRAQ"]), 201);
        await Api.Write("/api/commitments", MilestoneBody("coalition-meeting", actors: ["coalition", "IRAQ"]), 201);
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var byActor = (await Get("/api/dashboard")).GetProperty("byActor");
        byActor.EnumerateObject().Select(p => p.Name).ShouldBe(["coalition", "IRAQ"], ignoreOrder: true);
    }

    [Fact]
    public async Task a_name_with_a_sharp_s_is_one_name_with_its_upper_case_spelling()
    {
        // Straße upper-cases to STRASSE: until 2026-12-06 the two were two actors, two groups on the dashboard.
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", MilestoneBody("strasse-1", actors: ["Straße-Gruppe"]), 201);

        var refused = await Api.Write("/api/commitments", MilestoneBody("strasse-2", actors: ["STRASSE-GRUPPE"]), 409);
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var filtered = await Get("/api/commitments?actor=strasse-gruppe");

        refused.ReadProblem(409).Detail.ShouldNotBeNull().ShouldStartWith("actor 'STRASSE-GRUPPE' is recorded as 'Straße-Gruppe'");
        Keys(filtered.GetProperty("items")).ShouldBe(["strasse-1"]);
        await Api.Write("/api/commitments", MilestoneBody("strasse-3", actors: ["Straße-Gruppe", "STRASSE-gruppe"]), 400);
    }

    [Fact]
    public async Task a_name_with_a_sharp_s_claimed_before_it_folded_to_ss_is_claimed_again_at_start()
    {
        // A claim recorded before 2026-12-06 folded the sharp s as itself ("STRAßE-GRUPPE"): claimed again under the key
        // it folds to now, so the upper-case spelling is refused from then on.
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", MilestoneBody("strasse-1", actors: ["Straße-Gruppe"]), 201);
        var database = Api.Services.GetRequiredService<NpgsqlDataSource>();
        await using (var unfold = database.CreateCommand(
                         "update tracker.commitment_names set folded = 'STRAßE-GRUPPE' where spelling = 'Straße-Gruppe'"))
        {
            (await unfold.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        await Tracker.Api.Commitments.Stating.NameSpellings.BackfillAsync(database, CancellationToken.None);

        await using var claims = database.CreateCommand("select string_agg(folded, ', ') from tracker.commitment_names where spelling = 'Straße-Gruppe'");
        (await claims.ExecuteScalarAsync()).ShouldBe("STRASSE-GRUPPE");
        (await Api.Write("/api/commitments", MilestoneBody("strasse-2", actors: ["STRASSE-GRUPPE"]), 409))
            .ReadProblem(409).Detail.ShouldNotBeNull().ShouldStartWith("actor 'STRASSE-GRUPPE' is recorded as 'Straße-Gruppe'");
    }

    [Fact]
    public async Task a_statement_its_own_rules_refuse_answers_that_rule_before_any_spelling_and_claims_no_name()
    {
        await FourCommitments();
        var quantityForMoney = new
        {
            key = "jordan-fund", title = "A fund counted in people", kind = "financial", lineOfEffort = "meetings",
            actors = new[] { "Jordan", "Coalition" }, target = new { amount = 100, unit = "people" },
            statedIn = new { documentKey = "washington-2024", quote = "jordan-fund" }
        };

        // Its rule comes first, before Coalition's spelling...
        var refused = await Api.Write("/api/commitments", quantityForMoney, 422);
        refused.Json().GetProperty("rule").GetString().ShouldBe("target-kind-mismatch");
        // ...and with every name spelled as recorded or new, the refused statement claims none of them.
        var spelledRight = await Api.Write("/api/commitments", quantityForMoney with { actors = new[] { "Jordan", "coalition" } }, 422);
        spelledRight.Json().GetProperty("rule").GetString().ShouldBe("target-kind-mismatch");

        // Jordan was not claimed by the refused statements: its first accepted spelling is the one kept.
        await Api.Write("/api/commitments", MilestoneBody("jordan-meeting", actors: ["JORDAN"]), 201);
        (await Api.Write("/api/commitments", MilestoneBody("jordan-again", actors: ["Jordan"]), 409))
            .ReadProblem(409).Detail.ShouldNotBeNull().ShouldStartWith("actor 'Jordan' is recorded as 'JORDAN'");
    }

    [Fact]
    public async Task a_name_that_would_look_like_another_but_compare_apart_is_refused()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());

        foreach (var (actors, line) in new[]
                 {
                     (new[] { "co\u200Balition" }, "meetings"), (new[] { "Tu\u0308rkiye" }, "meetings"), (new[] { "coalition" }, "meet\u00ADings"),
                     // A no-break space, two spaces, an em space: "coalition working groups" three ways (until 2026-12-06 three actors).
                     (new[] { "coalition\u00A0working groups" }, "meetings"), (new[] { "coalition  working groups" }, "meetings"),
                     (new[] { "coalition" }, "meet\u2003ings")
                 })
        {
            var refused = await Api.Write("/api/commitments", MilestoneBody($"look-alike-{actors[0].Length}-{line.Length}-{actors[0][^1]}", line, actors), 400);
            refused.Json().GetProperty("errors").EnumerateObject().Single().Value[0].GetString().ShouldNotBeNull()
                .ShouldContain("must not contain invisible formatting characters");
        }
        // Letters of other scripts with their own marks, and precomposed accents, are names like any other.
        await Api.Write("/api/commitments", MilestoneBody("india-meeting", actors: ["भारत", "Türkiye"]), 201);
    }

    [Fact]
    public async Task a_new_actor_claimed_by_a_write_not_yet_committed_waits_for_it_and_then_sees_its_spelling()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        var database = Api.Services.GetRequiredService<NpgsqlDataSource>();
        // Another write, in the middle of its transaction, has claimed "Kurdistan Region".
        await using var other = await database.OpenConnectionAsync();
        await using var otherWrite = await other.BeginTransactionAsync();
        await using (var claim = new NpgsqlCommand(
                         "select count(*) from tracker.claim_commitment_names(array['actors'], array['KURDISTAN REGION'], array['Kurdistan Region'], true)",
                         other, otherWrite))
        {
            (await claim.ExecuteScalarAsync()).ShouldBe(0L);
        }

        var racing = Api.Scenario(s =>
        {
            s.Post.Json(MilestoneBody("kurdistan-b", actors: ["KURDISTAN REGION"])).ToUrl("/api/commitments");
            s.StatusCodeShouldBe(409);
        });
        // It waits on the other's claim (a check before the claim would have found nothing and passed)...
        await Eventually.Until(async () =>
        {
            await using var waiting = database.CreateCommand(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%claim_commitment_names%'");
            return (long)(await waiting.ExecuteScalarAsync())!;
        }, n => n == 1);
        racing.IsCompleted.ShouldBeFalse();
        // ...and once it commits, is refused with its spelling.
        await otherWrite.CommitAsync();
        (await racing).ReadProblem(409).Detail.ShouldNotBeNull().ShouldStartWith("actor 'KURDISTAN REGION' is recorded as 'Kurdistan Region'");
    }

    [Fact]
    public async Task a_database_from_before_spellings_were_kept_records_those_its_commitments_use_at_start()
    {
        await FourCommitments();
        await ForgetRecordedSpellings();

        await Tracker.Api.Commitments.Stating.NameSpellings.BackfillAsync(Api.Services.GetRequiredService<NpgsqlDataSource>(),
            CancellationToken.None);

        (await Api.Write("/api/commitments", MilestoneBody("africa-again", line: "AFRICA"), 409))
            .ReadProblem(409).Detail.ShouldNotBeNull().ShouldStartWith("lineOfEffort 'AFRICA' is recorded as 'africa'");
    }

    [Fact]
    public async Task of_the_spellings_an_older_database_holds_the_one_most_commitments_use_is_kept()
    {
        // As a database from before spellings were kept: one commitment's "Coalition" beside those spelled "coalition".
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        foreach (var key in new[] { "first", "second", "third" }) await Api.Write("/api/commitments", MilestoneBody(key), 201);
        await ForgetRecordedSpellings();
        await Api.Write("/api/commitments", MilestoneBody("capitalised", actors: ["Coalition"]), 201);
        await ForgetRecordedSpellings();

        await Tracker.Api.Commitments.Stating.NameSpellings.BackfillAsync(Api.Services.GetRequiredService<NpgsqlDataSource>(),
            CancellationToken.None);

        // Until 2026-12-07 the first in ordinal order, "Coalition", and "coalition", which three commitments used, was
        // refused as spelled otherwise.
        await Api.Write("/api/commitments", MilestoneBody("fourth"), 201);
        (await Api.Write("/api/commitments", MilestoneBody("capitalised-again", actors: ["Coalition"]), 409))
            .ReadProblem(409).Detail.ShouldNotBeNull().ShouldStartWith("actor 'Coalition' is recorded as 'coalition'");
    }

    private static object MilestoneBody(string key, string line = "meetings", string[]? actors = null) => new
    {
        key, title = $"Milestone {key}", kind = "milestone", lineOfEffort = line, actors = actors ?? ["coalition"],
        deadline = new { date = "2099-01-01", precision = "year" },
        statedIn = new { documentKey = "washington-2024", quote = key }
    };

    private async Task ForgetRecordedSpellings()
    {
        await using var forget = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("delete from tracker.commitment_names");
        await forget.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task an_actor_given_in_another_case_than_two_stored_spellings_is_a_400_naming_them()
    {
        await FourCommitments();
        // As a database from before spellings were kept: a second spelling of an actor was then accepted.
        await ForgetRecordedSpellings();
        await Milestone("coalition-spelled-otherwise", "A meeting of the Coalition", "2099-01-01", "year", actor: "Coalition");
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        var ambiguous = await Api.Scenario(s =>
        {
            s.Get.Url("/api/commitments?actor=COALITION");
            s.StatusCodeShouldBe(400);
        });

        ambiguous.Json().GetProperty("errors").GetProperty("actor")[0].GetString()
            .ShouldBe("actor 'COALITION' matches several names that differ only in case ('Coalition', 'coalition'): give one exactly.");
        Keys((await Get("/api/commitments?actor=Coalition")).GetProperty("items")).ShouldBe(["coalition-spelled-otherwise"]);
        (await Get("/api/commitments?actor=coalition")).GetProperty("total").GetInt64().ShouldBe(4);
    }

    [Fact]
    public async Task the_list_sorts_and_pages_and_says_how_many_match()
    {
        await FourCommitments();

        var first = await Get("/api/commitments?sort=deadline&order=asc&pageSize=2&page=1");
        var second = await Get("/api/commitments?sort=deadline&order=asc&pageSize=2&page=2");

        first.GetProperty("total").GetInt64().ShouldBe(4);
        first.GetProperty("pageCount").GetInt64().ShouldBe(2);
        Keys(first.GetProperty("items")).ShouldBe(["next-ministerial-2022", "africa-focus-group"]);
        Keys(second.GetProperty("items")).ShouldBe(["iskp-grouping", Goal]);
    }

    [Fact]
    public async Task the_dashboard_narrows_every_figure_by_the_list_filters_and_counts_by_actor()
    {
        await FourCommitments();

        var meetings = await Get("/api/dashboard?kind=milestone&q=meeting");
        var everything = await Get("/api/dashboard");

        meetings.GetProperty("commitments").GetInt32().ShouldBe(1);
        Keys(meetings.GetProperty("overdue")).ShouldBe(["next-ministerial-2022"]);
        meetings.GetProperty("dueWithin90Days").GetArrayLength().ShouldBe(0);
        meetings.GetProperty("money").EnumerateArray().Single().GetProperty("target").GetDecimal().ShouldBe(0m);
        everything.GetProperty("byActor").GetProperty("coalition").GetInt32().ShouldBe(4);
        (await Get("/api/dashboard?actor=nobody")).GetProperty("commitments").GetInt32().ShouldBe(0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("kind=milestone&q=meeting")]
    [InlineData("actor=coalition&overdue=false")]
    [InlineData("status=achieved")]
    public async Task the_dashboard_summed_by_the_database_says_what_the_models_folded_from_the_log_say(string filter)
    {
        await FourCommitments();
        // Amounts whose sums carry decimals, where a sum in SQL and one in .NET could print differently.
        await Api.Write($"/api/commitments/{Goal}/pledges", new
        {
            pledger = "Denmark", amount = new { amount = 1_000_000.5m, currency = "USD" }, announcedOn = "2024-10-03", source = LaterSource
        }, 201);
        var now = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));

        var present = await Get($"/api/dashboard?{filter}");
        var recordedNow = await Get($"/api/dashboard?{filter}&recordedAsOf={now}");

        present.GetRawText().ShouldBe(recordedNow.GetRawText());
    }

    /// <summary>
    /// The four commitments, then changes that move one from one group to another (stalled) or take money out of one
    /// (a pledge retracted), once the daemon has taken them in.
    /// </summary>
    private async Task FourCommitmentsOneMovedBetweenGroupsTakenIn()
    {
        await FourCommitments();
        await Api.Write($"/api/commitments/{Goal}/assessments", new
        {
            status = "stalled", assessedOn = "2024-11-05", rationale = "no disbursements", source = Source
        });
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = 2, reason = "announced twice", source = Source });
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task the_whole_present_is_counted_from_a_rollup_that_follows_every_change_and_verifies_against_the_models()
    {
        await FourCommitmentsOneMovedBetweenGroupsTakenIn();
        const string verify = $"/api/admin/projections/{DashboardRollupProjection.ProjectionName}/verify";
        var now = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));

        var present = await Get("/api/dashboard");
        var foldedFromTheLog = await Get($"/api/dashboard?recordedAsOf={now}");
        var intact = await Get(verify);
        await using (var spoil = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         $"update tracker.{DashboardRollup.Groups} set overdue = overdue + 1 where dimension = 'status' and name = 'Stalled'"))
        {
            (await spoil.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        var spoiled = await Get(verify);
        var fromTheSpoiledRollup = await Get("/api/dashboard");

        present.GetRawText().ShouldBe(foldedFromTheLog.GetRawText());
        present.GetProperty("byStatus").GetProperty("stalled").GetInt32().ShouldBe(1);
        present.GetProperty("byStatus").TryGetProperty("in-progress", out _).ShouldBeFalse();
        present.GetProperty("money").EnumerateArray().Single().GetProperty("pledged").GetDecimal().ShouldBe(0m);
        intact.GetProperty("consistent").GetBoolean().ShouldBeTrue(intact.ToString());
        intact.GetProperty("matching").GetInt32().ShouldBe(4);
        spoiled.GetProperty("consistent").GetBoolean().ShouldBeFalse();
        spoiled.GetProperty("differing").EnumerateArray().Single().GetString().ShouldBe("group status Stalled");
        // What proves the present is read from the rollup, not summed over the commitments again.
        fromTheSpoiledRollup.GetProperty("overdueCount").GetInt32().ShouldBe(present.GetProperty("overdueCount").GetInt32() + 1);
        (await Get("/api/dashboard?kind=financial")).GetProperty("overdueCount").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task the_present_narrowed_by_one_filter_is_counted_from_the_rollups_scopes_and_verifies_against_the_models()
    {
        await FourCommitmentsOneMovedBetweenGroupsTakenIn();
        var now = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));

        foreach (var filter in new[] { "status=stalled", "status=not-assessed", "kind=milestone", "lineOfEffort=meetings",
                     "lineOfEffort=stabilisation", "actor=coalition", "actor=nobody" })
        {
            var fromTheRollup = await Get($"/api/dashboard?{filter}");
            var foldedFromTheLog = await Get($"/api/dashboard?{filter}&recordedAsOf={now}");
            fromTheRollup.GetRawText().ShouldBe(foldedFromTheLog.GetRawText(), filter);
        }
        (await Get("/api/dashboard?lineOfEffort=meetings")).GetProperty("commitments").GetInt32().ShouldBe(1);
        (await Get($"/api/admin/projections/{DashboardRollupProjection.ProjectionName}/verify"))
            .GetProperty("consistent").GetBoolean().ShouldBeTrue();
        await using (var spoil = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         $"update tracker.{ScopedRollup.Table} set n = n + 1 where scope = 'line' and scope_name = 'meetings' and dimension = 'kind'"))
        {
            (await spoil.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        var spoiled = await Get($"/api/admin/projections/{DashboardRollupProjection.ProjectionName}/verify");
        spoiled.GetProperty("consistent").GetBoolean().ShouldBeFalse();
        spoiled.GetProperty("differing").EnumerateArray().Select(d => d.GetString()).ShouldContain(d => d!.StartsWith("group line:meetings kind"));
    }

    [Fact]
    public async Task a_commitment_with_as_many_long_actor_names_as_allowed_is_stated_listed_and_counted()
    {
        await Api.StatedTheStabilisationGoal();
        var actors = Enumerable.Range(0, 50).Select(i => $"{i:00} {new string('a', 197)}").ToArray();
        await Api.Write("/api/commitments", new
        {
            key = "many-actors", title = "A goal of many hands", kind = "milestone", lineOfEffort = "political", actors,
            statedIn = new { documentKey = "washington-2024", quote = "many hands" }
        }, 201);

        var dashboard = await Get($"/api/dashboard?actor={Uri.EscapeDataString(actors[49])}");
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var fromTheRollup = await Get("/api/dashboard");

        dashboard.GetProperty("commitments").GetInt32().ShouldBe(1);
        dashboard.GetProperty("byActor").EnumerateObject().Count().ShouldBe(50);
        fromTheRollup.GetProperty("commitments").GetInt32().ShouldBe(2);
        fromTheRollup.GetProperty("byActor").EnumerateObject().Count().ShouldBe(51);
        fromTheRollup.GetProperty("byActor").GetProperty(actors[0]).GetInt32().ShouldBe(1);
    }

    [Theory]
    [InlineData("deadline", "asc")]
    [InlineData("deadline", "desc")]
    [InlineData("progress", "asc")]
    [InlineData("progress", "desc")]
    [InlineData("status", "asc")]
    [InlineData("status", "desc")]
    [InlineData("title", "desc")]
    [InlineData("stated-on", "asc")]
    [InlineData("last-changed", "desc")]
    public async Task the_list_as_recorded_a_moment_ago_is_in_the_present_lists_order(string sort, string order)
    {
        await FourCommitments();
        var present = await Get($"/api/commitments?sort={sort}&order={order}");
        var now = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));

        var recorded = await Get($"/api/commitments?sort={sort}&order={order}&recordedAsOf={now}");

        Keys(recorded.GetProperty("items")).ShouldBe(Keys(present.GetProperty("items")).ToList(),
            "missing values, statuses and ties in the order PostgreSQL gives the present");
        // Each row carries the day it was stated, which it may be sorted by (until 2026-12-07 only the detail did).
        foreach (var row in present.GetProperty("items").EnumerateArray().Concat(recorded.GetProperty("items").EnumerateArray()))
            row.GetProperty("statedOn").GetString().ShouldBe(row.GetProperty("key").GetString() == "next-ministerial-2022" ? "2021-06-28" : "2024-09-30");
    }

    [Fact]
    public async Task titles_sort_ignoring_case_and_accents_alike_in_the_present_and_in_either_past()
    {
        // Until 2026-12-07 titles sorted as written, code point by code point: "Zebra" before "apple", "Ünïcode" after both.
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        string[] titles = ["apple", "Zebra", "Ünïcode", "\U0001F600 past U+FFFF", "\uE000 private use", "Zebra 2", "Économie", "economie"];
        for (var i = 0; i < titles.Length; i++) await Milestone($"titled-{i}", titles[i], "2030-01-01", "year");
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var now = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd");

        var present = Keys((await Get("/api/commitments?sort=title&order=asc")).GetProperty("items")).ToList();
        var recorded = Keys((await Get($"/api/commitments?sort=title&order=asc&recordedAsOf={now}")).GetProperty("items")).ToList();
        var effective = Keys((await Get($"/api/commitments?sort=title&order=asc&effectiveAsOf={today}")).GetProperty("items")).ToList();
        var backwards = Keys((await Get($"/api/commitments?sort=title&order=desc&recordedAsOf={now}")).GetProperty("items")).ToList();

        // Folded titles by code point; two that fold alike ("Économie", "economie") by key.
        present.ShouldBe(["titled-0", "titled-6", "titled-7", "titled-2", "titled-1", "titled-5", "titled-4", "titled-3"]);
        recorded.ShouldBe(present);
        effective.ShouldBe(present);
        backwards.ShouldBe(Keys((await Get("/api/commitments?sort=title&order=desc")).GetProperty("items")).ToList());
    }

    [Theory]
    [InlineData("istanbul")]
    [InlineData("σίσυφος")]
    [InlineData("STRASSE")]
    [InlineData("économie")]
    public async Task a_title_search_selects_the_same_commitments_in_the_present_and_in_either_past(string q)
    {
        // Until 2026-12-06 the past as recorded searched titles in .NET, which folds case otherwise than PostgreSQL: one
        // question, two answers (İstanbul matched "istanbul" in the present only, a final ς "σ" as recorded only).
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Milestone("unicode-title", "Économie Straße İstanbul ΣΊΣΥΦΟΣ", "2030-01-01", "year");
        await Milestone("plain-title", "Istanbul meeting", "2030-01-01", "year");

        var found = await SearchedEverywhere(q);

        found.Recorded.ShouldBe(found.Present);
        found.Effective.ShouldBe(found.Present);
        found.DashboardRecorded.ShouldBe(found.Dashboard);
        found.Dashboard.ShouldBe(found.Present.Count);
    }

    private sealed record Searched(List<string?> Present, List<string?> Recorded, List<string?> Effective, int Dashboard,
        int DashboardRecorded);

    /// <summary>One title search asked of the list in the present and in both pasts, and of the dashboard now and as recorded.</summary>
    private async Task<Searched> SearchedEverywhere(string q)
    {
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var search = Uri.EscapeDataString(q);
        var now = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd");
        return new Searched(
            Keys((await Get($"/api/commitments?q={search}")).GetProperty("items")).ToList(),
            Keys((await Get($"/api/commitments?q={search}&recordedAsOf={now}")).GetProperty("items")).ToList(),
            Keys((await Get($"/api/commitments?q={search}&effectiveAsOf={today}")).GetProperty("items")).ToList(),
            (await Get($"/api/dashboard?q={search}")).GetProperty("commitments").GetInt32(),
            (await Get($"/api/dashboard?q={search}&recordedAsOf={now}")).GetProperty("commitments").GetInt32());
    }

    [Theory]
    [InlineData("economie", new[] { "french-title" })]
    [InlineData("ÉCONOMIE LIBÉRÉE", new[] { "french-title" })]
    [InlineData("diyarbakir", new[] { "turkish-title" })]
    [InlineData("strasse", new[] { "german-title" })]
    [InlineData("οδος", new[] { "greek-title" })]
    [InlineData("الاعمار", new[] { "arabic-title" })]
    [InlineData("finance", new[] { "ligature-title" })]
    [InlineData("100%", new[] { "percent-title" })]
    [InlineData("100_", new string[0])]
    [InlineData("100%appeal", new string[0])]
    [InlineData("lodz", new[] { "polish-title" })]
    public async Task a_title_search_ignores_case_accents_and_the_marks_written_over_letters(string q, string[] expected)
    {
        // Until 2026-12-07 the search was PostgreSQL's ILIKE: `economie` did not find "Économie", nor an Arabic word
        // written without its vowel marks the same word with them.
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Milestone("french-title", "Relancer l'Économie libérée", "2030-01-01", "year");
        await Milestone("turkish-title", "Rebuild Diyarbakır's schools", "2030-01-01", "year");
        await Milestone("german-title", "Wiederaufbau der Hauptstraße", "2030-01-01", "year");
        await Milestone("greek-title", "ΟΔΌΣ reconstruction", "2030-01-01", "year");
        await Milestone("arabic-title", "إعادة الإعمار في الموصل", "2030-01-01", "year");
        await Milestone("ligature-title", "\uFB01nance for returnees", "2030-01-01", "year");
        await Milestone("percent-title", "Fund 100% of the appeal", "2030-01-01", "year");
        await Milestone("polish-title", "Łódź donors' conference", "2030-01-01", "year");

        var found = await SearchedEverywhere(q);

        found.Present.ShouldBe(expected);
        found.Recorded.ShouldBe(expected);
        found.Effective.ShouldBe(expected);
        found.Dashboard.ShouldBe(expected.Length);
        found.DashboardRecorded.ShouldBe(expected.Length);
    }

    [Fact]
    public async Task the_list_in_the_past_holds_what_was_stated_by_then_with_the_same_filters()
    {
        await FourCommitments();

        var now = await Get("/api/commitments?status=achieved&sort=title");
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var before = await Api.Scenario(s => s.Get.Url("/api/commitments?status=achieved&effectiveAsOf=2024-09-30"));

        Keys(now.GetProperty("items")).ShouldBe(["iskp-grouping"]);
        // On 30 September 2024 the assessment (dated 1 October) had not been made yet.
        before.Json().GetProperty("total").GetInt64().ShouldBe(0);
        before.Context.Response.Headers["X-Tracker-View"].ToString().ShouldBe("as-effective; on=2024-09-30");
        var all = await Get("/api/commitments?effectiveAsOf=2024-09-30&pageSize=2&page=2&sort=title");
        all.GetProperty("total").GetInt64().ShouldBe(4);
        all.GetProperty("pageCount").GetInt64().ShouldBe(2);
        Keys(all.GetProperty("items")).ShouldBe(["next-ministerial-2022", Goal]);
    }

    [Fact]
    public async Task a_list_by_progress_highest_first_opens_with_the_highest_and_ends_with_the_unmeasured_now_and_in_both_pasts()
    {
        await FourCommitments();
        await Api.Write("/api/commitments", StabilisationGoal("stabilisation-2021-drive"), 201);
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var now = DateTimeOffset.UtcNow.ToString("O");

        var present = await Get("/api/commitments?sort=progress&order=desc");
        var effective = await Get($"/api/commitments?sort=progress&order=desc&effectiveAsOf={Today:yyyy-MM-dd}");
        var recorded = await Get($"/api/commitments?sort=progress&order=desc&recordedAsOf={Uri.EscapeDataString(now)}");
        var secondPage = await Get("/api/commitments?sort=progress&order=desc&pageSize=2&page=2");
        var empty = await Api.ReadCommitment("stabilisation-2021-drive");

        // The achieved milestone (1 by its status), the goal's pledges, then those without a measure by key; a money
        // target with nothing pledged among them (until 2026-12-07 a measured 0, and the unmeasured came first).
        string[] expected = ["iskp-grouping", Goal, "africa-focus-group", "next-ministerial-2022", "stabilisation-2021-drive"];
        Keys(present.GetProperty("items")).ShouldBe(expected);
        Keys(effective.GetProperty("items")).ShouldBe(expected);
        Keys(recorded.GetProperty("items")).ShouldBe(expected);
        Keys(secondPage.GetProperty("items")).ShouldBe(expected.Skip(2).Take(2));
        // A page across the measured and the unmeasured, and one after it.
        Keys((await Get("/api/commitments?sort=progress&order=desc&pageSize=3&page=1")).GetProperty("items")).ShouldBe(expected.Take(3));
        Keys((await Get("/api/commitments?sort=progress&order=desc&pageSize=3&page=2")).GetProperty("items")).ShouldBe(expected.Skip(3));
        Keys((await Get("/api/commitments?sort=progress&order=desc&kind=milestone&pageSize=2&page=1")).GetProperty("items"))
            .ShouldBe(["iskp-grouping", "africa-focus-group"]);
        empty.GetProperty("progress").GetProperty("basis").GetString().ShouldBe("none");
        empty.GetProperty("progress").TryGetProperty("fraction", out _).ShouldBeFalse();
        empty.GetProperty("progress").TryGetProperty("disbursedFraction", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("status=achieved")]
    [InlineData("status=in-progress")]
    [InlineData("status=not-assessed")]
    [InlineData("kind=milestone")]
    [InlineData("kind=financial")]
    [InlineData("lineOfEffort=meetings")]
    [InlineData("actor=coalition")]
    [InlineData("overdue=true")]
    [InlineData("overdue=false")]
    [InlineData("lineOfEffort=meetings&overdue=false")]
    public async Task a_past_list_counts_what_its_pages_hold_and_by_deadline_walks_the_days_in_the_list_s_order(string filter)
    {
        await FourCommitments();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        foreach (var on in new[] { "2020-01-01", "2024-09-30", "2024-10-02", Today.ToString("yyyy-MM-dd") })
        {
            // One filter is counted from the daily rollup, two over the commitments; the pages come from the days.
            var byTitle = await Get($"/api/commitments?effectiveAsOf={on}&{filter}&sort=title&pageSize=100");
            var byDeadline = await Get($"/api/commitments?effectiveAsOf={on}&{filter}&sort=deadline&pageSize=100");
            var byDeadlineDescending = await Get($"/api/commitments?effectiveAsOf={on}&{filter}&sort=deadline&order=desc&pageSize=100");
            var secondPage = await Get($"/api/commitments?effectiveAsOf={on}&{filter}&sort=deadline&pageSize=1&page=2");

            var listed = byTitle.GetProperty("items").EnumerateArray().ToList();
            byTitle.GetProperty("total").GetInt64().ShouldBe(listed.Count, $"{filter} on {on}");
            byDeadline.GetProperty("total").GetInt64().ShouldBe(listed.Count, $"{filter} on {on}");
            // A commitment without a deadline has no dueBy: last in either order (until 2026-12-07 first in descending).
            static string? Due(JsonElement row) => row.TryGetProperty("dueBy", out var due) && due.ValueKind == JsonValueKind.String ? due.GetString() : null;
            var expected = listed.OrderBy(r => Due(r) is null).ThenBy(r => Due(r), StringComparer.Ordinal).ThenBy(r => r.GetProperty("key").GetString(), StringComparer.Ordinal)
                .Select(r => r.GetProperty("key").GetString()).ToList();
            Keys(byDeadline.GetProperty("items")).ShouldBe(expected, $"{filter} on {on}");
            var descending = listed.OrderBy(r => Due(r) is null).ThenByDescending(r => Due(r), StringComparer.Ordinal).ThenBy(r => r.GetProperty("key").GetString(), StringComparer.Ordinal)
                .Select(r => r.GetProperty("key").GetString()).ToList();
            Keys(byDeadlineDescending.GetProperty("items")).ShouldBe(descending, $"{filter} on {on}");
            // A page at a time, so a page holds dated and undated ones, or undated alone after the dated (walked apart).
            for (var page = 1; page <= descending.Count + 1; page++)
            {
                var one = await Get($"/api/commitments?effectiveAsOf={on}&{filter}&sort=deadline&order=desc&pageSize=1&page={page}");
                Keys(one.GetProperty("items")).ShouldBe(descending.Skip(page - 1).Take(1), $"{filter} on {on}, page {page}");
            }
            var pairs = await Get($"/api/commitments?effectiveAsOf={on}&{filter}&sort=deadline&order=desc&pageSize=2&page=2");
            Keys(pairs.GetProperty("items")).ShouldBe(descending.Skip(2).Take(2), $"{filter} on {on}, second pair");
            Keys(secondPage.GetProperty("items")).ShouldBe(expected.Skip(1).Take(1), $"{filter} on {on}");
            var pastTheEnd = await Get($"/api/commitments?effectiveAsOf={on}&{filter}&sort=deadline&pageSize=2&page=50");
            pastTheEnd.GetProperty("items").GetArrayLength().ShouldBe(0);
            pastTheEnd.GetProperty("total").GetInt64().ShouldBe(listed.Count);
        }
    }

    [Fact]
    public async Task the_past_of_the_list_is_for_auditors()
    {
        await FourCommitments();

        await Api.Scenario(s =>
        {
            s.Get.Url("/api/commitments?effectiveAsOf=2024-09-30");
            s.WithRequestHeader("X-Api-Key", TestIdentities.DemoKey(Tracker.Api.Security.Roles.Viewer));
            s.StatusCodeShouldBe(403);
        });
    }

    [Theory]
    [InlineData("status=done", "status")]
    [InlineData("kind=vague", "kind")]
    [InlineData("sort=colour", "sort")]
    [InlineData("order=sideways", "order")]
    [InlineData("pageSize=1000", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("recordedAsOf=2024-01-01T00:00:00Z&effectiveAsOf=2024-01-01", "effectiveAsOf")]
    public async Task a_bad_query_is_a_400_naming_the_parameter(string query, string field)
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/api/commitments?" + query);
            s.StatusCodeShouldBe(400);
        });

        result.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldContain(field);
    }

    [Fact]
    public async Task two_pasts_on_a_route_without_versions_are_told_apart_by_the_parameters_it_takes()
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/api/dashboard?recordedAsOf=2024-01-01T00:00:00Z&effectiveAsOf=2024-01-01");
            s.StatusCodeShouldBe(400);
        });

        // Until 2026-12-06 it named version too, which the dashboard refuses.
        result.ReadProblem(400).Errors.ShouldNotBeNull()["effectiveAsOf"].ShouldHaveSingleItem()
            .ShouldStartWith("Give one of recordedAsOf or effectiveAsOf, not several");
    }

    [Fact]
    public async Task a_document_lists_the_commitments_it_states_and_restates()
    {
        await FourCommitments();
        await Api.RegisterDocument(new
        {
            key = "statement-2025", title = "Statement", publishedOn = "2025-06-01", kind = "statement", primary = true
        });
        await Api.Write($"/api/commitments/{Goal}/restatements", new
        {
            restatedIn = new { documentKey = "statement-2025", paragraph = "4", quote = "we reaffirm the goal" }
        });

        var stated = (await Api.Scenario(s => s.Get.Url("/api/documents/washington-2024/commitments"))).Json();
        var restated = (await Api.Scenario(s => s.Get.Url("/api/documents/statement-2025/commitments"))).Json();
        var secondPage = (await Api.Scenario(s => s.Get.Url("/api/documents/washington-2024/commitments?pageSize=3&page=2"))).Json();

        stated.GetProperty("items").GetArrayLength().ShouldBe(4);
        stated.GetProperty("total").GetInt64().ShouldBe(4);
        secondPage.GetProperty("items").GetArrayLength().ShouldBe(1);
        var only = restated.GetProperty("items").EnumerateArray().Single();
        only.GetProperty("key").GetString().ShouldBe(Goal);
        only.GetProperty("role").GetString().ShouldBe("restated");
        only.GetProperty("quote").GetString().ShouldBe("we reaffirm the goal");
        only.GetProperty("on").GetString().ShouldBe("2025-06-01");
    }

    [Fact]
    public async Task the_commitments_of_an_unknown_document_are_a_404()
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/api/documents/nothing/commitments");
            s.StatusCodeShouldBe(404);
        });

        result.ReadProblem(404);
    }
}
