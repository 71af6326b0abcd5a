using Tracker.Api.Infrastructure;
using System.Text.Json;
using Alba;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Platform;

/// <summary>A client that keeps what it read asks again with If-None-Match and gets 304 until something changed.</summary>
public sealed class conditional_gets_and_page_links(TrackerApp app) : TrackerTest(app)
{
    private Task<IScenarioResult> Get(string url, string? ifNoneMatch = null, int status = 200) => Api.Scenario(s =>
    {
        s.Get.Url(url);
        if (ifNoneMatch is not null) s.WithRequestHeader("If-None-Match", ifNoneMatch);
        s.StatusCodeShouldBe(status);
    });

    private static string ETag(IScenarioResult result) => result.Context.Response.Headers.ETag.ToString();

    [Fact]
    public async Task a_commitment_read_again_unchanged_is_a_304_and_after_a_write_a_200_with_the_new_version()
    {
        await Api.StatedTheStabilisationGoal();
        var first = await Get($"/api/commitments/{Goal}");

        var unchanged = await Get($"/api/commitments/{Goal}", ETag(first), 304);
        var weak = await Get($"/api/commitments/{Goal}", $"W/{ETag(first)}, \"other\"", 304);
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(), 201);
        var changed = await Get($"/api/commitments/{Goal}", ETag(first));

