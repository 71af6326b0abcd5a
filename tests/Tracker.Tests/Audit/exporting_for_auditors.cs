using System.Xml.Linq;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tracker.Api.Exports;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Tests.Commitments;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Audit;

public sealed class exporting_for_auditors(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

    /// <summary>The goal with Germany's EUR pledge (revised once), part of it committed and disbursed, and a milestone beside it.</summary>
    private async Task MoneyInSeveralStages()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"{Base}/pledges/germany-1/revisions", new
        {
            // A source without a day that cites no document: dated the day it is recorded.
            amount = new { amount = 30_000_000m, currency = "EUR" }, exchangeRate = new { rate = 1.09m, on = "2025-01-10" },
            reason = "topped up, \"with thanks\"", source = new { url = "https://example.org/top-up", primary = false }
        });
        await Api.Write($"{Base}/pledges/germany-1/stages", new
        {
            stage = "committed", amount = new { amount = 20_000_000m, currency = "EUR" }, on = "2024-11-01",
            exchangeRate = new { rate = 1.08m, on = "2024-11-01" }, source = LaterSource
        });
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(10_000_000m));
        await Api.Write("/api/commitments", new
        {
            key = "next-ministerial", title = "Hold the next ministerial", kind = "milestone", lineOfEffort = "meetings",
            actors = new[] { "coalition" }, statedIn = new { documentKey = "washington-2024", quote = "q" }
        }, 201);
    }

    private async Task<(string ContentType, string[] Lines)> Csv(string url)
    {
        var result = await Api.Scenario(s => s.Get.Url(url));
        return (result.Context.Response.ContentType!, result.ReadAsText().Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task the_commitments_csv_has_a_row_per_commitment_with_its_progress()
    {
        await MoneyInSeveralStages();

        var (type, lines) = await Csv("/api/exports/commitments.csv");

        type.ShouldStartWith("text/csv");
        lines.Length.ShouldBe(3);
        lines[0].ShouldStartWith("key,title,kind,line_of_effort,actors,target_amount,target_currency");
        var goal = lines.Single(l => l.StartsWith(Goal + ","));
        goal.ShouldContain(",financial,stabilisation,coalition,394000000,USD,");
        goal.ShouldContain(",32700000,21600000,10500000,"); // pledged after revision, committed, disbursed (USD)
        // Columns added later come last, so a reader by position keeps working.
        lines[0].ShouldContain(",version,last_changed_at,latest_stage,status_assessed_on,");
    }

    [Fact]
    public async Task the_commitments_csv_says_how_a_loose_deadline_was_stated()
    {
        await Api.RegisterDocument(Tracker.Tests.Documents.DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", new
        {
            key = "return-of-the-displaced", title = "The displaced return home", kind = "milestone", lineOfEffort = "stabilisation",
            actors = new[] { "coalition" }, deadline = new { precision = "open-ended", description = "as soon as conditions permit, by the end of the decade" },
            statedIn = new { documentKey = "washington-2024", quote = "return home" }
        }, 201);

        var (_, lines) = await Csv("/api/exports/commitments.csv");

        // Until 2026-12-07 the row said "open-ended" alone.
        lines[0].ShouldEndWith(",deadline_description");
        lines.Single(l => l.StartsWith("return-of-the-displaced,"))
            .ShouldEndWith(",\"as soon as conditions permit, by the end of the decade\"");
    }

    [Fact]
    public async Task the_commitments_csv_says_the_figure_the_progress_is_measured_on_and_the_latest_in_the_ledger()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/progress", MoneyFigure(200_000_000m, "more-than", "2024-09-30", "announced"));
        await Api.Write($"/api/commitments/{Goal}/progress", new
        {
            figure = 100_000_000m, currency = "EUR", comparator = "about", asOf = "2025-03-01", stage = "disbursed",
            exchangeRate = new { rate = 1.1m, on = "2025-03-01" }, source = SourceOn("2025-03-01")
        });

        var (_, lines) = await Csv("/api/exports/commitments.csv");

        // Added last (since 2026-12-07), so a reader by position keeps working.
        lines[0].ShouldEndWith(",latest_stage,status_assessed_on,latest_ledger_figure,measured_by_figure,measured_by_unit," +
                               "measured_by_currency,measured_by_stage,measured_by_as_of,measured_by_ledger_figure,deadline_description");
        // The latest report is the euros disbursed, 110,000,000 in the ledger; the goal is measured on the announcement.
        lines.Single(l => l.StartsWith(Goal + ",")).ShouldEndWith(",110000000,200000000,,USD,announced,2024-09-30,200000000,");
    }

    [Fact]
    public async Task the_pledges_csv_has_a_row_per_money_record_with_original_currency_and_rate()
    {
        await MoneyInSeveralStages();

        var (_, lines) = await Csv("/api/exports/pledges.csv");

        lines[0].ShouldBe("commitment,pledge_id,pledger,record,amount,currency,date,exchange_rate,rate_date,ledger_amount,ledger_currency,version,source_document,source_url,source_primary,why,pledger_key");
        var records = lines.Skip(1).Select(l => l.Split(',')[3]).ToList();
        records.ShouldBe(["pledged", "revised", "committed", "disbursed"]);
        // An amount is written without trailing zeros, however it was reached (until 2026-12-06 "27100000.000", the
        // product's scale, beside the pledge's "25000000").
        lines[1].ShouldStartWith($"{Goal},germany-1,Germany,pledged,25000000,EUR,2024-10-02,1.084,2024-10-02,27100000,USD,2,");
        lines[2].ShouldEndWith("\"topped up, \"\"with thanks\"\"\",germany");
        // So is it in the JSON: the revised pledge's 30,000,000 EUR at 1.09 is 32,700,000 USD, not 32700000.00.
        var pledges = (await Api.Scenario(s => s.Get.Url($"{Base}/pledges"))).ReadAsText();
        pledges.ShouldContain("\"ledgerAmount\":32700000,");
        pledges.ShouldNotContain("32700000.0");
        // Each pledge names its pledger's key, which the pledger's page is found by whatever spelling the pledge gave.
        pledges.ShouldContain("\"pledgerKey\":\"germany\"");
    }

    [Fact]
    public async Task a_revision_in_the_pledges_csv_carries_its_own_source_and_day_not_its_pledges()
    {
        await MoneyInSeveralStages();
        // Dated by its source (no earlier than the top-up in force, which took effect the day it was recorded).
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        await Api.Write($"{Base}/pledges/germany-1/revisions", new
        {
            amount = new { amount = 28_000_000m, currency = "EUR" }, exchangeRate = new { rate = 1.1m, on = "2025-01-01" },
            reason = "cut", source = new { url = "https://example.org/cut", primary = false, on = today }
        });

        var (_, lines) = await Csv("/api/exports/pledges.csv");

        var cut = lines.Single(l => l.EndsWith(",cut,germany")).Split(',');
        cut[3].ShouldBe("revised");
        cut[6].ShouldBe(today);
        (cut[12], cut[13], cut[14]).ShouldBe(("", "https://example.org/cut", "false"));
        // A revision whose source gives no day and cites no document is dated the day it was recorded, as the history dates it.
        var topped = lines.Single(l => l.Contains("topped up")).Split(',');
        await using var session = Store.LightweightSession();
        var recorded = (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Goal)))
            .Single(e => e.Data is PledgeRevised { Reason: var reason } && reason.StartsWith("topped up")).Timestamp;
        topped[6].ShouldBe(recorded.UtcDateTime.ToString("yyyy-MM-dd"));
    }

    [Theory]
    [InlineData("/api/exports/commitments.CSV", "text/csv")]
    [InlineData("/api/exports/commitments.csv/", "text/csv")]
    [InlineData(Base + "/history.CSV", "text/csv")]
    [InlineData(Base + "/history.csv/", "text/csv")]
    [InlineData("/api/exports/IATI.XML/", "application/xml")]
    public async Task an_export_whose_path_differs_in_case_or_ends_in_a_slash_is_the_same_file_not_a_500(string url, string type)
    {
        await MoneyInSeveralStages();

        // Until 2026-12-06 a 500 with an empty body: the routes match these paths, the conditional GETs did not.
        var result = await Api.Scenario(s =>
        {
            s.Get.Url(url);
            s.StatusCodeShouldBe(200);
        });
        result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith(type);
        result.ReadAsText().Length.ShouldBeGreaterThan(100);
    }

    [Theory]
    [InlineData("/api/exports/commitments.csv")]
    [InlineData("/api/exports/pledges.csv")]
    [InlineData("/api/exports/iati.xml")]
    [InlineData(Base + "/history.csv")]
    public async Task an_export_asked_for_only_if_there_is_none_is_not_modified_when_there_is_one(string url)
    {
        await MoneyInSeveralStages();

        // "If-None-Match: *" is false where the file exists (RFC 9110 13.1.2): until 2026-12-07 the file was sent.
        var unchanged = await Api.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithRequestHeader("If-None-Match", "*");
            s.StatusCodeShouldBe(304);
        });
        unchanged.ReadAsText().ShouldBeEmpty();
        unchanged.Context.Response.Headers.ContentDisposition.ToString().ShouldBeEmpty();
        // A tag names nothing an export carries, so the file is sent; and a commitment that is not there is still a 404.
        await Api.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithRequestHeader("If-None-Match", "\"1\"");
            s.StatusCodeShouldBe(200);
        });
        await Api.Scenario(s =>
        {
            s.Get.Url("/api/commitments/no-such-goal/history.csv");
            s.WithRequestHeader("If-None-Match", "*");
            s.StatusCodeShouldBe(404);
        });
    }

    [Fact]
    public async Task a_commitments_history_exports_as_csv()
    {
        await MoneyInSeveralStages();

        var (_, lines) = await Csv($"{Base}/history.csv");

        lines[0].ShouldBe("version,sequence,type,recorded_at,effective_on,actor,correlation_id,reason,summary,data,causation_id");
        lines.Length.ShouldBe(6);
        // The revision's reason has a column of its own (since 2026-12-06), and its time is written as the JSON history writes it.
        lines[3].ShouldContain(",\"topped up, \"\"with thanks\"\"\",");
        var history = (await Api.Scenario(s => s.Get.Url($"{Base}/history"))).ReadAsJson<System.Text.Json.JsonElement>();
        var recordedAt = history.GetProperty("items")[2].GetProperty("recordedAt").GetString()!;
        lines[3].ShouldContain($",{recordedAt},");
        lines[2].ShouldContain("pledge-announced");
        lines[2].ShouldContain("Germany pledged EUR 25,000,000 (USD 27,100,000 at 1.084 on 2024-10-02)");
        // The data as the JSON history spells it (the API's names and enum values), not as the log stores it.
        lines[1].ShouldContain("\"\"kind\"\":\"\"financial\"\"");
        lines[1].ShouldNotContain("\"\"Kind\"\"", Case.Sensitive);
    }

    [Fact]
    public async Task the_iati_export_has_an_activity_per_financial_commitment_with_incoming_pledge_commitment_and_funds()
    {
        await MoneyInSeveralStages();

        var result = await Api.Scenario(s => s.Get.Url("/api/exports/iati.xml"));

        var xml = XDocument.Parse(result.ReadAsText());
        var root = xml.Root!;
        root.Name.LocalName.ShouldBe("iati-activities");
        root.Attribute("version")!.Value.ShouldBe("2.03");
        var activity = root.Elements("iati-activity").ShouldHaveSingleItem();
        activity.Attribute("default-currency")!.Value.ShouldBe("USD");
        activity.Element("iati-identifier")!.Value.ShouldBe(Api.Services.GetRequiredService<IOptions<IatiOptions>>().Value.ReportingOrg.Ref + "-" + Goal);
        activity.Element("title")!.Element("narrative")!.Value.ShouldStartWith("Raise and implement $394 million");
        activity.Element("activity-status")!.Attribute("code")!.Value.ShouldBe("1");
        activity.Elements("participating-org").Select(o => (o.Attribute("role")!.Value, o.Element("narrative")!.Value))
            .ShouldBe([("2", "coalition"), ("1", "Germany")]);
        activity.Element("budget").ShouldBeNull(); // no deadline: no budget period IATI would accept

        var transactions = activity.Elements("transaction").Select(t => new
        {
            Type = t.Element("transaction-type")!.Attribute("code")!.Value,
            Date = t.Element("transaction-date")!.Attribute("iso-date")!.Value,
            Value = t.Element("value")!,
            Provider = t.Element("provider-org")!.Element("narrative")!.Value
        }).ToList();
        // The announcement, then the top-up as a pledge of its own difference, dated the day it was recorded (its source
        // gives none), then the stages.
        await using var session = Store.LightweightSession();
        var toppedUp = DateOnly.FromDateTime((await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Goal)))
            .Single(e => e.Data is PledgeRevised).Timestamp.UtcDateTime).ToString("yyyy-MM-dd");
        transactions.Select(t => t.Type).ShouldBe(["13", "13", "11", "1"]);
        transactions.ShouldAllBe(t => t.Provider == "Germany" && t.Value.Attribute("currency")!.Value == "EUR");
        transactions.Select(t => t.Value.Value).ShouldBe(["25000000", "5000000", "20000000", "10000000"]);
        transactions.Select(t => t.Value.Attribute("value-date")!.Value).ShouldBe(["2024-10-02", toppedUp, "2024-11-01", "2024-12-01"]);
        transactions.Select(t => t.Date).ShouldBe(["2024-10-02", toppedUp, "2024-11-01", "2024-12-01"]);
    }
}
