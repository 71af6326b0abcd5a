using System.Text;
using System.Text.Json;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Faults;

/// <summary>
/// A body the JSON reader refuses is said of as a whole: what is wrong with it as bytes (not UTF-8, cut short), and beside
/// the fields it left out, every other mistake in it, so that a client hears them all on its first try. Until 2026-12-06
/// the first two were called a value of the wrong type, and the rest was heard only once the left-out fields were sent.
/// </summary>
public sealed class bodies_said_whole(TrackerApp app) : TrackerTest(app)
{
    private const string PledgeUrl = $"/api/commitments/{Goal}/pledges";

    private async Task<(int Status, JsonElement Body)> Send(string url, byte[] body)
    {
        using var client = Api.Server.CreateClient();
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var response = await client.PostAsync(url, content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private Task<(int Status, JsonElement Body)> Send(string url, string json) => Send(url, Encoding.UTF8.GetBytes(json));

    private static Dictionary<string, string[]> Errors(JsonElement problem) =>
        problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;

    [Theory]
    [InlineData("""{"pledger":"Japan","amount":{"amount":"100","currency":"USD"},"announcedOn":"2024-09-30","source":{"url":"https://example.org/p","primary":true}}""", "amount.amount", "The request is not valid")]
    [InlineData("""{"pledger":"Japan","amount":{"amount":100,"currency":"USD"},"announcedOn":"2024-09-30","source":{"url":"https://example.org/p","Primary":true}}""", "source.Primary", "The request is not valid")]
    [InlineData("""{"pledger":"Japan","amount":{"amount":100,"currency":"USD"},"announcedOn":"2024-09-30","extra":1,"source":{"url":"https://example.org/p","primary":true}}""", "extra", "The request is not valid")]
    [InlineData("""{"pledger":"Japan","amount":{"amount":100,"currency":"USD"},""", "body", "The request body could not be read")]
    [InlineData("""{"pledger":"Japan",}""", "body", "The request body could not be read")]
    [InlineData("""{"pledger":"Japan","amount":{"amount":01,"currency":"USD"}}""", "amount.amount", "The request body could not be read")]
    public async Task a_mistake_in_a_body_that_reads_as_json_is_titled_as_the_rules_mistakes_are(string json, string field, string title)
    {
        // Until 2026-12-07 every mistake the JSON reader found was "could not be read", though the body was JSON.
        await Api.StatedTheStabilisationGoal();

        var (status, problem) = await Send(PledgeUrl, json);

        status.ShouldBe(400);
        problem.GetProperty("title").GetString().ShouldBe(title);
        Errors(problem).Keys.ShouldContain(field);
    }

    [Fact]
    public async Task bytes_that_are_not_utf8_are_unreadable_wherever_they_sit_and_a_byte_order_mark_changes_nothing()
    {
        await Api.StatedTheStabilisationGoal();
        byte[] Bytes(string text, params byte[] after) => [.. Encoding.UTF8.GetBytes(text), .. after];

        var inString = await Send(PledgeUrl, [.. Bytes("{\"pledger\":\"caf"), 0xE9, .. Bytes("\"}")]);
        var afterIt = await Send(PledgeUrl, Bytes("{\"pledger\":\"A\"}", 0xE9));
        var marked = await Send(PledgeUrl, [0xEF, 0xBB, 0xBF, .. Bytes("{\"zzz\":1}")]);

        // Until 2026-12-07 the first was "not valid" and the third "could not be read".
        inString.Body.GetProperty("title").GetString().ShouldBe("The request body could not be read");
        afterIt.Body.GetProperty("title").GetString().ShouldBe("The request body could not be read");
        marked.Body.GetProperty("title").GetString().ShouldBe("The request is not valid");
    }

    [Fact]
    public async Task a_pledge_that_leaves_out_its_amount_hears_of_its_other_mistakes_too()
    {
        await Api.StatedTheStabilisationGoal();

        var (status, problem) = await Send(PledgeUrl, """
            {"pledger":"","amount":{"currency":"dollars"},"announcedOn":"2024-10-02","source":{"documentKey":"washington-2024"}}
            """);

        status.ShouldBe(400);
        problem.GetProperty("title").GetString().ShouldBe("The request is not valid");
        var errors = Errors(problem);
        errors.Keys.ShouldBe(["amount.amount", "source.primary", "pledger", "amount.currency"], ignoreOrder: true);
        errors["amount.amount"].ShouldBe(["This field is required."]);
        errors["source.primary"].ShouldBe(["This field is required."]);
        problem.GetProperty("detail").GetString().ShouldStartWith("'amount.amount': This field is required. 'source.primary': This field is required.");
        (await Api.ReadPledges()).ShouldBeEmpty();
    }

    [Fact]
    public async Task a_rule_that_turns_on_a_left_out_value_is_not_said()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());

        // Whether 2024-06-15 is a deadline's right date depends on its precision, which was left out: a day would take it,
        // a month would not. Only the precision is said; the title's mistake, which holds whatever the precision, is too.
        var (status, problem) = await Send("/api/commitments", """
            {"key":"next-meeting","title":"","kind":"milestone","lineOfEffort":"meetings","actors":["coalition"],
             "deadline":{"date":"2024-06-15"},"statedIn":{"documentKey":"washington-2024","quote":"q"}}
            """);

        status.ShouldBe(400);
        Errors(problem).Keys.ShouldBe(["deadline.precision", "title"], ignoreOrder: true);
    }

