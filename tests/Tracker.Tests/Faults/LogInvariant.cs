using System.Text.Json;
using Alba;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Api.Admin;
using Tracker.Tests.Commitments;

namespace Tracker.Tests.Faults;

/// <summary>
/// The promise every fault test checks: every acknowledged write is in the log exactly once, and every projection
/// equals a fresh rebuild from the log.
/// </summary>
public static class LogInvariant
{
    /// <summary>How many events each correlation id (one per logical write in these tests) put in the log.</summary>
    public static async Task<Dictionary<string, int>> EventsPerCorrelation(this IAlbaHost api, string prefix)
    {
        var dataSource = api.Services.GetRequiredService<NpgsqlDataSource>();
        await using var command = dataSource.CreateCommand(
            "select correlation_id, count(*)::int from tracker.mt_events where correlation_id like $1 group by correlation_id");
        command.Parameters.AddWithValue(prefix + "%");
        var counts = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt32(1);
        return counts;
    }

    public static async Task<long> EventCount(this IAlbaHost api)
    {
        var dataSource = api.Services.GetRequiredService<NpgsqlDataSource>();
        await using var command = dataSource.CreateCommand("select count(*) from tracker.mt_events");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Waits for the async projections to catch up, then compares every read model with a fresh rebuild.</summary>
    public static async Task ProjectionsShouldEqualAFreshRebuild(this IAlbaHost api)
    {
        await api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        foreach (var projection in ProjectionCheck.Verifiable)
        {
            var report = (await api.Scenario(s => s.Get.Url($"/api/admin/projections/{projection}/verify"))).Json();
            report.GetProperty("consistent").GetBoolean().ShouldBeTrue($"{projection}: {report}");
        }
    }

    public static void EachAcknowledgedWriteIsInTheLogOnce(IReadOnlyCollection<string> acknowledged, IReadOnlyDictionary<string, int> events)
    {
        acknowledged.Where(id => events.GetValueOrDefault(id) != 1)
            .Select(id => $"{id}: {events.GetValueOrDefault(id)} events").ShouldBeEmpty();
        events.Where(e => e.Value > 1).Select(e => $"{e.Key}: {e.Value} events").ShouldBeEmpty();
    }
}
