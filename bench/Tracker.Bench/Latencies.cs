namespace Tracker.Bench;

/// <summary>Throughput and latency percentiles of one run.</summary>
public sealed record LoadResult(int Requests, int Errors, double PerSecond, double P50Ms, double P95Ms, double P99Ms)
{
    /// <summary>Every latency, for <see cref="Together"/>.</summary>
    private IReadOnlyCollection<double> LatenciesMs { get; init; } = [];
    private TimeSpan Elapsed { get; init; }

    public static LoadResult Of(IReadOnlyCollection<double> latenciesMs, int errors, TimeSpan elapsed)
    {
        var sorted = latenciesMs.Order().ToArray();
        double At(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new LoadResult(sorted.Length, errors, sorted.Length / elapsed.TotalSeconds, At(0.50), At(0.95), At(0.99))
        {
            LatenciesMs = sorted,
            Elapsed = elapsed
        };
    }

    /// <summary>Several runs of the same load as one: their requests over their time together.</summary>
    public static LoadResult Together(IReadOnlyList<LoadResult> runs) =>
        Of(runs.SelectMany(r => r.LatenciesMs).ToArray(), runs.Sum(r => r.Errors), runs.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Elapsed));

    public override string ToString() =>
        $"{PerSecond:0} req/s, p50 {P50Ms:0.0} ms, p95 {P95Ms:0.0} ms, p99 {P99Ms:0.0} ms ({Requests} requests, {Errors} errors)";
}
