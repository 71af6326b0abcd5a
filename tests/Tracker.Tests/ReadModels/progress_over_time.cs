using System.Text.Json;
using Alba;
using Marten.Events;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.ReadModels;

public sealed class progress_over_time(TrackerApp app) : TrackerTest(app)
{
    private const string Trend = $"/api/commitments/{Goal}/trend";

    private async Task<List<JsonElement>> Points(string url = Trend) =>
        (await Api.Scenario(s => s.Get.Url(url))).Json().GetProperty("points").EnumerateArray().ToList();

    /// <summary>Stated on 30 Sept 2024 with the $200m aggregate; Germany pledges on 2 Oct; a disbursement dated 1 Dec.</summary>
    private async Task AGoalThatMoves()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/progress", Progress());
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(10_000_000m));
    }

    [Fact]
    public async Task the_trend_has_a_point_for_each_date_something_took_effect()
    {
        await AGoalThatMoves();

        var points = await Points();

        points.Select(p => p.GetProperty("on").GetString()).ShouldBe(["2024-09-30", "2024-10-02", "2024-12-01"]);
        points.Select(p => p.GetProperty("money").GetProperty("pledged").GetDecimal()).ShouldBe([0m, 27_100_000m, 27_100_000m]);
        points.Select(p => p.GetProperty("money").GetProperty("disbursed").GetDecimal()).ShouldBe([0m, 0m, 10_500_000m]);
        points.ShouldAllBe(p => p.GetProperty("reported").GetDecimal() == 200_000_000m);
        points.ShouldAllBe(p => p.GetProperty("reportedUnit").GetString() == "USD");
    }

    [Fact]
    public async Task a_fact_recorded_late_lands_on_the_date_it_refers_to()
    {
        await AGoalThatMoves();
        // Recorded last, but it says what stood on 1 October: the line changes from that date, not from today.
        await Api.Write($"/api/commitments/{Goal}/progress", new
        {
            figure = 250_000_000m, currency = "USD", comparator = "exactly", asOf = "2024-10-01", source = LaterSource
        });

        var points = await Points();

        points.Select(p => p.GetProperty("on").GetString()).ShouldBe(["2024-09-30", "2024-10-01", "2024-10-02", "2024-12-01"]);
        points.Select(p => p.GetProperty("reported").GetDecimal()).ShouldBe([200_000_000m, 250_000_000m, 250_000_000m, 250_000_000m]);
    }

    [Fact]
    public async Task each_point_says_the_unit_of_its_reported_figure_from_the_timeline_and_as_recorded()
    {
        await Api.StatedFewerCamps();
        const string camps = "/api/commitments/fewer-camps";
        object Count(decimal figure, string unit, string asOf) => new { figure, unit, comparator = "exactly", asOf, source = SourceOn(asOf) };
        await Api.Write($"{camps}/progress", Count(150, "camps", "2024-09-30"));
        await Api.Write($"{camps}/revisions", new
        {
            target = new { amount = 50, unit = "sites", baseline = 100 }, reason = "counted by site",
            source = new { url = "https://example.org/a-later-source", primary = true, on = "2025-01-01" }
        });
        await Api.Write($"{camps}/progress", Count(70, "sites", "2025-02-01"));
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var recorded = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));

        foreach (var query in new[] { "", $"?recordedAsOf={recorded}" })
        {
            var counts = await Points($"{camps}/trend{query}");
            counts.Select(p => p.GetProperty("on").GetString()).ShouldBe(["2024-09-30", "2025-01-01", "2025-02-01"]);
            counts.Select(p => p.GetProperty("reported").GetDecimal()).ShouldBe([150m, 150m, 70m]);
            counts.Select(p => p.GetProperty("reportedUnit").GetString()).ShouldBe(["camps", "camps", "sites"]);
        }
    }

    [Fact]
    public async Task the_reported_line_keeps_the_figure_the_progress_is_measured_on_when_a_later_report_is_of_another_stage()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/progress", MoneyFigure(200_000_000m, "more-than", "2024-09-30", "announced"));
        // Less disbursed than announced is no fall in the money raised: the line stays at the announcement.
        await Api.Write($"/api/commitments/{Goal}/progress", MoneyFigure(50_000_000m, "exactly", "2025-03-01", "disbursed"));
        await Api.Write($"/api/commitments/{Goal}/progress", MoneyFigure(250_000_000m, "about", "2025-05-01", "announced"));
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var recorded = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));

        foreach (var query in new[] { "", $"?recordedAsOf={recorded}" })
        {
            var points = await Points($"{Trend}{query}");
            points.Select(p => p.GetProperty("on").GetString()).ShouldBe(["2024-09-30", "2025-03-01", "2025-05-01"], query);
            points.Select(p => p.GetProperty("reported").GetDecimal()).ShouldBe([200_000_000m, 200_000_000m, 250_000_000m], query);
            points.ShouldAllBe(p => p.GetProperty("reportedUnit").GetString() == "USD");
        }
    }

    [Fact]
    public async Task the_trend_in_the_past_stops_at_that_date()
    {
        await AGoalThatMoves();

        var points = await Points($"{Trend}?effectiveAsOf=2024-10-15");

        points.Select(p => p.GetProperty("on").GetString()).ShouldBe(["2024-09-30", "2024-10-02"]);
    }

    [Fact]
    public async Task the_trend_of_an_unknown_commitment_is_a_404()
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/api/commitments/nothing-here/trend");
            s.StatusCodeShouldBe(404);
        });

        result.ReadProblem(404);
    }
}
