using System.Text;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Api.Exports;
using Tracker.Api.Security;
using Tracker.Domain;
using Tracker.Tests.Commitments;
using Tracker.Tests.Documents;
using Tracker.Tests.Faults;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Audit;

/// <summary>
/// CSV injection (OWASP): no cell of an export that came from a user may start as a spreadsheet formula, whichever
/// column, type or way in (body, token, header, old data in the log) it came by.
/// </summary>
public sealed class exported_csv_cells(TrackerApp app) : TrackerTest(app)
{
    private enum Shape { Plain }

    private sealed record Named(string Text)
    {
        public override string ToString() => Text;
    }

    [Theory]
    [InlineData("=1+1")]
    [InlineData("+1+1")]
    [InlineData("-1+1")]
    [InlineData("@SUM(A1)")]
    [InlineData("\t=1+1")]
    [InlineData("\r=1+1")]
    [InlineData("\n=1+1")]
    [InlineData("  =1+1")]
    [InlineData("\u3000=1+1")]
    [InlineData("\uFF1D1+1")]
    [InlineData("\uFF0B1")]
    [InlineData("\uFF0D1")]
    [InlineData("\uFF20SUM(A1)")]
    public void text_that_a_spreadsheet_would_run_is_written_after_an_apostrophe_whatever_its_type(string text)
    {
        Unquoted(Csv.Cell(text)).ShouldBe("'" + text);
        Unquoted(Csv.Cell(new Named(text))).ShouldBe("'" + text);
    }

    [Fact]
    public void text_that_opens_with_an_apostrophe_gets_one_more_so_it_reads_apart_from_a_defused_formula()
    {
        // Until 2026-12-06 a pledger named "'=1+1" and one named "=1+1" were both written "'=1+1".
        Csv.Cell("'=1+1").ShouldBe("''=1+1");
        Csv.Cell("=1+1").ShouldBe("'=1+1");
        Csv.Cell("'tis").ShouldBe("''tis");
    }

    [Fact]
    public void numbers_and_dates_the_service_writes_stay_as_they_are_and_plain_text_is_untouched()
    {
        Csv.Cell(-5m).ShouldBe("-5");
        Csv.Cell(-5L).ShouldBe("-5");
        Csv.Cell(new DateOnly(2024, 10, 2)).ShouldBe("2024-10-02");
        Csv.Cell(Shape.Plain).ShouldBe("Plain");
        Csv.Cell("Germany").ShouldBe("Germany");
        Csv.Cell("a = b, c").ShouldBe("\"a = b, c\"");
    }

    [Fact]
    public async Task no_exported_cell_from_a_body_a_token_s_subject_or_old_data_in_the_log_starts_as_a_formula()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", new
        {
            key = Goal, title = "=HYPERLINK(\"https://evil.example\",\"Click\")", kind = "financial", lineOfEffort = "+stabilisation",
            actors = new[] { "@coalition", "members" }, target = new { amount = 394_000_000m, currency = "USD" },
            statedIn = new { documentKey = "washington-2024", quote = "-a goal" }
        }, 201, ("Authorization", "Bearer " + TestIdentities.Token("=carol", Roles.Monitor)));
        await Api.Write($"/api/commitments/{Goal}/pledges", new
        {
            pledger = "+cmd Land", amount = new { amount = 5_000_000m, currency = "USD" }, announcedOn = "2024-10-02",
            source = new { url = "https://example.org/=x", primary = false, note = "\tnoted" }
        }, 201);
        await Api.Write($"/api/commitments/{Goal}/pledges/cmd-land-1/revisions", new
        {
            amount = new { amount = 6_000_000m, currency = "USD" }, reason = "\uFF0D1 then \uFF0B2",
            source = new { url = "https://example.org/revised", primary = false }
        });
        await AnEventOfAnOlderVersionRecordedBy(actor: "@SUM(1+1)", correlationId: "=HYPERLINK(\"https://evil.example\")");

        foreach (var url in new[] { "/api/exports/commitments.csv", "/api/exports/pledges.csv", $"/api/commitments/{Goal}/history.csv" })
        {
            var rows = Parse(await Text(url));
            rows.Count.ShouldBeGreaterThan(1, url);
            var formulas = rows.SelectMany(r => r).Where(cell => Csv.RunsAsFormula(cell) && !decimal.TryParse(cell, out _)).ToList();
            formulas.ShouldBeEmpty(url);
        }
        var history = Parse(await Text($"/api/commitments/{Goal}/history.csv"));
        history[1][5].ShouldBe("'=carol");
        history[^1][5].ShouldBe("'@SUM(1+1)");
        history[^1][6].ShouldBe("'=HYPERLINK(\"https://evil.example\")");
        Parse(await Text("/api/exports/commitments.csv"))[1][1].ShouldBe("'=HYPERLINK(\"https://evil.example\",\"Click\")");
        Parse(await Text("/api/exports/pledges.csv"))[2][15].ShouldBe("'\uFF0D1 then \uFF0B2");
    }

    [Theory]
    [InlineData("=HYPERLINK(\"https://evil.example\")")]
    [InlineData("-1+1")]
    [InlineData("@SUM(1+1)")]
    [InlineData("+1")]
    [InlineData("{5c0f}")]
    public async Task a_correlation_id_that_does_not_begin_with_a_letter_or_a_digit_is_refused_at_the_door(string correlationId)
    {
        await Api.StatedTheStabilisationGoal();
        var before = await Api.EventCount();

        var refused = await Api.Scenario(s =>
        {
            s.Post.Json(GermanPledge()).ToUrl($"/api/commitments/{Goal}/pledges");
            s.WithRequestHeader("X-Correlation-Id", correlationId);
            s.StatusCodeShouldBe(400);
        });

        refused.ReadAsText().ShouldContain("X-Correlation-Id");
        (await Api.EventCount()).ShouldBe(before);
    }

    /// <summary>A pledge as version 1 stored it, by an actor and a correlation id the API no longer lets in.</summary>
    private async Task AnEventOfAnOlderVersionRecordedBy(string actor, string correlationId)
    {
        await using var command = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("""
            with stream as (update tracker.mt_streams set version = version + 1 where id = $1 returning version)
            insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, correlation_id, user_name)
            select nextval('tracker.mt_events_sequence'), gen_random_uuid(), $1, stream.version,
                   '{"CommitmentKey": "stabilisation-394m", "PledgeId": "united-states-1", "Pledger": "-United States",
                     "Amount": 50000000, "Currency": "USD", "AnnouncedOn": "2024-09-30", "DocumentKey": "washington-2024"}',
                   'pledge_made', now(), $2, $3
            from stream
            """);
        command.Parameters.AddWithValue(StreamIds.ForCommitment(Goal));
        command.Parameters.AddWithValue(correlationId);
        command.Parameters.AddWithValue(actor);
        (await command.ExecuteNonQueryAsync()).ShouldBe(1);
    }

    private async Task<string> Text(string url) => (await Api.Scenario(s => s.Get.Url(url))).ReadAsText();

    private static string Unquoted(string cell) =>
        cell.StartsWith('"') ? cell[1..^1].Replace("\"\"", "\"") : cell;

    /// <summary>RFC 4180: quoted cells may hold commas, quotes (doubled) and line breaks.</summary>
    private static List<string[]> Parse(string csv)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c != '"') cell.Append(c);
                else if (i + 1 < csv.Length && csv[i + 1] == '"') { cell.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                row.Add(cell.ToString()); cell.Clear();
                rows.Add([.. row]); row.Clear();
                i++;
            }
            else cell.Append(c);
        }
        return rows;
    }
}
