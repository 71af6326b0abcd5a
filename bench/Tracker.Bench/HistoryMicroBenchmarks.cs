using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;

namespace Tracker.Bench;

/// <summary>
/// The in-process parts of reading a long history (scripts/bench.sh --micro): stepping a commitment's progress through
/// its events as the projection and the rebuild do, summarising the model, and the JSON round trip of that model. They
/// show which part of a time-travel read or a rebuild grows with the stream.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class HistoryMicroBenchmarks
{
    private static readonly DateTimeOffset At = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Storage = new() { Converters = { new JsonStringEnumConverter() } };

    private CommitmentStated _stated = null!;
    private ProgressReported[] _reports = [];
    private CommitmentProgress _started = null!;
    private ProgressParts _folded;
    private CommitmentProgress _progress = null!;
    private string _json = "";

    [Params(1_000, 10_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _stated = new CommitmentStated("micro", "A goal with a long history", CommitmentKind.Quantitative, "stabilisation",
            ["coalition"], new Target(1_000_000m, null, "people"), null, new Provenance("doc", "1", "a goal"), new DateOnly(2024, 1, 1));
        _reports = Enumerable.Range(1, Events - 1)
            .Select(n => new ProgressReported(n, "people", null, Comparator.Exactly, new DateOnly(2024, 1, 1).AddDays(n % 700), null, null,
                null, new Evidence("doc", null, true)))
            .ToArray();
        _started = CommitmentProgress.Started(Guid.NewGuid(), _stated, At);
        _folded = Fold();
        _progress = Summarise();
        _json = JsonSerializer.Serialize(_progress, Storage);
    }

    [Benchmark(Description = "step the model's parts through the events")]
    public ProgressParts Fold() => _reports.Aggregate(_started.Parts, (parts, e) => parts.Applied(parts.State.After(e).Stored(), e));

    [Benchmark(Description = "progress model from the parts")]
    public CommitmentProgress Summarise() => _started.With(_folded, At);

    [Benchmark(Description = "serialise the model")]
    public string Serialise() => JsonSerializer.Serialize(_progress, Storage);

    [Benchmark(Description = "deserialise the model")]
    public CommitmentProgress? Deserialise() => JsonSerializer.Deserialize<CommitmentProgress>(_json, Storage);
}
