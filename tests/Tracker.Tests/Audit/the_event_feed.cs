using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Audit;

public sealed class the_event_feed(TrackerApp app) : TrackerTest(app)
{
    [Fact]
    public async Task the_feed_pages_through_every_event_in_sequence_order()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(), 201);
        await Api.Write($"/api/commitments/{Goal}/progress", Progress());
        // The feed serves events up to Marten's high-water mark, which passes them once every number below is settled.
        await Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(Api, TimeSpan.FromSeconds(30));

        var sequences = new List<long>();
        var types = new List<string>();
        var named = new List<(string? Key, string? EffectiveOn)>();
        long after = 0;
        while (true)
        {
            var page = (await Api.Scenario(s => s.Get.Url($"/api/audit/events?after={after}&limit=2"))).Json();
            var events = page.GetProperty("events").EnumerateArray().ToList();
            var highWaterMark = page.GetProperty("highWaterMark").GetInt64();
            events.Count.ShouldBeLessThanOrEqualTo(2);
            sequences.AddRange(events.Select(e => e.GetProperty("sequence").GetInt64()));
            types.AddRange(events.Select(e => e.GetProperty("type").GetString()!));
            named.AddRange(events.Select(e => (e.GetProperty("streamKey").GetString(),
                // A document's registration takes effect the day it was recorded, as the history says.
                e.GetProperty("type").GetString() == "source-document-registered"
                    ? e.GetProperty("effectiveOn").GetString() == e.GetProperty("recordedAt").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd") ? "recorded" : "other"
                    : e.GetProperty("effectiveOn").GetString())));
            sequences.ShouldAllBe(sequence => sequence <= highWaterMark);
            after = page.GetProperty("next").GetInt64();
            // A page short of the limit holds everything up to the mark, and the next asks after it.
            if (events.Count < 2)
            {
                after.ShouldBe(highWaterMark);
                break;
            }
        }

        types.ShouldBe(["source-document-registered", "commitment-stated", "pledge-announced", "progress-reported"]);
        // Whose stream each event is, and when it took effect, as the history says (until 2026-12-07 the feed gave only the
        // stream's id, which cannot be read back to its key).
        named.ShouldBe([("washington-2024", "recorded"), (Goal, "2024-09-30"), (Goal, "2024-10-02"), (Goal, "2024-09-30")]);
        sequences.ShouldBeInOrder(SortDirection.Ascending);
        sequences.Distinct().Count().ShouldBe(4);
    }

    [Fact]
    public async Task a_log_with_events_and_no_high_water_mark_yet_is_a_503_not_an_empty_feed()
    {
        var coordinator = Api.Services.GetRequiredService<JasperFx.Events.Daemon.IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            await Api.StatedTheStabilisationGoal();
            // As on a new database before the node that keeps the mark has run.
            await using (var connection = new NpgsqlConnection(TestDatabase.SuperuserConnectionString()))
            {
                await connection.OpenAsync();
                await using var forget = new NpgsqlCommand("delete from tracker.mt_event_progression where name = 'HighWaterMark'", connection);
                await forget.ExecuteNonQueryAsync();
            }

            // Until 2026-12-06 a 200 with no events, as though the log were empty.
            var notReady = await Api.Scenario(s =>
            {
                s.Get.Url("/api/audit/events?after=0");
                s.StatusCodeShouldBe(503);
            });
            notReady.Context.Response.Headers.RetryAfter.ToString().ShouldBe("2");
            var problem = notReady.Json();
            problem.GetProperty("type").GetString().ShouldBe(Tracker.Api.Infrastructure.ProblemTypes.FeedNotReady);
            problem.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("high-water mark");

            // A mark that stops short of the last event: the page says since when that event has waited, which a reader
            // could not otherwise tell from a quiet log.
            DateTimeOffset lastRecorded;
            await using (var connection = new NpgsqlConnection(TestDatabase.SuperuserConnectionString()))
            {
                await connection.OpenAsync();
                await using var behind = new NpgsqlCommand("""
                    insert into tracker.mt_event_progression (name, last_seq_id) select 'HighWaterMark', max(seq_id) - 1 from tracker.mt_events;
                    select timestamp from tracker.mt_events order by seq_id desc limit 1;
                    """, connection);
                lastRecorded = new DateTimeOffset((DateTime)(await behind.ExecuteScalarAsync())!, TimeSpan.Zero);
            }
            var stalled = (await Api.Scenario(s => s.Get.Url("/api/audit/events?after=0"))).Json();
            stalled.GetProperty("events").GetArrayLength().ShouldBe(1);
            stalled.GetProperty("waitingSince").GetDateTimeOffset().ShouldBe(lastRecorded);
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        await Api.Write($"/api/commitments/{Goal}/progress", Progress());
        await Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(Api, TimeSpan.FromSeconds(30));
        var page = (await Api.Scenario(s => s.Get.Url("/api/audit/events?after=0"))).Json();
        page.GetProperty("events").GetArrayLength().ShouldBe(3);
        // Nothing waits above the mark: the field is left out.
        page.TryGetProperty("waitingSince", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task a_cursor_past_the_high_water_mark_is_a_400_not_a_page_that_skips_events()
    {
        await Api.StatedTheStabilisationGoal();
        await Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(Api, TimeSpan.FromSeconds(30));
        var mark = (await Api.Scenario(s => s.Get.Url("/api/audit/events?after=0"))).Json().GetProperty("highWaterMark").GetInt64();

        // Until 2026-12-06 a 200 with no events and that cursor as next: events written up to it would never be read.
        var refused = await Api.Scenario(s =>
        {
            s.Get.Url($"/api/audit/events?after={mark + 100}");
            s.StatusCodeShouldBe(400);
        });
        refused.Json().GetProperty("errors").GetProperty("after")[0].GetString().ShouldNotBeNull()
            .ShouldStartWith($"after ({mark + 100}) is past the high-water mark ({mark})");
    }

    [Theory]
    [InlineData("/api/documents?=1", "query")]
    [InlineData("/api/audit/events?after=01", "after")]
    [InlineData("/api/audit/events?after=abc", "after")]
    [InlineData("/api/audit/events?limit=0", "limit")]
    [InlineData("/api/audit/checkpoints?before=0", "before")]
    [InlineData("/api/audit/checkpoints?before=01", "before")]
    [InlineData("/api/commitments/stabilisation-394m/history?after=-1", "after")]
    [InlineData("/api/commitments/stabilisation-394m?version=01", "version")]
    [InlineData("/api/commitments/stabilisation-394m?effectiveAsOf=2020-02-30", "effectiveAsOf")]
    [InlineData("/api/commitments/stabilisation-394m?effectiveAsOf=1899-12-31", "effectiveAsOf")]
    public async Task a_wrong_query_parameter_is_one_shape_of_problem_whichever_check_finds_it(string url, string field)
    {
        await Api.StatedTheStabilisationGoal();

        // Until 2026-12-06 three shapes: with or without a detail, titled for the query or the request, some with the
        // framework's own "parameter" (and after=01 was taken where version=01 was refused).
        var problem = (await Api.Scenario(s =>
        {
            s.Get.Url(url);
            s.StatusCodeShouldBe(400);
        })).Json();

        problem.GetProperty("title").GetString().ShouldBe("The query is not valid");
        var message = problem.GetProperty("errors").GetProperty(field)[0].GetString();
        problem.GetProperty("detail").GetString().ShouldBe(message);
        problem.TryGetProperty("parameter", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=5000", "limit")]
    [InlineData("after=-1", "after")]
    public async Task a_bad_page_request_is_a_400(string query, string field)
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/api/audit/events?" + query);
            s.StatusCodeShouldBe(400);
        });

        result.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldContain(field);
    }
}
