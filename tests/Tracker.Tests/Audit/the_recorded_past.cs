using System.Text.Json;
using Alba;
using Marten;
using Tracker.Domain;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Audit;

/// <summary>
/// The past as recorded at an instant is read from the checkpoint recorded by then and the events after it, not from the
/// log up to the instant: these stories check it against the past at the last version recorded by then.
/// </summary>
public sealed class the_recorded_past(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

    private async Task<JsonElement> Get(string url) => (await Api.Scenario(s => s.Get.Url(url))).Json();

    private static string At(DateTimeOffset instant) => Uri.EscapeDataString(instant.ToString("O"));

    /// <summary>The goal, then sixty reports, one write each, so the stream passes two checkpoints.</summary>
    private async Task<IReadOnlyList<(long Version, DateTimeOffset RecordedAt)>> AGoalWithSixtyReports()
    {
        await Api.StatedTheStabilisationGoal();
        for (var n = 1; n <= 60; n++)
        {
            await Api.Write($"{Base}/progress", new
            {
                figure = 1_000_000m * n, currency = "USD", comparator = "exactly", asOf = "2024-10-01", source = LaterSource
            });
        }
        await using var session = Store.QuerySession();
        return (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Goal))).Select(e => (e.Version, e.Timestamp)).ToList();
    }

    [Fact]
    public async Task a_commitment_at_an_instant_is_the_commitment_at_the_last_version_recorded_by_then()
    {
        var recorded = await AGoalWithSixtyReports();

        foreach (var version in new long[] { 1, 2, 24, 25, 26, 49, 50, 51, 61 })
        {
            var instant = recorded.Single(e => e.Version == version).RecordedAt;
            var byInstant = await Get($"{Base}?recordedAsOf={At(instant)}");
            var byVersion = await Get($"{Base}?version={version}");
            byInstant.ToString().ShouldBe(byVersion.ToString(), $"at the instant version {version} was recorded");
        }
        var before = await Api.Scenario(s =>
        {
            s.Get.Url($"{Base}?recordedAsOf={At(recorded[0].RecordedAt.AddTicks(-10))}");
            s.StatusCodeShouldBe(404);
        });
        before.Context.Response.ContentType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task the_dashboard_at_an_instant_counts_changed_and_unchanged_commitments_as_they_stood()
    {
        var recorded = await AGoalWithSixtyReports();
        var midway = recorded.Single(e => e.Version == 30).RecordedAt;
        await Api.Write("/api/commitments", StabilisationGoal("stabilisation-2021-drive"), 201);

        var then = await Get($"/api/dashboard?recordedAsOf={At(midway)}");
        var list = await Get($"/api/commitments?recordedAsOf={At(midway)}");

        then.GetProperty("commitments").GetInt32().ShouldBe(1, "the second goal was stated after the instant");
        var row = list.GetProperty("items").EnumerateArray().Single();
        row.GetProperty("version").GetInt32().ShouldBe(30);
        row.GetProperty("latestReport").GetProperty("figure").GetDecimal().ShouldBe(29_000_000m);
    }

    [Fact]
    public async Task a_report_recorded_after_the_instant_never_shows_in_it_even_after_a_retraction()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/progress", Progress(200_000_000m));                                                  // 2
        await Api.Write($"{Base}/corrections", new { version = 2, reason = "A draft figure", source = Source });       // 3
        await using (var session = Store.QuerySession())
        {
            var retractedAt = (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Goal)))[^1].Timestamp;
            await Api.Write($"{Base}/progress", Progress(250_000_000m));                                              // 4

            var then = await Get($"{Base}?recordedAsOf={At(retractedAt)}");
            var list = await Get($"/api/commitments?recordedAsOf={At(retractedAt)}");

            then.GetProperty("version").GetInt32().ShouldBe(3);
            then.TryGetProperty("latestReport", out _).ShouldBeFalse("the only report by then was retracted; the next came later");
            list.GetProperty("items").EnumerateArray().Single().TryGetProperty("latestReport", out _).ShouldBeFalse();
        }
    }
}
