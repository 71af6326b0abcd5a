using System.Diagnostics;
using System.Net.Http.Json;

namespace Tracker.Bench;

/// <summary>Scenario 9: what one write and one read cost on a commitment with a short and with a long history.</summary>
public static class LengthScenarios
{
    private const int Pledges = 10;
    private const int Measured = 200;
    private static readonly object Source = new { documentKey = "bench-doc", primary = true };

    /// <summary>The n-th fact after the pledges: a disbursement of USD 1 on one of them, or a progress report.</summary>
    private static (string Path, object Body) Fact(string key, long n) => n % 2 == 0
        ? ($"/api/commitments/{key}/pledges/member-{n % Pledges}-1/stages",
            new { stage = "disbursed", amount = new { amount = 1m, currency = "USD" }, on = "2025-06-01", source = Source })
        : ($"/api/commitments/{key}/progress",
            new { figure = 1000m + n, currency = "USD", comparator = "exactly", asOf = "2025-06-01", source = Source });

    private static async Task<double> Send(HttpClient client, string path, object body)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsJsonAsync(path, body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return clock.Elapsed.TotalMilliseconds;
    }

    public static async Task<Section> HistoryLength(Workload work, ServiceProcess service)
    {
        var client = work.Client;
        var sizes = new[] { 10, 1_000, 10_000 };
        var results = new List<(int Size, LoadResult Writes, LoadResult Reads, long Bytes, double Peak)>();
        // A first, unreported round on a commitment of its own, so the first size is not measured on a cold process.
        foreach (var size in sizes.Prepend(0))
        {
            var key = size == 0 ? "length-warm-up" : $"length-{size}";
            await work.StateCommitment(key);
            for (var p = 0; p < Pledges; p++)
            {
                await Send(client, $"/api/commitments/{key}/pledges", new
                {
                    pledgeId = $"member-{p}-1", pledger = $"Member {p}", amount = new { amount = 1_000_000_000m, currency = "USD" },
                    announcedOn = "2025-01-01", source = Source
                });
            }
            // The history up to its size, then the measured writes and reads on top of it.
            for (long n = 1 + Pledges; n < size - Measured / 2; n++)
            {
                var (path, body) = Fact(key, n);
                await Send(client, path, body);
            }

            service.ResetPeak();
            var clock = Stopwatch.StartNew();
            var writes = new List<double>();
            for (long n = 0; n < Measured; n++)
            {
                var (path, body) = Fact(key, size + n);
                writes.Add(await Send(client, path, body));
            }
            var writeResult = LoadResult.Of(writes, 0, clock.Elapsed);

            clock.Restart();
            var reads = new List<double>();
            long bytes = 0;
            for (var n = 0; n < Measured; n++)
            {
                var started = Stopwatch.StartNew();
                var body = await client.GetByteArrayAsync($"/api/commitments/{key}");
                reads.Add(started.Elapsed.TotalMilliseconds);
                bytes = body.Length;
            }
            if (size > 0) results.Add((size, writeResult, LoadResult.Of(reads, 0, clock.Elapsed), bytes, service.Memory().Peak));
        }

        var first = results[0];
        var measures = new List<Measure>();
        foreach (var r in results)
        {
            var writeRatio = r.Writes.P50Ms / first.Writes.P50Ms;
            var readRatio = r.Reads.P50Ms / first.Reads.P50Ms;
            var memoryRatio = r.Peak / first.Peak;
            var judged = r.Size == sizes[^1];
            measures.Add(new($"{r.Size:N0} events: a write (a disbursement or a report), one client",
                $"p50 {r.Writes.P50Ms:0.0} / p99 {r.Writes.P99Ms:0.0} ms", $"p50 {first.Writes.P50Ms:0.0} ms at {first.Size}",
                $"{writeRatio:0.00}x", judged ? "≤ 1.2x" : null, judged ? writeRatio <= 1.2 : null,
                judged ? BenchReport.Above(writeRatio, 1.2, "x", "0.00") : null));
            measures.Add(new($"{r.Size:N0} events: reading the commitment ({r.Bytes:N0} bytes)",
                $"p50 {r.Reads.P50Ms:0.0} / p99 {r.Reads.P99Ms:0.0} ms", $"p50 {first.Reads.P50Ms:0.0} ms at {first.Size}",
                $"{readRatio:0.00}x", judged ? "≤ 1.2x" : null, judged ? readRatio <= 1.2 : null,
                judged ? BenchReport.Above(readRatio, 1.2, "x", "0.00") : null));
            measures.Add(new($"{r.Size:N0} events: service peak memory while measuring", $"{r.Peak:0} MiB",
                $"{first.Peak:0} MiB at {first.Size}", $"{memoryRatio:0.00}x", judged ? "≤ 1.2x" : null,
                judged ? memoryRatio <= 1.2 : null, judged ? BenchReport.Above(memoryRatio, 1.2, "x", "0.00") : null));
        }
        return new Section("9. History length",
            $"Commitments with {string.Join(", ", sizes.Select(s => s.ToString("N0")))} events, written through the API (a statement, " +
            $"{Pledges} pledges, then disbursements of USD 1 and progress reports in turn); on each, {Measured} more writes one after " +
            $"another and {Measured} reads of the commitment, by one client. The ratio is against the {sizes[0]}-event commitment.",
            measures,
            ["One client, one request at a time: the latency is the service's own cost of a request, not queueing.",
             "A first round on a commitment of its own warms the process up and is not reported."]);
    }
}
