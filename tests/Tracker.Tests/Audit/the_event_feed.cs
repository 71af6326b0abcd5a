using Alba;
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
        long after = 0;
        while (true)
        {
            var page = (await Api.Scenario(s => s.Get.Url($"/api/audit/events?after={after}&limit=2"))).Json();
            var events = page.GetProperty("events").EnumerateArray().ToList();
            var highWaterMark = page.GetProperty("highWaterMark").GetInt64();
            events.Count.ShouldBeLessThanOrEqualTo(2);
            sequences.AddRange(events.Select(e => e.GetProperty("sequence").GetInt64()));
            types.AddRange(events.Select(e => e.GetProperty("type").GetString()!));
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
        sequences.ShouldBeInOrder(SortDirection.Ascending);
        sequences.Distinct().Count().ShouldBe(4);
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