        ETag(first).ShouldBe("\"1\"");
        unchanged.ReadAsText().ShouldBeEmpty();
        ETag(unchanged).ShouldBe("\"1\"");
        weak.Context.Response.StatusCode.ShouldBe(304);
        ETag(changed).ShouldBe("\"2\"");
        changed.Context.Response.Headers.CacheControl.ToString().ShouldBe("private, no-cache");
    }

    [Fact]
    public async Task a_read_whose_if_match_names_another_version_is_a_412_and_a_malformed_one_a_400()
    {
        // Until 2026-12-06 a GET ignored If-Match, stale or malformed, and answered 200 (RFC 9110 13.1.1 asks for 412).
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(), 201);
        Task<IScenarioResult> WithIfMatch(string url, string ifMatch, int status) => Api.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithRequestHeader("If-Match", ifMatch);
            s.StatusCodeShouldBe(status);
        });

        var stale = await WithIfMatch($"/api/commitments/{Goal}", "\"1\"", 412);
        var current = await WithIfMatch($"/api/commitments/{Goal}", "\"1\", \"2\"", 200);
        var weak = await WithIfMatch($"/api/commitments/{Goal}", "W/\"2\"", 412);
        var any = await WithIfMatch($"/api/commitments/{Goal}", "*", 200);
        var malformed = await WithIfMatch($"/api/commitments/{Goal}", "garbage", 400);
        // "*" is a header of its own, not a tag of a list, as on a write.
        (await WithIfMatch($"/api/commitments/{Goal}", "\"2\", *", 400)).ReadProblem(400);
        var page = await Get("/api/commitments");
        var samePage = await WithIfMatch("/api/commitments", ETag(page), 200);
        var otherPage = await WithIfMatch("/api/commitments", "\"h-0\"", 412);

        stale.ReadProblem(412).Detail.ShouldNotBeNull().ShouldContain("\"2\"");
        // Titled by the tag: a list's and a past's tags are content hashes, not versions (until 2026-12-07 "names another version").
        otherPage.ReadProblem(412).Title.ShouldBe("If-Match names no tag of this answer");
        stale.ReadAsText().ShouldNotContain("\"title\":\"Stabilisation");
        current.ReadAsText().ShouldContain(Goal);
        weak.ReadProblem(412);
        any.ReadAsText().ShouldContain(Goal);
        malformed.ReadProblem(400).Detail.ShouldNotBeNull().ShouldContain("If-Match must be");
        samePage.ReadAsText().ShouldContain(Goal);
        otherPage.ReadProblem(412);
    }

    [Fact]
    public async Task a_commitment_as_effective_is_not_unchanged_when_a_fact_recorded_late_changed_that_day()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(), 201);
        var asEffective = $"/api/commitments/{Goal}?effectiveAsOf=2024-12-31";
        var first = await Get(asEffective);

        // Japan's pledge of September, recorded after Germany's of October: the day's last fact is still Germany's.
        await Api.Write($"/api/commitments/{Goal}/pledges", new
        {
            pledger = "Japan", amount = new { amount = 10_000_000m, currency = "USD" }, announcedOn = "2024-09-30", source = Source
        }, 201);
        var changed = await Get(asEffective, ETag(first));

        changed.Context.Response.StatusCode.ShouldBe(200);
        ETag(changed).ShouldNotBe(ETag(first));
        (await Get(asEffective, ETag(changed), 304)).ReadAsText().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/api/documents/washington-2024")]
    [InlineData("/api/dashboard")]
    [InlineData("/api/pledgers/germany")]
    [InlineData("/api/commitments")]
    public async Task every_read_has_an_etag_that_a_repeat_matches(string url)
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(), 201);
        await Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(Api, TimeSpan.FromSeconds(30));

        var first = await Get(url);
        var again = await Get(url, ETag(first), 304);

        ETag(first).ShouldStartWith("\"");
        ETag(again).ShouldBe(ETag(first));
    }

    [Fact]
    public async Task a_page_links_to_the_first_previous_next_and_last_pages_keeping_the_other_parameters()
    {
        await Api.StatedTheStabilisationGoal();
        foreach (var pledger in new[] { "Germany", "France", "Japan" })
        {
            await Api.Write($"/api/commitments/{Goal}/pledges", new
            {
                pledger, amount = new { amount = 1_000_000m, currency = "USD" }, announcedOn = "2024-10-02", source = LaterSource
            }, 201);
        }

        var middle = await Get($"/api/commitments/{Goal}/pledges?pageSize=1&page=2");

        var links = middle.Context.Response.Headers.Link.ToString();
        links.ShouldContain($"</api/commitments/{Goal}/pledges?pageSize=1&page=1>; rel=\"first\"");
        links.ShouldContain($"</api/commitments/{Goal}/pledges?pageSize=1&page=1>; rel=\"prev\"");
        links.ShouldContain($"</api/commitments/{Goal}/pledges?pageSize=1&page=3>; rel=\"next\"");
        links.ShouldContain($"</api/commitments/{Goal}/pledges?pageSize=1&page=3>; rel=\"last\"");
        // An empty list has a first page and no last one: its body says it has none (until 2026-12-06 "last" named page 1).
        var empty = (await Get("/api/commitments?q=nothing-matches-this&pageSize=1")).Context.Response.Headers.Link.ToString();
        empty.ShouldContain("page=1>; rel=\"first\"");
        empty.ShouldNotContain("rel=\"last\"");
    }

    [Theory]
    [InlineData(2L, 3L, 1L, 3L, 3L)]
    // A page links no further than page ten million, the last that can be asked for (until 2026-12-07 "next" and "last"
    // of a list of 101,715 read one at a time named pages 100,001 and 101,715, each a 400).
    [InlineData(9_999_999L, 12_000_000L, 9_999_998L, 10_000_000L, 10_000_000L)]
    [InlineData(10_000_000L, 12_000_000L, 9_999_999L, null, 10_000_000L)]
    [InlineData(5L, 0L, 1L, null, null)]
    [InlineData(9L, 4L, 4L, null, 4L)]
    public void a_page_links_to_no_page_past_the_end_or_past_the_last_that_can_be_asked_for(long current, long pageCount,
        long? prev, long? next, long? last) =>
        Paging.Neighbours(current, pageCount).ShouldBe((prev, next, last));

    [Theory]
    [InlineData(1, 10_000_000)]
    [InlineData(100, 100_001)]
    [InlineData(100, 10_000_000)]
    public async Task a_page_far_past_the_end_is_an_empty_page_of_the_list_at_any_page_size(int pageSize, int page)
    {
        await Api.StatedTheStabilisationGoal();
        // (Until 2026-12-07 any page past 100,000 was a 400, so a list longer than that read one at a time had no end.)
        var far = (await Get($"/api/commitments?pageSize={pageSize}&page={page}")).ReadAsJson<JsonElement>();
        far.GetProperty("items").GetArrayLength().ShouldBe(0);
        far.GetProperty("total").GetInt64().ShouldBe(1);
        far.GetProperty("page").GetInt32().ShouldBe(page);
        (await Get($"/api/pledgers?pageSize={pageSize}&page={page}")).ReadAsJson<JsonElement>().GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("\"abc")]
    [InlineData("12")]
    [InlineData("W/*")]
    [InlineData("w/\"1\"")]
    public async Task a_malformed_if_none_match_on_a_read_is_a_400_naming_it_as_on_a_write(string ifNoneMatch)
    {
        await Api.StatedTheStabilisationGoal();
        foreach (var url in new[] { $"/api/commitments/{Goal}", "/api/commitments", "/api/exports/pledges.csv" })
        {
            var refused = await Api.Scenario(s =>
            {
                s.Get.Url(url);
                s.WithRequestHeader("If-None-Match", ifNoneMatch);
                s.StatusCodeShouldBe(400);
            });
            refused.ReadAsJson<JsonElement>().GetProperty("errors").GetProperty("If-None-Match")[0].GetString()
                .ShouldStartWith("If-None-Match must be \"*\" or ETags this API returned");
        }
        // Well formed, weak or strong, it is compared as before.
        (await Get($"/api/commitments/{Goal}", "W/\"1\"", 304)).Context.Response.StatusCode.ShouldBe(304);
    }

    [Fact]
    public async Task a_history_page_links_to_the_next_one_and_the_last_page_to_none()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(), 201);
        await Api.Write($"/api/commitments/{Goal}/progress", Progress());

        var first = await Get($"/api/commitments/{Goal}/history?limit=2");
        var last = await Get($"/api/commitments/{Goal}/history?limit=2&after=2");

        first.Context.Response.Headers.Link.ToString().ShouldBe($"</api/commitments/{Goal}/history?limit=2&after=2>; rel=\"next\"");
        last.Context.Response.Headers.Link.ToString().ShouldBeEmpty();
    }

    [Fact]
    public async Task the_auditors_views_stay_out_of_any_cache()
    {
        await Api.StatedTheStabilisationGoal();

        var history = await Get($"/api/commitments/{Goal}/history");
        var verify = await Get("/api/audit/verify");

        var past = await Get($"/api/commitments/{Goal}?effectiveAsOf=2024-12-31");
        var otherSpelling = await Get($"/API/commitments/{Goal}/history/");
        otherSpelling.Context.Response.Headers.CacheControl.ToString().ShouldBe("no-store");

        verify.Context.Response.Headers.CacheControl.ToString().ShouldBe("no-store");
        history.Context.Response.Headers.CacheControl.ToString().ShouldBe("no-store");
        past.Context.Response.Headers.CacheControl.ToString().ShouldBe("no-store");
        history.Context.Response.Headers.ETag.ToString().ShouldNotBeEmpty();
    }

    [Fact]
    public async Task the_event_feed_links_its_next_page_until_it_reaches_the_high_water_mark()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(), 201);
        await Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(Api, TimeSpan.FromSeconds(30));

        var first = await Get("/api/audit/events?after=0&limit=1");
        var all = await Get("/api/audit/events?after=0&limit=1000");

        first.Context.Response.Headers.Link.ToString().ShouldContain("rel=\"next\"");
        all.Context.Response.Headers.Link.ToString().ShouldBeEmpty();
    }
}
