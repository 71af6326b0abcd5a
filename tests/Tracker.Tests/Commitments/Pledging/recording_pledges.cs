using Alba;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Commitments.Pledging;

public sealed class recording_pledges(TrackerApp app) : TrackerTest(app)
{
    private const string Pledges = $"/api/commitments/{Goal}/pledges";

    [Fact]
    public async Task pledges_in_two_currencies_and_a_disbursement_add_up_in_the_target_currency()
    {
        await Api.StatedTheStabilisationGoal();

        var german = await Api.Write(Pledges, GermanPledge(), 201);
        await Api.Write(Pledges, new
        {
            pledger = "United States",
            amount = new { amount = 50_000_000m, currency = "USD" },
            announcedOn = "2024-09-30",
            source = Source
        }, 201);
        var disbursed = await Api.Write($"{Pledges}/germany-1/stages", Disbursement(10_000_000m));

        german.Context.Response.Headers.Location.ToString().ShouldBe($"{Pledges}/germany-1");
        german.Json().GetProperty("pledge").GetProperty("ledgerAmount").GetDecimal().ShouldBe(27_100_000m);
        disbursed.Version().ShouldBe(4);
        var pledges = await Api.ReadPledges();
        pledges.Select(p => p.GetProperty("pledgeId").GetString()).ShouldBe(["germany-1", "united-states-1"]);
        pledges[0].GetProperty("amount").GetProperty("currency").GetString().ShouldBe("EUR");
        pledges[0].GetProperty("disbursed").GetDecimal().ShouldBe(10_000_000m);
        pledges[0].GetProperty("ledgerDisbursed").GetDecimal().ShouldBe(10_500_000m);
        pledges[0].GetProperty("committed").GetDecimal().ShouldBe(0m);
    }

    [Fact]
    public async Task a_pledge_in_another_currency_without_an_exchange_rate_is_a_422_naming_the_rule()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write(Pledges, new
        {
            pledger = "Germany",
            amount = new { amount = 25_000_000m, currency = "EUR" },
            announcedOn = "2024-10-02",
            source = LaterSource
        }, 422);

        var problem = result.ReadProblem(422);
        problem.Type.ShouldNotBeNull().ShouldEndWith("/rules/exchange-rate-required");
        result.Json().GetProperty("rule").GetString().ShouldBe("exchange-rate-required");
    }

    [Fact]
    public async Task a_disbursement_beyond_the_pledge_is_a_422_and_appends_nothing()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, GermanPledge(25_000_000m), 201);

        var result = await Api.Write($"{Pledges}/germany-1/stages", Disbursement(25_000_001m), 422);

        result.Json().GetProperty("rule").GetString().ShouldBe("stage-exceeds-pledge");
        (await Api.ReadCommitment()).GetProperty("version").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task a_stage_or_a_revision_of_a_pledge_the_commitment_does_not_have_is_a_404_naming_it()
    {
        await Api.StatedTheStabilisationGoal();

        var stage = await Api.Write($"{Pledges}/nobody-1/stages", Disbursement(1m), 404);
        var revision = await Api.Write($"{Pledges}/nobody-1/revisions",
            new { amount = new { amount = 1m, currency = "USD" }, reason = "x", source = Source }, 404);

        foreach (var refused in new[] { stage, revision })
        {
            var problem = refused.Json();
            problem.GetProperty("rule").GetString().ShouldBe("unknown-pledge");
            problem.GetProperty("detail").GetString().ShouldBe($"Commitment '{Goal}' has no pledge 'nobody-1'.");
        }
        (await Api.ReadCommitment()).GetProperty("version").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task a_pledge_revision_is_explicit_and_raises_what_can_be_disbursed()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, GermanPledge(25_000_000m), 201);

        await Api.Write($"{Pledges}/germany-1/revisions", new
        {
            amount = new { amount = 30_000_000m, currency = "EUR" },
            exchangeRate = new { rate = 1.09m, on = "2025-01-10" },
            reason = "Germany topped up its pledge at the 2025 conference",
            source = new { url = "https://example.org/a-later-source", primary = true, on = "2025-01-10" }
        });
        await Api.Write($"{Pledges}/germany-1/stages", Disbursement(30_000_000m));

        var pledge = (await Api.ReadPledges())[0];
        pledge.GetProperty("amount").GetProperty("amount").GetDecimal().ShouldBe(30_000_000m);
        pledge.GetProperty("ledgerAmount").GetDecimal().ShouldBe(32_700_000m);
        pledge.GetProperty("disbursed").GetDecimal().ShouldBe(30_000_000m);
    }

    [Fact]
    public async Task a_pledge_toward_an_unknown_commitment_is_a_404()
    {
        var result = await Api.Write("/api/commitments/no-such-goal/pledges", GermanPledge(), 404);

        result.ReadProblem(404).Detail.ShouldNotBeNull().ShouldContain("no-such-goal");
    }

    [Fact]
    public async Task an_invalid_pledge_is_a_400_with_a_field_map()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write(Pledges, new
        {
            pledger = "",
            amount = new { amount = 0, currency = "euro" },
            exchangeRate = new { rate = 0 },
            source = new { primary = true }
        }, 400);

        result.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldBe(
            ["pledger", "amount.amount", "amount.currency", "announcedOn", "exchangeRate.rate", "exchangeRate.on",
                "source.documentKey"], ignoreOrder: true);
    }

    [Fact]
    public async Task a_source_document_that_is_not_registered_is_a_422()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write(Pledges, new
        {
            pledger = "Japan",
            amount = new { amount = 1m, currency = "USD" },
            announcedOn = "2024-10-02",
            source = new { documentKey = "tokyo-2025", primary = true }
        }, 422);

        result.ReadProblem(422).Detail.ShouldNotBeNull().ShouldContain("tokyo-2025");
    }
}
