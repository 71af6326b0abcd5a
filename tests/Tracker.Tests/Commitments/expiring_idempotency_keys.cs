using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Api.Infrastructure.Idempotency;
using Tracker.Domain;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Commitments;

/// <summary>Idempotency keys are honoured for Idempotency:Retention (24 hours by default), then forgotten.</summary>
public sealed class expiring_idempotency_keys(TrackerApp app) : TrackerTest(app)
{
    private const string ProgressUrl = $"/api/commitments/{Goal}/progress";
    private static readonly TimeSpan PastTheRetention = IdempotencyRetention.Default + TimeSpan.FromHours(1);

    [Fact]
    public async Task a_key_older_than_the_retention_runs_again_as_a_new_request_and_then_replays_that_one()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "yesterday"));
        await KeyAged("yesterday", PastTheRetention);

        var anew = await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "yesterday"));
        var again = await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "yesterday"));

        Replayed(anew).ShouldBeFalse();
        Replayed(again).ShouldBeTrue();
        again.ReadAsText().ShouldBe(anew.ReadAsText());
        (await EventCount()).ShouldBe(3);
    }

    [Fact]
    public async Task a_key_within_the_retention_still_replays()
    {
        await Api.StatedTheStabilisationGoal();
        var first = await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "this-morning"));
        await KeyAged("this-morning", IdempotencyRetention.Default - TimeSpan.FromHours(1));

        var again = await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "this-morning"));

        Replayed(again).ShouldBeTrue();
        again.ReadAsText().ShouldBe(first.ReadAsText());
        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public async Task an_expired_key_may_name_a_different_request()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "reused-next-week"));
        await KeyAged("reused-next-week", PastTheRetention);

        await Api.Write(ProgressUrl, Progress(999m), 200, ("Idempotency-Key", "reused-next-week"));

        (await EventCount()).ShouldBe(3);
    }

    [Fact]
    public async Task the_sweep_deletes_expired_keys_in_batches_and_keeps_live_ones()
    {
        await Api.StatedTheStabilisationGoal();
        string[] expired = ["old-1", "old-2", "old-3", "old-4", "old-5"];
        foreach (var key in expired.Append("live"))
        {
            await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", key));
        }
        foreach (var key in expired) await KeyAged(key, PastTheRetention);

        var deleted = await Api.Services.GetRequiredService<IdempotencyStore>().DeleteExpired(batchSize: 2, CancellationToken.None);

        deleted.ShouldBe(expired.Length);
        (await KeptKeys()).ShouldBe(["live"]);
        var again = await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "live"));
        Replayed(again).ShouldBeTrue();
    }

    [Theory]
    [InlineData("0")]
    [InlineData("00:00:30")]
    [InlineData("366.00:00:00")]
    [InlineData("24:00:00")]
    [InlineData("a day")]
    public async Task a_retention_that_is_not_a_time_span_in_range_stops_the_start(string retention)
    {
        var refused = await Should.ThrowAsync<Exception>(() => TrackerApp.StartAnotherHost((IdempotencyRetention.Setting, retention)));

        refused.ToString().ShouldContain($"{IdempotencyRetention.Setting} '{retention}'");
    }

    [Fact]
    public async Task a_host_with_a_longer_retention_still_replays_a_key_the_default_would_have_forgotten()
    {
        await Api.StatedTheStabilisationGoal();
        var first = await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "last-week"));
        await KeyAged("last-week", TimeSpan.FromDays(6));

        await using var weekLong = await TrackerApp.StartAnotherHost((IdempotencyRetention.Setting, "7.00:00:00"));
        var again = await weekLong.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "last-week"));

        Replayed(again).ShouldBeTrue();
        again.ReadAsText().ShouldBe(first.ReadAsText());
    }

    private static bool Replayed(IScenarioResult result) =>
        result.Context.Response.Headers[IdempotentRequests.ReplayedHeader].ToString() == "true";

    /// <summary>Time passing, as the schema's owner: the key's row says it was taken <paramref name="age"/> ago.</summary>
    private static async Task KeyAged(string key, TimeSpan age)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.OwnerConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"update tracker.{IdempotencyKeysTable.Name} set created_at = now() - $1, updated_at = now() - $1 where key = $2", connection);
        command.Parameters.Add(new() { Value = age });
        command.Parameters.Add(new() { Value = key });
        (await command.ExecuteNonQueryAsync()).ShouldBe(1);
    }

    private static async Task<List<string>> KeptKeys()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.OwnerConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select key from tracker.{IdempotencyKeysTable.Name} order by key", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        return keys;
    }

    private async Task<int> EventCount()
    {
        await using var session = Store.LightweightSession();
        return (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Goal))).Count;
    }
}
