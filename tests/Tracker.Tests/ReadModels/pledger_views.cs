using System.Text.Json;
using Alba;
using Marten.Events;
using Tracker.Tests.Commitments;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.ReadModels;

public sealed class pledger_views(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

    /// <summary>Germany pledges toward two commitments in EUR and one in USD, and disburses part of them.</summary>
    private async Task GermanyPledgedAcrossCommitments()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write("/api/commitments", StabilisationGoal("stabilisation-2021-drive"), 201);
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(10_000_000m));
        await Api.Write("/api/commitments/stabilisation-2021-drive/pledges", new
        {
            pledger = "Germany", amount = new { amount = 3_000_000m, currency = "USD" }, announcedOn = "2021-06-28",
            source = Source
        }, 201);
        await Api.Write("/api/commitments/stabilisation-2021-drive/pledges/germany-1/stages", new
        {
            stage = "disbursed", amount = new { amount = 3_000_000m, currency = "USD" }, on = "2021-08-27", source = Source
        });
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
    }

    private async Task<JsonElement> Get(string url) => (await Api.Scenario(s => s.Get.Url(url))).Json();

    [Fact]
    public async Task a_pledger_shows_its_pledges_across_commitments_with_totals_by_currency_and_outstanding_amounts()
    {
        await GermanyPledgedAcrossCommitments();

        var detail = await Get("/api/pledgers/germany");

        var pledger = detail.GetProperty("pledger");
        pledger.GetProperty("name").GetString().ShouldBe("Germany");
        pledger.GetProperty("pledges").GetArrayLength().ShouldBe(2);
        var totals = pledger.GetProperty("totals").EnumerateArray().ToDictionary(t => t.GetProperty("currency").GetString()!);
        totals["EUR"].GetProperty("pledged").GetDecimal().ShouldBe(25_000_000m);
        totals["EUR"].GetProperty("disbursed").GetDecimal().ShouldBe(10_000_000m);
        totals["EUR"].GetProperty("outstanding").GetDecimal().ShouldBe(15_000_000m);
        totals["USD"].GetProperty("outstanding").GetDecimal().ShouldBe(0m);
    }

    [Fact]
    public async Task a_pledger_shows_how_long_its_money_took_to_arrive()
    {
        await GermanyPledgedAcrossCommitments();

        var pledger = (await Get("/api/pledgers/germany")).GetProperty("pledger");

        var byCommitment = pledger.GetProperty("pledges").EnumerateArray()
            .ToDictionary(p => p.GetProperty("commitmentKey").GetString()!);
        byCommitment[Goal].GetProperty("daysToFirstDisbursement").GetInt32().ShouldBe(60);          // 2024-10-02 -> 12-01
        byCommitment["stabilisation-2021-drive"].GetProperty("daysToFullDisbursement").GetInt32().ShouldBe(60); // 06-28 -> 08-27
        pledger.GetProperty("averageDaysToFirstDisbursement").GetDouble().ShouldBe(60);
    }

    [Fact]
    public async Task the_list_says_how_fresh_it_is()
    {
        await GermanyPledgedAcrossCommitments();

        var list = await Get("/api/pledgers");

        list.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("key").GetString()).ShouldBe(["germany"]);
        var freshness = list.GetProperty("freshness");
        freshness.GetProperty("projection").GetString().ShouldBe("Pledgers");
        freshness.GetProperty("lag").GetInt64().ShouldBe(0);
        freshness.GetProperty("projectedThrough").GetInt64().ShouldBe(freshness.GetProperty("highWaterMark").GetInt64());
    }

    [Fact]
    public async Task pledgers_and_a_pledgers_pledges_come_a_page_at_a_time_with_totals_over_all_of_them()
    {
        await GermanyPledgedAcrossCommitments();

        var firstPledge = await Get("/api/pledgers/germany?pageSize=1");
        var secondPledge = await Get("/api/pledgers/germany?pageSize=1&page=2");
        var list = await Get("/api/pledgers?pageSize=1&page=2");

        var pledger = firstPledge.GetProperty("pledger");
        pledger.GetProperty("pledgeCount").GetInt32().ShouldBe(2);
        pledger.GetProperty("pledges").GetArrayLength().ShouldBe(1);
        pledger.GetProperty("totals").EnumerateArray().Select(t => t.GetProperty("currency").GetString()).ShouldBe(["EUR", "USD"]);
        firstPledge.GetProperty("pageCount").GetInt64().ShouldBe(2);
        secondPledge.GetProperty("pledger").GetProperty("pledges").EnumerateArray().Single().GetProperty("commitmentKey").GetString()
            .ShouldNotBe(pledger.GetProperty("pledges")[0].GetProperty("commitmentKey").GetString());
        list.GetProperty("items").GetArrayLength().ShouldBe(0);
        list.GetProperty("total").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task a_corrected_disbursement_leaves_the_pledgers_totals_too()
    {
        await GermanyPledgedAcrossCommitments();

        await Api.Write($"{Base}/corrections", new { version = 3, reason = "double counted", source = Source });
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        var pledger = (await Get("/api/pledgers/germany")).GetProperty("pledger");
        var eur = pledger.GetProperty("totals").EnumerateArray().Single(t => t.GetProperty("currency").GetString() == "EUR");
        eur.GetProperty("disbursed").GetDecimal().ShouldBe(0m);
        eur.GetProperty("outstanding").GetDecimal().ShouldBe(25_000_000m);
    }

    [Fact]
    public async Task an_unknown_pledger_is_a_404()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());

        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/api/pledgers/atlantis");
            s.StatusCodeShouldBe(404);
        });

        result.ReadProblem(404);
    }
}
