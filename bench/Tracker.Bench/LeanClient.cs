using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Tracker.Bench;

/// <summary>
/// The reads' load generator: bench/loadgen/loadgen.c, one C thread on epoll, built by scripts/bench.sh. The .NET loops of
/// <see cref="HttpLoad"/> cost about half as much CPU per read as the service's HTTP process and, on two cores shared with the
/// service and PostgreSQL, put their own thread pool's and collector's delays into the latencies they time: the same
/// half load of reads by key (9,640/s), the two clients in turns against one service, measured p50 3.3 and 3.2 ms
/// through them and 0.3 and 0.4 ms through this client (docs/benchmarks-profile.md, twenty-second session). The writes'
/// scenario drives it too: it keeps each commitment's last ETag for If-Match (-e).
/// </summary>
public sealed class LeanClient(string executable, string artifacts)
{
    /// <summary>
    /// Closed loop: each connection sends its next request (a path to GET, or "POST path body") as soon as the last is
    /// answered. <paramref name="writesTo"/> (writes): each connection keeps to its own lines (line c + connections * n,
    /// loadgen -s), as a monitor keeps to its own commitments, and sends each write with If-Match at the version the last
    /// answer about its resource (the path's first <paramref name="writesTo"/> segments) gave (loadgen -e).
    /// </summary>
    public Task<LoadResult> ClosedLoop(Uri server, IReadOnlyList<string> paths, int connections, TimeSpan duration, string? apiKey = null,
        int? writesTo = null) =>
        Run(server, paths, apiKey, duration, ["-c", Number(connections), "-d", Number(duration.TotalSeconds),
            .. writesTo is { } segments ? (string[])["-s", "-e", Number(segments)] : []]);

    /// <summary>
    /// Open loop at a fixed rate, timed from when each request was due, after <see cref="HttpLoad.WarmUp"/> at that rate
    /// (as <see cref="HttpLoad.FixedRate"/>); at most <paramref name="connections"/> in flight, the rest waiting for one.
    /// With <paramref name="writesTo"/>, writes carry If-Match, and one to a resource with a write in flight waits for it
    /// (loadgen -e).
    /// </summary>
    public Task<LoadResult> FixedRate(Uri server, IReadOnlyList<string> paths, double perSecond, TimeSpan duration, int connections, string? apiKey = null,
        int? writesTo = null) =>
        Run(server, paths, apiKey, HttpLoad.WarmUp + duration, ["-c", Number(connections), "-d", Number(duration.TotalSeconds), "-r", Number(perSecond),
            "-w", Number(HttpLoad.WarmUp.TotalSeconds), .. writesTo is { } segments ? (string[])["-e", Number(segments)] : []]);

    /// <summary>
    /// Longer than the load lasts, it has hung: the client has no timeout of its own per request, so a request the
    /// server never answers would hold it. Five minutes, as the .NET client's (BenchSettings).
    /// </summary>
    private static readonly TimeSpan Stuck = TimeSpan.FromMinutes(5);

    private async Task<LoadResult> Run(Uri server, IReadOnlyList<string> paths, string? apiKey, TimeSpan lasts, string[] load)
    {
        var id = Guid.NewGuid().ToString("N");
        var pathFile = Path.Combine(artifacts, $"loadgen-{id}.paths");
        var latencyFile = Path.Combine(artifacts, $"loadgen-{id}.latencies");
        try
        {
            return await Run(server, paths, apiKey, lasts, load, pathFile, latencyFile);
        }
        finally
        {
            File.Delete(pathFile);
            File.Delete(latencyFile);
        }
    }

    private async Task<LoadResult> Run(Uri server, IReadOnlyList<string> paths, string? apiKey, TimeSpan lasts, string[] load,
        string pathFile, string latencyFile)
    {
        await File.WriteAllLinesAsync(pathFile, paths);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        foreach (var argument in (string[])["-h", server.Host, "-p", Number(server.Port), "-f", pathFile, "-o", latencyFile, .. load])
            start.ArgumentList.Add(argument);
        // TRACKER_BENCH_TRACE=1: an open loop's latencies per quarter-second, on stderr as HttpLoad's own.
        var tracing = Tracing && load.Contains("-r");
        if (tracing) start.ArgumentList.Add("-t");
        if (apiKey is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add($"X-Api-Key: {apiKey}");
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using (var stuck = new CancellationTokenSource(lasts + Stuck))
        {
            try
            {
                await process.WaitForExitAsync(stuck.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw new TimeoutException($"loadgen did not end within {lasts + Stuck} of a {lasts} load");
            }
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"loadgen failed: {await errors}{await output}");
        if (tracing) Console.Error.Write(await errors);
        // "requests=N errors=N seconds=S p50=..": the latencies themselves come from the file, so rounds can be put together.
        var summary = (await output).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=')).ToDictionary(pair => pair[0], pair => pair[1]);
        var bytes = await File.ReadAllBytesAsync(latencyFile);
        var micros = MemoryMarshal.Cast<byte, uint>(bytes);
        var latenciesMs = new double[micros.Length];
        for (var i = 0; i < micros.Length; i++) latenciesMs[i] = micros[i] / 1000.0;
        return LoadResult.Of(latenciesMs, int.Parse(summary["errors"], CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(summary["seconds"], CultureInfo.InvariantCulture)));
    }

    private static readonly bool Tracing = Environment.GetEnvironmentVariable("TRACKER_BENCH_TRACE") == "1";

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
