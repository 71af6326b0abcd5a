using System.Text.Json;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Domain;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Audit;

public sealed class tamper_evidence(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

    private async Task<JsonElement> Get(string url) => (await Api.Scenario(s => s.Get.Url(url))).Json();

    private async Task Sql(string sql)
    {
        await using var command = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>What only a superuser can do: switch the append-only triggers off for one transaction, then change rows.</summary>
    private Task AsSuperuserBehindTheTriggers(string sql) =>
        Sql($"begin; set local session_replication_role = replica; {sql}; commit;");

    [Theory]
    [InlineData("update tracker.mt_events set data = '{}'")]
    [InlineData("delete from tracker.mt_events")]
    [InlineData("update tracker.event_hashes set hash = 'x'")]
    [InlineData("delete from tracker.event_hashes")]
    public async Task the_database_refuses_to_change_or_delete_a_recorded_event_or_its_hash(string change)
    {
        await AHistory();

        var refused = await Should.ThrowAsync<PostgresException>(() => Sql(change));

        refused.MessageText.ShouldContain("append-only");
        (await Get($"/api/audit/commitments/{Goal}/verify")).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }

    private async Task<long> SequenceOf(int version)
    {
        await using var session = Store.QuerySession();
        return (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Goal))).Single(e => e.Version == version).Sequence;
    }

    /// <summary>Four events on the goal: stated, Germany's pledge, a disbursement, a reported figure.</summary>
    private async Task AHistory()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(10_000_000m));
        await Api.Write($"{Base}/progress", Progress());
    }

    [Fact]
    public async Task an_untouched_log_verifies_intact()
    {
        await AHistory();

        var commitment = await Get($"/api/audit/commitments/{Goal}/verify");
        var store = await Get("/api/audit/verify");

        commitment.GetProperty("intact").GetBoolean().ShouldBeTrue();
        commitment.GetProperty("eventsChecked").GetInt64().ShouldBe(4);
        store.GetProperty("intact").GetBoolean().ShouldBeTrue();
        store.GetProperty("eventsChecked").GetInt64().ShouldBe(5); // and the document's registration
    }

    [Fact]
    public async Task editing_an_event_row_in_postgresql_is_found_at_exactly_that_event()
    {
        await AHistory();
        var tampered = await SequenceOf(2);

        // Somebody with database access quietly raises Germany's pledge.
        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = jsonb_set(data, '{{Amount,Amount}}', '250000000') where seq_id = {tampered}");

        var commitment = await Get($"/api/audit/commitments/{Goal}/verify");
        var store = await Get("/api/audit/verify");
        foreach (var report in new[] { commitment, store })
        {
            report.GetProperty("intact").GetBoolean().ShouldBeFalse();
            var found = report.GetProperty("firstBreak");
            found.GetProperty("sequence").GetInt64().ShouldBe(tampered);
            found.GetProperty("version").GetInt64().ShouldBe(2);
            found.GetProperty("type").GetString().ShouldBe("pledge_announced");
            found.GetProperty("reason").GetString()!.ShouldContain("data changed");
        }
    }

    [Fact]
    public async Task rewriting_an_event_and_its_hash_breaks_the_link_of_the_next_event()
    {
        await AHistory();
        var tampered = await SequenceOf(2);
        var next = await SequenceOf(3);

        await AsSuperuserBehindTheTriggers($$"""
            update tracker.mt_events set data = jsonb_set(data, '{Amount,Amount}', '250000000') where seq_id = {{tampered}};
            update tracker.event_hashes h set hash = encode(sha256(convert_to(e.type || E'\n' || e.version::text || E'\n' ||
                   e.data::text || E'\n' || coalesce(h.previous_hash, ''), 'UTF8')), 'hex')
              from tracker.mt_events e where e.seq_id = h.seq_id and h.seq_id = {{tampered}}
            """);

        var report = await Get($"/api/audit/commitments/{Goal}/verify");
        report.GetProperty("intact").GetBoolean().ShouldBeFalse();
        report.GetProperty("firstBreak").GetProperty("sequence").GetInt64().ShouldBe(next);
        report.GetProperty("firstBreak").GetProperty("reason").GetString()!.ShouldContain("link");
    }

    [Fact]
    public async Task an_event_inserted_behind_the_trigger_has_no_hash_and_is_found()
    {
        await AHistory();
        var last = await SequenceOf(4);

        await AsSuperuserBehindTheTriggers($"delete from tracker.event_hashes where seq_id = {last}");

        var report = await Get($"/api/audit/commitments/{Goal}/verify");
        report.GetProperty("firstBreak").GetProperty("sequence").GetInt64().ShouldBe(last);
        report.GetProperty("firstBreak").GetProperty("reason").GetString()!.ShouldContain("no hash");
    }

    [Fact]
    public async Task every_changed_event_is_reported_not_only_the_first()
    {
        await AHistory();
        var pledge = await SequenceOf(2);
        var report = await SequenceOf(4);

        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = jsonb_set(data, '{{Amount,Amount}}', '250000000') where seq_id = {pledge}");
        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = jsonb_set(data, '{{Figure}}', '1') where seq_id = {report}");

        var found = await Get($"/api/audit/commitments/{Goal}/verify");
        found.GetProperty("intact").GetBoolean().ShouldBeFalse();
        found.GetProperty("breakCount").GetInt64().ShouldBe(2);
        found.GetProperty("breaks").EnumerateArray().Select(b => b.GetProperty("sequence").GetInt64()).ShouldBe([pledge, report]);
        found.GetProperty("firstBreak").GetProperty("sequence").GetInt64().ShouldBe(pledge);
    }

    [Fact]
    public async Task writes_that_lose_a_race_leave_nothing_that_verification_reports_as_a_break()
    {
        await AHistory();
        var current = await SequenceOf(4);
        var client = Api.Server.CreateClient();

        // Ten writers with the same If-Match: one wins, the others fail after Marten reserved their sequence numbers
        // (it fills them with tombstone events).
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{Base}/evidence")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { url = $"https://example.org/race-{i}", primary = false })
            };
            request.Headers.TryAddWithoutValidation("If-Match", "\"4\"");
            using var response = await client.SendAsync(request);
            return (int)response.StatusCode;
        }));

        answers.Count(s => s == 200).ShouldBe(1);
        current.ShouldBeGreaterThan(0);
        // Marten writes the losers' tombstones in the background, so whether any are in yet varies; verification must
        // be intact either way.
        var whole = await Get("/api/audit/verify");
        whole.GetProperty("intact").GetBoolean().ShouldBeTrue(whole.ToString());
        whole.GetProperty("breakCount").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task the_command_line_verifies_the_whole_log()
    {
        await AHistory();

        var (exitCode, output) = await CommandLine.Run(TestDatabase.ConnectionString(), "audit-verify");

        exitCode.ShouldBe(0, output);
        output.ShouldContain("The log is intact: 5 events checked.");
    }
}
