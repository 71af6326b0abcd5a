// The benchmark run (scripts/bench.sh): the service as production runs it, on a durable PostgreSQL, each scenario
// measured beside the database's own limit in the same run. Writes a Markdown and a JSON report.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Npgsql;
using Tracker.Bench;

// The report's figures and the URLs' dates are written the invariant way whatever the machine's locale (a Thai or Saudi
// locale wrote the dates of past views in another calendar, and the service refused them; until 2026-12-08).
System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;

// --micro: BenchmarkDotNet on the in-process parts of a long history (no service, no database).
if (args.Contains("--micro"))
{
    var artifacts = args.SkipWhile(a => a != "--artifacts").Skip(1).FirstOrDefault() ?? ".data/bench";
    BenchmarkDotNet.Running.BenchmarkRunner.Run<HistoryMicroBenchmarks>(
        BenchmarkDotNet.Configs.ConfigExtensions.WithArtifactsPath(BenchmarkDotNet.Configs.DefaultConfig.Instance, Path.Combine(artifacts, "micro")));
    return;
}

var options = args.Select((value, i) => (value, i)).Where(a => a.value.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(a => a.value[2..], a => a.i + 1 < args.Length && !args[a.i + 1].StartsWith("--", StringComparison.Ordinal) ? args[a.i + 1] : "true");
var connection = options["connection"];
var builder = new NpgsqlConnectionStringBuilder(connection);
var settings = new BenchSettings(options["repo"], connection, options["pgbin"], builder.Host!, builder.Port, builder.Database!,
    options["artifacts"], options.ContainsKey("quick"))
{
    ServiceConnection = options.GetValueOrDefault("service-connection", connection),
    OwnerConnection = options.GetValueOrDefault("owner-connection", connection)
};
Directory.CreateDirectory(settings.Artifacts);
var total = Stopwatch.StartNew();

await using var database = NpgsqlDataSource.Create(connection);
var report = new BenchReport();
report.Machine["cores"] = Environment.ProcessorCount.ToString();
report.Machine["cpu"] = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?";
report.Machine["memory"] = $"{long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024 / 1024} GiB";
report.Machine["os"] = RuntimeInformation.OSDescription;
report.Machine[".NET"] = RuntimeInformation.FrameworkDescription;
await using (var version = database.CreateCommand("select version(), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('shared_buffers'), pg_backend_pid()"))
await using (var reader = await version.ExecuteReaderAsync())
{
    await reader.ReadAsync();
    report.Machine["PostgreSQL"] = $"{reader.GetString(0).Split(" on ")[0]}, fsync {reader.GetString(1)}, synchronous_commit {reader.GetString(2)}, " +
                                   $"shared_buffers {reader.GetString(3)} ({SharedMemoryPages.Of(reader.GetInt32(4))}), same machine";
}
report.Machine["run"] = $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {(settings.Quick ? "quick" : "full")} sizes";

Console.WriteLine("applying the schema (db-apply)");
using (var apply = Process.Start(ServiceProcess.Command(settings, "db-apply"))!)
{
    var output = apply.StandardOutput.ReadToEndAsync();
    var errors = apply.StandardError.ReadToEndAsync();
    await apply.WaitForExitAsync();
    if (apply.ExitCode != 0) throw new InvalidOperationException($"db-apply failed: {await errors}{await output}");
}

Console.WriteLine("7. start-up");
var (startUp, service) = await ProcessScenarios.StartUp(settings, int.Parse(options.GetValueOrDefault("port", "5290")));
using (service)
{
    using var bare = new BareStack(settings, int.Parse(options.GetValueOrDefault("port", "5290")) + 1);
    var work = new Workload(settings, service.Client, database);
    var lean = new LeanClient(options["loadgen"], settings.Artifacts);
    await work.Prepare();
    await work.WarmUp();
    var sections = new List<Section> { startUp };
    // --only 1,4 runs just those scenarios (start-up always runs: it starts the service); for working on one of them.
    var only = options.TryGetValue("only", out var list) ? list.Split(',').Select(int.Parse).ToHashSet() : null;
    if (only is null || only.Contains(1) || only.Contains(3))
    {
        Console.WriteLine("starting the bare stack");
        await bare.Start();
    }
    var scenarios = new (int Number, string Name, Func<Task<Section>> Run)[]
    {
        (1, "writes", () => WriteScenarios.Writes(work, service, bare, lean)),
        (2, "hot-spot writes", () => WriteScenarios.HotSpot(work, service)),
        (3, "reads", () => ReadScenarios.Reads(work, service, bare, lean)),
        (5, "time travel", () => HistoryScenarios.TimeTravel(work)),
        (6, "bulk import", () => ProcessScenarios.BulkImport(work)),
        (8, "long histories read at once", () => HistoryScenarios.LongHistoryReads(work, service)),
        (9, "history length", () => LengthScenarios.HistoryLength(work, service)),
        (10, "the dashboard over many commitments", () => DashboardScenarios.ManyCommitments(work)),
        (4, "rebuild", () => HistoryScenarios.Rebuild(work, service))
    };
    foreach (var (number, name, run) in scenarios.Where(s => only is null || only.Contains(s.Number)))
    {
        Console.WriteLine($"{number}. {name}");
        sections.Add(await run());
    }
    report.Sections.AddRange(sections.OrderBy(s => s.Title));
}
report.Machine["duration"] = $"{total.Elapsed.TotalMinutes:0.0} min";

var markdown = report.Markdown(settings.Quick);
var target = options.GetValueOrDefault("out", Path.Combine(settings.Artifacts, "benchmarks.md"));
await File.WriteAllTextAsync(target, markdown);
await File.WriteAllTextAsync(Path.ChangeExtension(target, ".json"), report.Json());
Console.WriteLine(markdown);
Console.WriteLine($"report: {target}");