    [Theory]
    [InlineData("{\"figure\": 5,")]
    [InlineData("{\"figure\": 5, \"unit\": \"peo")]
    [InlineData("{\"figure\": 5, \"source\"")]
    [InlineData("{\"figure\": 5")]
    public async Task a_body_cut_short_is_said_to_end_before_its_json(string body)
    {
        await Api.StatedTheStabilisationGoal();

        var (status, problem) = await Send($"/api/commitments/{Goal}/progress", body);

        status.ShouldBe(400);
        Errors(problem).Keys.ShouldBe(["body"]);
        problem.GetProperty("detail").GetString().ShouldBe(
            "The body ends before its JSON does (a value, a closing quote, brace or bracket is missing): send it whole.");
    }

    [Fact]
    public async Task a_body_that_is_not_utf8_is_said_to_be_not_utf8_and_where()
    {
        await Api.StatedTheStabilisationGoal();
        // "café" in Latin-1: the é is the byte 0xE9, the 27th of the body.
        var latin1 = Encoding.Latin1.GetBytes("{\"figure\": 5, \"unit\": \"caf\u00e9\", \"asOf\": \"2024-09-30\"}");

        var (status, problem) = await Send($"/api/commitments/{Goal}/progress", latin1);

        status.ShouldBe(400);
        Errors(problem).Keys.ShouldBe(["body"]);
        problem.GetProperty("detail").GetString().ShouldBe("The body is not UTF-8 from its byte 27 on: send the JSON encoded as UTF-8.");
    }

    [Fact]
    public async Task a_whole_number_past_what_its_field_holds_is_said_to_be_past_it_not_miswritten()
    {
        await Api.StatedTheStabilisationGoal();

        var (status, problem) = await Send($"/api/commitments/{Goal}/corrections",
            """{"version":2147483648,"reason":"wrong","source":{"url":"https://example.org/c","primary":false}}""");
        var (_, miswritten) = await Send($"/api/commitments/{Goal}/corrections",
            """{"version":2.5,"reason":"wrong","source":{"url":"https://example.org/c","primary":false}}""");

        status.ShouldBe(400);
        problem.GetProperty("detail").GetString().ShouldBe("'version': This value is past the largest whole number this field holds (2,147,483,647).");
        miswritten.GetProperty("detail").GetString().ShouldBe("'version': This value must be a whole number, written in digits alone (7, not 7.0 or 7e0).");
    }

