using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Alba;
using Tracker.Tests.Commitments;
using Tracker.Tests.Faults;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Commitments.Reading;

/// <summary>A commitment's page: a small model, and what grows with time as pages of its own routes.</summary>
public sealed class a_commitment_page(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

    private static object Report(decimal figure, string asOf) => new
    {
        figure, currency = "USD", comparator = "about", asOf, source = SourceOn(asOf)
    };

    private static object Assessment(string status, string on, string rationale) => new
    {
        status, assessedOn = on, rationale, source = Source
    };

    private async Task<JsonElement> Get(string url) => (await Api.Scenario(s => s.Get.Url(url))).Json();

    [Fact]
    public async Task a_page_read_again_is_not_rebuilt_until_a_write_changes_it()
    {
        await Api.StatedTheStabilisationGoal();
        var present = Api.Services.GetRequiredService<Tracker.Api.Commitments.Reading.PresentCommitments>();
        var first = await Api.ReadCommitment();
        var reusedBefore = present.Reused;

        var again = await Api.ReadCommitment();
        await Api.Write($"/api/commitments/{Goal}/progress", Progress(150_000_000m));
        var afterTheWrite = await Api.ReadCommitment();

        present.Reused.ShouldBe(reusedBefore + 1);
        again.GetRawText().ShouldBe(first.GetRawText());
        afterTheWrite.GetProperty("version").GetInt32().ShouldBe(2);
        afterTheWrite.GetProperty("latestReport").GetProperty("figure").GetDecimal().ShouldBe(150_000_000m);
    }

    [Fact]
    public async Task the_commitment_is_a_small_model_that_links_to_its_pledges_and_its_timeline()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(), 201);

        var commitment = await Api.ReadCommitment();

        commitment.TryGetProperty("detail", out _).ShouldBeFalse();
        commitment.TryGetProperty("state", out _).ShouldBeFalse();
        commitment.GetProperty("pledgeCount").GetInt32().ShouldBe(1);
        commitment.GetProperty("links").GetProperty("pledges").GetString().ShouldBe($"{Base}/pledges");
        commitment.GetProperty("links").GetProperty("timeline").GetString().ShouldBe($"{Base}/timeline");
    }

    [Fact]
    public async Task pledges_come_a_page_at_a_time_in_the_order_they_were_announced()
    {
        await Api.StatedTheStabilisationGoal();
        foreach (var pledger in new[] { "Japan", "Germany", "Norway" })
        {
            await Api.Write($"{Base}/pledges", new
            {
                pledger, amount = new { amount = 1_000_000m, currency = "USD" }, announcedOn = "2024-10-01", source = LaterSource
            }, 201);
        }

        var first = await Get($"{Base}/pledges?pageSize=2");
        var second = await Get($"{Base}/pledges?page=2&pageSize=2");

        first.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("pledger").GetString()).ShouldBe(["Japan", "Germany"]);
        second.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("pledger").GetString()).ShouldBe(["Norway"]);
        first.GetProperty("total").GetInt32().ShouldBe(3);
        first.GetProperty("pageCount").GetInt32().ShouldBe(2);
        (await Api.Scenario(s => { s.Get.Url($"{Base}/pledges?pageSize=501"); s.StatusCodeShouldBe(400); })).ReadProblem(400);
        (await Api.Scenario(s => { s.Get.Url("/api/commitments/nothing-here/pledges"); s.StatusCodeShouldBe(404); })).ReadProblem(404);
    }

    [Fact]
    public async Task a_page_of_pledges_and_its_total_agree_while_pledges_are_being_announced()
    {
        await Api.StatedTheStabilisationGoal();
        var announcing = Task.Run(async () =>
        {
            for (var i = 1; i <= 30; i++)
            {
                await Api.Write($"{Base}/pledges", new
                {
                    pledger = $"Member {i}", amount = new { amount = 1_000m, currency = "USD" }, announcedOn = "2024-10-01", source = LaterSource
                }, 201);
            }
        });

        // Until 2026-12-07 the total and the rows were read in two snapshots: a page could hold one pledge more than its total.
        var read = 0;
        while (!announcing.IsCompleted || read == 0)
        {
            var page = await Get($"{Base}/pledges?pageSize=500");
            page.GetProperty("items").GetArrayLength().ShouldBe(page.GetProperty("total").GetInt32(), $"read {read + 1}");
            read++;
        }
        await announcing;
        (await Get($"{Base}/pledges?pageSize=500")).GetProperty("total").GetInt32().ShouldBe(30);
    }

    [Fact]
    public async Task a_new_pledge_is_read_where_its_location_points_and_a_retracted_one_is_gone()
    {
        // Until 2026-12-06 the Location of a new pledge named a route that did not exist.
        await Api.StatedTheStabilisationGoal();
        var announced = await Api.Scenario(s =>
        {
            s.Post.Json(new { pledger = "Japan", amount = new { amount = 1_500_000m, currency = "USD" }, announcedOn = "2024-10-01", source = LaterSource })
                .ToUrl($"{Base}/pledges");
            s.StatusCodeShouldBe(201);
        });
        var location = announced.Context.Response.Headers.Location.ToString();
        await Api.Write($"{location}/stages", new { stage = "disbursed", amount = new { amount = 500_000m, currency = "USD" }, on = "2024-11-01", source = LaterSource });

        var pledge = await Get(location);
        var upperCase = await Get($"{Base}/pledges/JAPAN-1");

        location.ShouldBe($"{Base}/pledges/japan-1");
        pledge.GetProperty("pledger").GetString().ShouldBe("Japan");
        pledge.GetProperty("amount").GetProperty("amount").GetDecimal().ShouldBe(1_500_000m);
        pledge.GetProperty("disbursed").GetDecimal().ShouldBe(500_000m);
        upperCase.GetProperty("pledgeId").GetString().ShouldBe("japan-1");
        var unknown = await Api.Scenario(s => { s.Get.Url($"{Base}/pledges/japan-2"); s.StatusCodeShouldBe(404); });
        unknown.ReadProblem(404).Detail.ShouldBe($"Commitment '{Goal}' has no pledge 'japan-2'.");
        unknown.Json().GetProperty("rule").GetString().ShouldBe("unknown-pledge");
        (await Api.Scenario(s => { s.Get.Url("/api/commitments/nothing-here/pledges/japan-1"); s.StatusCodeShouldBe(404); })).ReadProblem(404)
            .Title.ShouldBe("No such commitment");

        var version = (await Api.ReadCommitment()).GetProperty("version").GetInt32();
        await Api.Write($"{Base}/corrections", new { version, reason = "entered in error", source = Source });
        await Api.Write($"{Base}/corrections", new { version = version - 1, reason = "entered in error", source = Source });
        (await Api.Scenario(s => { s.Get.Url(location); s.StatusCodeShouldBe(404); })).ReadProblem(404);
    }

    [Fact]
    public async Task the_timeline_lists_the_facts_that_stand_a_page_at_a_time_and_leaves_out_retracted_ones()
    {
        await Api.StatedTheStabilisationGoal();                                   // 1
        await Api.Write($"{Base}/progress", Report(100_000_000m, "2024-10-01"));   // 2
        await Api.Write($"{Base}/pledges", GermanPledge(), 201);                   // 3: a pledge is not on the timeline
        await Api.Write($"{Base}/progress", Report(150_000_000m, "2024-11-01"));   // 4
        await Api.Write($"{Base}/progress", Report(999_000_000m, "2024-12-01"));   // 5
        await Api.Write($"{Base}/corrections", new { version = 5, reason = "a typo", source = Source }); // 6

        var first = await Get($"{Base}/timeline?limit=2");
        var rest = await Get($"{Base}/timeline?after={first.GetProperty("next").GetInt32()}&limit=2");

        first.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("version").GetInt32()).ShouldBe([1, 2]);
        rest.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("version").GetInt32()).ShouldBe([4]);
        rest.TryGetProperty("next", out _).ShouldBeFalse(); // the last page
        var report = first.GetProperty("items")[1];
        report.GetProperty("type").GetString().ShouldBe("progress-reported");
        report.GetProperty("on").GetString().ShouldBe("2024-10-01");
        report.GetProperty("data").GetProperty("figure").GetDecimal().ShouldBe(100_000_000m);
        report.GetProperty("summary").GetString().ShouldBe("Reported about USD 100,000,000 as of 2024-10-01");
    }

    [Fact]
    public async Task the_timeline_in_a_past_lists_the_facts_that_stood_then()
    {
        await Api.StatedTheStabilisationGoal();                                   // 1
        await Api.Write($"{Base}/progress", Report(100_000_000m, "2024-10-01"));   // 2
        await Api.Write($"{Base}/pledges", GermanPledge(), 201);                   // 3
        await Api.Write($"{Base}/progress", Report(150_000_000m, "2024-11-01"));   // 4
        await Api.Write($"{Base}/progress", Report(999_000_000m, "2024-12-01"));   // 5
        await Api.Write($"{Base}/corrections", new { version = 5, reason = "a typo", source = Source }); // 6
        static int[] Versions(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("version").GetInt32())];

        // As recorded: at version 5 the report retracted since stood; at 6 it is gone.
        var atFive = await Api.Scenario(s => s.Get.Url($"{Base}/timeline?version=5"));
        Versions(atFive.Json()).ShouldBe([1, 2, 4, 5]);
        atFive.Context.Response.Headers["X-Tracker-View"].ToString().ShouldBe("as-recorded; version=5");
        Versions(await Get($"{Base}/timeline?version=6")).ShouldBe([1, 2, 4]);
        var firstThen = await Get($"{Base}/timeline?version=5&limit=3");
        Versions(firstThen).ShouldBe([1, 2, 4]);
        Versions(await Get($"{Base}/timeline?version=5&after={firstThen.GetProperty("next").GetInt32()}")).ShouldBe([5]);
        (await Api.Scenario(s => { s.Get.Url($"{Base}/timeline?version=5&after=6"); s.StatusCodeShouldBe(400); }))
            .ReadProblem(400).Detail!.ShouldContain("past version 5, the commitment's last in that past");
        (await Api.Scenario(s => { s.Get.Url($"{Base}/timeline?recordedAsOf=2001-01-01T00:00:00Z"); s.StatusCodeShouldBe(404); }))
            .ReadProblem(404).Detail!.ShouldContain("did not exist in that past");
        // A version not yet written is past the last, as a cursor past the end is, on the commitment's route and its
        // timeline alike (until 2026-12-07 a 404 titled "No such commitment", of a commitment that exists).
        foreach (var route in new[] { $"{Base}?version=7", $"{Base}/timeline?version=7" })
        {
            (await Api.Scenario(s => { s.Get.Url(route); s.StatusCodeShouldBe(400); }))
                .ReadProblem(400).Errors.ShouldNotBeNull()["version"]
                .ShouldBe(["version 7 is past the commitment's last version, 6: ask for one from 1 to 6, or leave version out for the present."]);
        }
        // A key that never was is said as the present says it, whatever the version.
        (await Api.Scenario(s => { s.Get.Url("/api/commitments/no-such-thing?version=9"); s.StatusCodeShouldBe(404); }))
            .ReadProblem(404).Detail.ShouldBe("No commitment has key 'no-such-thing'.");

        // As effective: the facts standing now that took effect by the date; a page reads on past those that took effect
        // later to say whether there is another.
        Versions(await Get($"{Base}/timeline?effectiveAsOf=2024-11-15")).ShouldBe([1, 2, 4]);
        var first = await Get($"{Base}/timeline?effectiveAsOf=2024-10-15&limit=1");
        Versions(first).ShouldBe([1]);
        var last = await Get($"{Base}/timeline?effectiveAsOf=2024-10-15&limit=1&after={first.GetProperty("next").GetInt32()}");
        Versions(last).ShouldBe([2]);
        last.TryGetProperty("next", out _).ShouldBeFalse();
        (await Api.Scenario(s => { s.Get.Url($"{Base}/timeline?effectiveAsOf=2001-01-01"); s.StatusCodeShouldBe(404); }))
            .ReadProblem(404).Detail!.ShouldContain("did not exist in that past");

        // The past is the auditors'.
        await Api.Scenario(s =>
        {
            s.Get.Url($"{Base}/timeline?version=5");
            s.WithRequestHeader("X-Api-Key", TestIdentities.DemoKey(Tracker.Api.Security.Roles.Viewer));
            s.StatusCodeShouldBe(403);
        });
    }

    [Fact]
    public async Task retracting_the_latest_report_or_assessment_brings_back_the_one_before()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/progress", Report(100_000_000m, "2024-10-01"));                       // 2
        await Api.Write($"{Base}/progress", Report(150_000_000m, "2024-11-01"));                       // 3
        await Api.Write($"{Base}/assessments", Assessment("in-progress", "2025-01-01", "projects under way")); // 4
        await Api.Write($"{Base}/assessments", Assessment("achieved", "2025-02-01", "misread the report"));  // 5

        await Api.Write($"{Base}/corrections", new { version = 3, reason = "the figure was for another fund", source = Source });
        await Api.Write($"{Base}/corrections", new { version = 5, reason = "not achieved", source = Source });

        var commitment = await Api.ReadCommitment();
        commitment.GetProperty("latestReport").GetProperty("figure").GetDecimal().ShouldBe(100_000_000m);
        commitment.GetProperty("progress").GetProperty("fraction").GetDecimal().ShouldBe(0.2538m);
        commitment.GetProperty("status").GetString().ShouldBe("in-progress");
        commitment.GetProperty("assessment").GetProperty("rationale").GetString().ShouldBe("projects under way");
        commitment.GetProperty("correctionCount").GetInt32().ShouldBe(2);
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }
}
