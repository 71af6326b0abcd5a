using System.Text.Json;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Tests.Commitments;
using Tracker.Tests.ReadModels;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Faults;

/// <summary>In the rebuild collection: a poison event makes rebuilds fail, which must not disturb other tests' rebuilds.</summary>
[Collection(RebuildCollection.Name)]
public sealed class gaps_and_poison_events(TrackerApp app) : TrackerTest(app)
{
    private NpgsqlDataSource Database => Api.Services.GetRequiredService<NpgsqlDataSource>();

    private async Task<JsonElement?> Pledger(string key)
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url($"/api/pledgers/{key}");
            s.IgnoreStatusCode();
        });
        return result.Context.Response.StatusCode == 200 ? result.Json() : null;
    }

    private Task<JsonElement> PledgerEventually(string key) =>
        Eventually.Until(async () => await Pledger(key) ?? default, p => p.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(30));

    [Fact]
    public async Task a_sequence_gap_from_a_rolled_back_transaction_does_not_stall_the_async_projections()
    {
        await Api.StatedTheStabilisationGoal();
        await using (var connection = await Database.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            // What an append that failed after reserving its sequence numbers leaves behind.
            await using var reserve = new NpgsqlCommand("select nextval('tracker.mt_events_sequence') from generate_series(1, 5)", connection, transaction);
            await reserve.ExecuteNonQueryAsync();
            await transaction.RollbackAsync();
        }

        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);

        var germany = await PledgerEventually("germany");
        germany.GetProperty("pledger").GetProperty("pledges").GetArrayLength().ShouldBe(1);
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    /// <summary>
    /// A pledge with no amount, as a bug or an old version might have written it, straight into the log: the pledger
    /// projection cannot apply it.
    /// </summary>
    private async Task<long> APoisonEventInTheLog()
    {
        var stream = Guid.NewGuid();
        await using var command = Database.CreateCommand("""
            with stream as (insert into tracker.mt_streams (id, type, version) values ($1, 'Commitment', 1) returning id)
            insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, correlation_id)
            select nextval('tracker.mt_events_sequence'), gen_random_uuid(), stream.id, 1,
                   '{"Pledger": "Poisonia", "PledgeId": "poisonia-1", "CommitmentKey": "nowhere", "AnnouncedOn": "2024-10-02",
                     "Amount": null, "Source": {"Primary": true, "DocumentKey": "washington-2024"}}',
                   'pledge_announced', now(), 'Tracker.Domain.Commitments.PledgeAnnounced, Tracker.Domain', 'poison'
            from stream
            returning seq_id
            """);
        command.Parameters.AddWithValue(stream);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task the_daemon_skips_and_records_a_poison_event_and_keeps_projecting_the_rest()
    {
        await Api.StatedTheStabilisationGoal();
        var poison = await APoisonEventInTheLog();

        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);

        (await PledgerEventually("germany")).GetProperty("pledger").GetProperty("pledges").GetArrayLength().ShouldBe(1);
        (await Pledger("poisonia")).ShouldBeNull();
        var deadLetters = await Eventually.Until(async () =>
        {
            await using var command = Database.CreateCommand("select data::text from tracker.mt_doc_deadletterevent");
            var rows = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
            return rows;
        }, rows => rows.Count > 0, TimeSpan.FromSeconds(30));
        deadLetters.ShouldHaveSingleItem().ShouldContain($"\"EventSequence\": {poison}");
        var health = (await Api.Scenario(s => s.Get.Url("/health/ready"))).Json();
        health.GetProperty("checks").GetProperty("database").GetProperty("data").GetProperty("deadLetterEvents").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task a_rebuild_over_a_poison_event_fails_loudly_and_names_it()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        var poison = await APoisonEventInTheLog();

        var started = await Api.Scenario(s =>
        {
            s.Post.Url("/api/admin/projections/Pledgers/rebuild");
            s.StatusCodeShouldBe(202);
        });
        var location = started.Context.Response.Headers.Location.ToString();
        var finished = await Eventually.Until(async () => (await Api.Scenario(s => s.Get.Url(location))).Json(),
            p => p.GetProperty("status").GetString() != "running", TimeSpan.FromSeconds(30));

        finished.GetProperty("status").GetString().ShouldBe("failed");
        finished.GetProperty("error").GetString().ShouldNotBeNull().ShouldStartWith($"Event {poison} (pledge_announced");
        (await PledgerEventually("germany")).GetProperty("pledger").GetProperty("pledges").GetArrayLength().ShouldBe(1,
            "a failed rebuild leaves the live models as they were");
        var verify = await Api.Scenario(s =>
        {
            s.Get.Url("/api/admin/projections/Pledgers/verify");
            s.StatusCodeShouldBe(409);
        });
        verify.ReadProblem(409).Detail.ShouldNotBeNull().ShouldContain($"Event {poison}");
    }
}
