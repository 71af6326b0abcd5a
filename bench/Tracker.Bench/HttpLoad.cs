using System.Collections.Concurrent;
using System.Diagnostics;

namespace Tracker.Bench;

/// <summary>Runs a request function from many clients and times each call.</summary>
public static class HttpLoad
{
    /// <summary>Closed loop: each client sends its next request as soon as the last one is answered.</summary>
    public static async Task<LoadResult> ClosedLoop(int clients, TimeSpan duration, Func<int, long, Task<bool>> request)
    {
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            for (long n = 0; clock.Elapsed < duration; n++)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await request(client, n);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!ok) Interlocked.Increment(ref errors);
            }
        })));
        return LoadResult.Of(latencies, errors, clock.Elapsed);
    }

    /// <summary>TRACKER_BENCH_TRACE=1: each open loop's requests by when they were due, per 250 ms, on stderr (docs/benchmarks-profile.md).</summary>
    private static readonly ConcurrentBag<(double Scheduled, double Latency)> Trace = [];
    private static readonly bool Tracing = Environment.GetEnvironmentVariable("TRACKER_BENCH_TRACE") == "1";

    /// <summary>
    /// How long an open loop runs at its rate before its latencies count, as wrk2 calibrates before it measures: its
    /// first second or two show one stall of about a second, not explained (docs/benchmarks-profile.md), which is not
    /// the latency at that load.
    /// </summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Open loop at a fixed rate: requests start on schedule whether or not earlier ones are answered, so queueing shows
    /// in the latencies (what a client population sending that rate would see). Runs <see cref="WarmUp"/> longer than
    /// <paramref name="duration"/> and times only the requests due after it; an error counts whenever it happens, so
    /// none is hidden (the report's "errors N of M" counts M after the warm-up). <paramref name="until"/> ends it sooner
    /// (when what it measures beside has ended).
    /// </summary>
    public static async Task<LoadResult> FixedRate(double perSecond, TimeSpan duration, int maxInFlight, Func<long, Task<bool>> request,
        Func<bool>? until = null)
    {
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var inFlight = new List<Task>();
        using var gate = new SemaphoreSlim(maxInFlight);
        var clock = Stopwatch.StartNew();
        if (Tracing) Console.Error.WriteLine($"trace starts {DateTimeOffset.UtcNow:HH:mm:ss.fff} UTC");
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        for (long n = 0; clock.Elapsed < WarmUp + duration && until?.Invoke() != true; n++)
        {
            var due = interval * n;
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var scheduled = due;
            var number = n;
            await gate.WaitAsync();
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    var ok = await request(number);
                    // Latency from when the request was due: time waiting for a free client counts.
                    if (scheduled >= WarmUp) latencies.Add((clock.Elapsed - scheduled).TotalMilliseconds);
                    if (Tracing) Trace.Add((scheduled.TotalMilliseconds, (clock.Elapsed - scheduled).TotalMilliseconds));
                    if (!ok) Interlocked.Increment(ref errors);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        await Task.WhenAll(inFlight);
        if (Tracing)
        {
            foreach (var slot in Trace.GroupBy(t => (int)(t.Scheduled / 250)).OrderBy(g => g.Key))
                Console.Error.WriteLine($"trace {slot.Key * 250,6} ms: {slot.Count(),5} sent, max {slot.Max(t => t.Latency),7:0.0} ms, p50 {slot.Select(t => t.Latency).Order().ElementAt(slot.Count() / 2),6:0.0}");
            Trace.Clear();
        }
        return LoadResult.Of(latencies, errors, clock.Elapsed - WarmUp);
    }
}