    [Fact]
    public async Task a_property_given_twice_after_the_first_mistake_is_still_a_400()
    {
        await Api.StatedTheStabilisationGoal();
        // The reader stops at the first mistake, before the repeated property; the body read again for what the refusal
        // can say must not stumble on it (a review found it made the answer a 500).
        var pastRange = await Send($"/api/commitments/{Goal}/corrections",
            """{"version":2147483648,"reason":"a","reason":"b","source":{"url":"https://example.org/c","primary":false}}""");
        var (leftOut, problem) = await Send(PledgeUrl, """
            {"pledger":"Germany","amount":{"currency":"USD"},"pledger":"Japan","announcedOn":"2024-10-02","source":{"documentKey":"washington-2024","primary":true}}
            """);

        pastRange.Status.ShouldBe(400);
        pastRange.Body.GetProperty("detail").GetString().ShouldBe(
            "'version': This value must be a whole number from -2,147,483,648 to 2,147,483,647, written in digits alone (7, not 7.0 or 7e0).");
        leftOut.ShouldBe(400);
        Errors(problem).ShouldContainKey("amount.amount");
    }

    [Fact]
    public async Task pledged_money_with_more_than_six_decimal_places_is_refused_naming_the_field()
    {
        await Api.StatedTheStabilisationGoal();

        var (status, problem) = await Send(PledgeUrl, """
            {"pledger":"Germany","amount":{"amount":0.0000001,"currency":"USD"},"announcedOn":"2024-10-02","source":{"url":"https://example.org/monitor-report","primary":false}}
            """);
        var (trailingZeros, _) = await Send(PledgeUrl, """
            {"pledger":"Germany","amount":{"amount":1.50000000,"currency":"USD"},"announcedOn":"2024-10-02","source":{"url":"https://example.org/monitor-report","primary":false}}
            """);

        status.ShouldBe(400);
        Errors(problem)["amount.amount"].ShouldBe(["amount.amount has at most 6 decimal places (a millionth of a unit, below every currency's minor unit): pledged money is summed into totals that stay exact."]);
        trailingZeros.ShouldBe(201);
    }

    [Fact]
    public async Task a_figure_left_out_is_required_and_a_quote_too_long_is_said_to_be_too_long()
    {
        await Api.StatedTheStabilisationGoal();
        var quote = new string('q', 2001);

        var (_, report) = await Send($"/api/commitments/{Goal}/progress", """
            {"currency":"USD","comparator":"about","asOf":"2024-09-30","source":{"documentKey":"washington-2024","primary":true}}
            """);
        var (_, statement) = await Send("/api/commitments", $$$"""
            {"key":"long-quote","title":"T","kind":"milestone","lineOfEffort":"meetings","actors":["coalition"],
             "statedIn":{"documentKey":"washington-2024","quote":"{{{quote}}}"}}
            """);

        Errors(report)["figure"].ShouldBe(["figure is required."]);
        Errors(statement)["statedIn.quote"].ShouldBe(["statedIn.quote must be at most 2,000 characters (it has 2,001)."]);
    }

    [Fact]
    public async Task every_rule_names_a_nested_field_by_its_whole_path()
    {
        await Api.StatedTheStabilisationGoal();

        var (status, problem) = await Send(PledgeUrl, """
            {"pledger":"Germany","amount":{"amount":-5,"currency":"USD"},"announcedOn":"2024-10-02","source":{"documentKey":"washington-2024","primary":true}}
            """);

        status.ShouldBe(400);
        Errors(problem)["amount.amount"].ShouldBe(["'amount.amount' must be greater than '0'."]);
    }

    [Fact]
    public async Task a_broken_body_that_is_whole_is_still_said_to_be_broken_where_it_breaks()
    {
        await Api.StatedTheStabilisationGoal();

        var (status, problem) = await Send($"/api/commitments/{Goal}/progress", "{\"figure\": 5 \"unit\": \"people\"}");

        status.ShouldBe(400);
        problem.GetProperty("detail").GetString().ShouldNotBeNull().ShouldNotContain("ends before");
    }
}
