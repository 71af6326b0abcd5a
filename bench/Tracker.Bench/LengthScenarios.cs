using System.Diagnostics;
using System.Net.Http.Json;

namespace Tracker.Bench;

/// <summary>Scenario 9: what one write and one read cost on a commitment with a short and with a long history.</summary>
public static class LengthScenarios
{
    private const int Pledges = 10;
    private const int Measured = 200;
    private const int Rounds = 10;
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
        // Every history is written first and the async projections caught up; then the sizes are measured in turns
        // (a block of writes and reads on each, in an order that rotates), so each size meets the same process and database:
        // measured one after the other, the first size met a process still warming up and the last the daemon catching up
        // on the histories just written, and the ratio swung between 0.4x and 1.4x on sub-millisecond reads.
        var keys = sizes.ToDictionary(size => size, size => $"length-{size}");
        foreach (var size in sizes.Prepend(0))
        {
            var key = size == 0 ? "length-warm-up" : keys[size];
            await work.StateCommitment(key);
            for (var p = 0; p < Pledges; p++)
            {
                await Send(client, $"/api/commitments/{key}/pledges", new
                {
                    pledgeId = $"member-{p}-1", pledger = $"Member {p}", amount = new { amount = 1_000_000_000m, currency = "USD" },
                    announcedOn = "2025-01-01", source = Source
                });
            }
            for (long n = 1 + Pledges; n < size - Measured / 2; n++)
            {
                var (path, body) = Fact(key, n);
                await Send(client, path, body);
            }
        }
        await work.ProjectionsCaughtUp();
        // A first block on a commitment of its own, not reported, so no size is measured on code not yet compiled.
        await Block("length-warm-up", Measured, Measured);
        await work.ProjectionsCaughtUp();

        var writes = sizes.ToDictionary(size => size, _ => new List<double>());
        var reads = sizes.ToDictionary(size => size, _ => new List<double>());
        var peaks = sizes.ToDictionary(size => size, _ => 0.0);
        var bytes = sizes.ToDictionary(size => size, _ => 0L);
        var written = sizes.ToDictionary(size => size, size => (long)size);
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var size in sizes.Skip(round % sizes.Length).Concat(sizes.Take(round % sizes.Length)))
            {
                service.ResetPeak();
                var (w, r, b) = await Block(keys[size], written[size], Measured / Rounds);
                written[size] += Measured / Rounds;
                writes[size].AddRange(w);
                reads[size].AddRange(r);
                bytes[size] = b;
                peaks[size] = Math.Max(peaks[size], service.Memory().Peak);
            }
        }
        var results = sizes.Select(size => (Size: size,
            Writes: LoadResult.Of(writes[size], 0, TimeSpan.FromMilliseconds(writes[size].Sum())),
            Reads: LoadResult.Of(reads[size], 0, TimeSpan.FromMilliseconds(reads[size].Sum())),
            Bytes: bytes[size], Peak: peaks[size])).ToList();

        async Task<(List<double> Writes, List<double> Reads, long Bytes)> Block(string key, long from, int count)
        {
            var blockWrites = new List<double>();
            for (long n = 0; n < count; n++)
            {
                var (path, body) = Fact(key, from + n);
                blockWrites.Add(await Send(client, path, body));
            }
            var blockReads = new List<double>();
            long length = 0;
            for (var n = 0; n < count; n++)
            {
                var started = Stopwatch.StartNew();
                var body = await client.GetByteArrayAsync($"/api/commitments/{key}");
                blockReads.Add(started.Elapsed.TotalMilliseconds);
                length = body.Length;
            }
            return (blockWrites, blockReads, length);
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
            $"{Pledges} pledges, then disbursements of USD 1 and progress reports in turn) and the async projections caught up; then on each, " +
            $"{Measured} more writes one after another and {Measured} reads of the commitment, by one client, in {Rounds} turns of " +
            $"{Measured / Rounds} writes and {Measured / Rounds} reads per size (the sizes' order rotating each turn). " +
            $"The ratio is against the {sizes[0]}-event commitment.",
            measures,
            ["One client, one request at a time: the latency is the service's own cost of a request, not queueing.",
             "A first block on a commitment of its own warms the process up and is not reported.",
             "Peak memory: the highest of the service's peaks over each size's turns."]);
    }
}
