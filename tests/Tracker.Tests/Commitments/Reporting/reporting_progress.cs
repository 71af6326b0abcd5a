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
    public async Task evidence_without_a_document_or_url_is_a_400()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/evidence", new { primary = true, note = "trust me" }, 400);

        result.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldContain("documentKey");
    }
}
