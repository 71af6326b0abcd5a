using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Tracker.Faults;

public sealed record InvariantResult(int Acknowledged, int Lost, int Duplicated, int UnacknowledgedButRecorded,
    IReadOnlyDictionary<string, bool> ProjectionsEqualRebuild, TimeSpan CatchUp)
{
    public bool Holds => Lost == 0 && Duplicated == 0 && ProjectionsEqualRebuild.Values.All(v => v);

    public override string ToString() =>
        $"{Acknowledged} acknowledged writes: {Lost} lost, {Duplicated} duplicated; {UnacknowledgedButRecorded} unacknowledged " +
        $"writes were recorded (once each: their clients never heard back); projections equal a fresh rebuild: " +
        $"{string.Join(", ", ProjectionsEqualRebuild.Select(p => $"{p.Key} {(p.Value ? "yes" : "NO")}"))} " +
        $"(async caught up {CatchUp.TotalSeconds:0.0} s after the load stopped) => {(Holds ? "HOLDS" : "BROKEN")}";
}

/// <summary>"Every acknowledged write is in the log exactly once, and every projection equals a fresh rebuild from the log."</summary>
public static class Invariant
{
    public static async Task<InvariantResult> Check(string connection, ServiceNode node, WriteLoad load)
    {
        var catchUp = await WaitForAsyncProjections(node, TimeSpan.FromSeconds(120));

        var recorded = new Dictionary<string, int>();
        await using (var dataSource = NpgsqlDataSource.Create(connection))
        await using (var command = dataSource.CreateCommand(
                         "select correlation_id, count(*)::int from tracker.mt_events where correlation_id like $1 group by correlation_id"))
        {
            command.Parameters.AddWithValue(load.Prefix + "%");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) recorded[reader.GetString(0)] = reader.GetInt32(1);
        }

        var acknowledged = load.Acknowledged.ToHashSet();
        var projections = new Dictionary<string, bool>();
        foreach (var projection in new[] { "CommitmentProgress", "EffectiveTimeline", "DashboardRollup" })
        {
            projections[projection] = (await Verify(node, projection)).GetProperty("consistent").GetBoolean();
        }
        return new InvariantResult(acknowledged.Count,
            acknowledged.Count(id => !recorded.ContainsKey(id)),
            recorded.Count(r => r.Value > 1),
            recorded.Keys.Count(id => !acknowledged.Contains(id)),
            projections, catchUp);
    }

    /// <summary>
    /// A verification, asked again while the service answers 503 as it tells clients to (Retry-After): after the database
    /// restarts, each pooled connection that died with it fails once before the pool replaces it.
    /// </summary>
    private static async Task<JsonElement> Verify(ServiceNode node, string projection)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await node.Client.GetAsync($"/api/admin/projections/{projection}/verify");
            if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || attempt == 10)
            {
                response.EnsureSuccessStatusCode();
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            }
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Until every async projection has reached the newest event (the lag /health/ready reports).</summary>
    public static async Task<TimeSpan> WaitForAsyncProjections(ServiceNode node, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            try
            {
                var ready = await node.Readiness();
                var lag = ready.GetProperty("checks").GetProperty("database").GetProperty("data").GetProperty("projectionLag");
                if (lag.EnumerateObject().Any() && lag.EnumerateObject().All(p => p.Value.GetInt64() == 0)) return watch.Elapsed;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or KeyNotFoundException or InvalidOperationException)
            {
                // not answering yet
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The async projections did not catch up within {timeout.TotalSeconds} s");
    }
}
