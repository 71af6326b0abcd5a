using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Tracker.Bench;

/// <summary>The database's own limit, measured with pgbench on the same server in the same run.</summary>
public static partial class Pgbench
{
    public sealed record Result(double Tps, double AverageLatencyMs);

    public static async Task<Result> Run(BenchSettings settings, string script, int clients, TimeSpan duration,
        string? sessionOptions = null)
    {
        var file = Path.Combine(settings.Artifacts, $"pgbench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(file, script);
        var start = new ProcessStartInfo(Path.Combine(settings.PgBin, "pgbench"),
            ["-n", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", Math.Min(2, clients).ToString(CultureInfo.InvariantCulture), "-T", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture),
             "-f", file, "-h", settings.PgHost, "-p", settings.PgPort.ToString(CultureInfo.InvariantCulture), "-U", "postgres", settings.Database])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        // e.g. "-c synchronous_commit=off": how much of a write is the commit's flush to disk.
        if (sessionOptions is not null) start.Environment["PGOPTIONS"] = sessionOptions;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"pgbench failed: {errors}");
        var tps = double.Parse(TpsPattern().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var latency = double.Parse(LatencyPattern().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        return new Result(tps, latency);
    }

    [GeneratedRegex(@"tps = ([0-9.]+)")]
    private static partial Regex TpsPattern();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex LatencyPattern();
}
