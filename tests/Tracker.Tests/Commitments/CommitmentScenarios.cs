using System.Text.Json;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Tests.Documents;

namespace Tracker.Tests.Commitments;

/// <summary>What monitors do to commitments, in the words the tests use.</summary>
public static class CommitmentScenarios
{
    public const string Goal = "stabilisation-394m";

    public static object Source => new { documentKey = "washington-2024", primary = true };

    /// <summary>
    /// A source for a fact after 2024-09-30, which the Washington communiqué cannot record (a monitor's report by its
    /// address).
    /// </summary>
    public static object LaterSource => new { url = "https://example.org/monitor-report", primary = false };

    /// <summary>The Washington communiqué for a fact of its day or before, a monitor's report for one after it.</summary>
    public static object SourceOn(string day) => string.CompareOrdinal(day, "2024-09-30") > 0 ? LaterSource : Source;

    public static object StabilisationGoal(string key = Goal, string documentKey = "washington-2024") => new
    {
        key,
        title = "Raise and implement $394 million for areas liberated from Daesh/ISIS",
        kind = "financial",
        lineOfEffort = "stabilisation",
        actors = new[] { "coalition" },
        target = new { amount = 394_000_000m, currency = "USD" },
        statedIn = new
        {
            documentKey,
            paragraph = "5",
            quote = "a goal of raising and implementing $394 million for areas liberated from Daesh/ISIS"
        }
    };

    /// <summary>
    /// Every deadline check due by now has run (the durable messages a write schedules for a deadline that may pass): the
    /// passings they record are in the log.
    /// </summary>
    public static async Task NoDeadlineCheckPending(this IAlbaHost api)
    {
        await using var pending = api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
            "select count(*) from tracker.wolverine_incoming_envelopes where message_type like '%CheckDeadline%' " +
            "and (status = 'Incoming' or status = 'Scheduled' and execution_time <= now())");
        await Tracker.Tests.ReadModels.Eventually.Until(async () => (long)(await pending.ExecuteScalarAsync())!, count => count == 0);
    }

    /// <summary>The Washington communiqué is registered and the $394 million goal stated in it.</summary>
    public static async Task StatedTheStabilisationGoal(this IAlbaHost api)
    {
        await api.RegisterDocument(DocumentScenarios.Washington2024());
        await api.Write("/api/commitments", StabilisationGoal(), 201);
    }

    /// <summary>A quantitative commitment counted in camps: from 200 down to 100.</summary>
    public static async Task StatedFewerCamps(this IAlbaHost api)
    {
        await api.RegisterDocument(DocumentScenarios.Washington2024());
        await api.Write("/api/commitments", new
        {
            key = "fewer-camps", title = "Fewer camps in northeast Syria", kind = "quantitative", lineOfEffort = "detention-and-camps",
            actors = new[] { "coalition" }, target = new { amount = 100, unit = "camps", baseline = 200 },
            statedIn = new { documentKey = "washington-2024", quote = "reduce the number of camps" }
        }, 201);
    }

    public static object GermanPledge(decimal euros = 25_000_000m) => new
    {
        pledger = "Germany",
        amount = new { amount = euros, currency = "EUR" },
        announcedOn = "2024-10-02",
        exchangeRate = new { rate = 1.084m, on = "2024-10-02" },
        // Announced two days after the communiqué, so not recorded in it: cited by the announcement's own address.
        source = new { url = "https://example.org/german-pledge", primary = true }
    };

    public static object Disbursement(decimal amount, string currency = "EUR", decimal? rate = 1.05m) => new
    {
        stage = "disbursed",
        amount = new { amount, currency },
        on = "2024-12-01",
        exchangeRate = rate is null ? null : new { rate, on = "2024-12-01" },
        source = new { url = "https://example.org/disbursement-report", primary = false }
    };

    public static object Progress(decimal figure = 200_000_000m) => new
    {
        figure,
        currency = "USD",
        comparator = "more-than",
        asOf = "2024-09-30",
        note = "members have already announced commitments totalling more than $200 million",
        source = Source
    };

    /// <summary>
    /// A money figure in USD as a report states it, with the stage of money it counts if the text says, cited from the
    /// communiqué up to its day and from a monitor's report after it.
    /// </summary>
    public static object MoneyFigure(decimal figure, string comparator, string asOf, string? stage = null) =>
        new { figure, currency = "USD", comparator, asOf, stage, source = SourceOn(asOf) };

    /// <summary>POSTs a body and checks the status; headers are name/value pairs.</summary>
    public static Task<IScenarioResult> Write(this IAlbaHost api, string url, object body, int expectedStatus = 200,
        params (string Name, string Value)[] headers) => api.Scenario(s =>
    {
        s.Post.Json(body).ToUrl(url);
        foreach (var (name, value) in headers) s.WithRequestHeader(name, value);
        s.StatusCodeShouldBe(expectedStatus);
    });

    public static async Task<JsonElement> ReadCommitment(this IAlbaHost api, string key = Goal)
    {
        var result = await api.Scenario(s => s.Get.Url($"/api/commitments/{key}"));
        return JsonDocument.Parse(result.ReadAsText()).RootElement.Clone();
    }

    /// <summary>The commitment's pledges, as its pledges page lists them.</summary>
    public static async Task<List<JsonElement>> ReadPledges(this IAlbaHost api, string key = Goal) =>
        (await api.Scenario(s => s.Get.Url($"/api/commitments/{key}/pledges"))).Json().GetProperty("items").EnumerateArray().ToList();

    /// <summary>The standing facts of one type ("progress-reported") on the commitment's timeline, as recorded.</summary>
    public static async Task<List<JsonElement>> ReadFacts(this IAlbaHost api, string type, string key = Goal) =>
        (await api.Scenario(s => s.Get.Url($"/api/commitments/{key}/timeline?limit=500"))).Json().GetProperty("items")
            .EnumerateArray().Where(e => e.GetProperty("type").GetString() == type).Select(e => e.GetProperty("data")).ToList();

    public static int Version(this IScenarioResult result) =>
        int.Parse(result.Context.Response.Headers.ETag.ToString().Trim('"'));

    public static JsonElement Json(this IScenarioResult result) => JsonDocument.Parse(result.ReadAsText()).RootElement.Clone();
}
