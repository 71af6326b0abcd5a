// The fault scenarios that kill processes (scripts/faults.sh runs them on a throwaway cluster). Each prints what was
// done, what was measured and the invariant check; the exit code says whether every invariant held.
using System.Text;
using System.Text.Json;
using Tracker.Faults;

var options = args.Select((value, i) => (value, i)).Where(a => a.value.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(a => a.value[2..], a => args[a.i + 1]);
var settings = new FaultSettings(options["repo"], options["connection"], options["artifacts"], int.Parse(options.GetValueOrDefault("port", "5190")));
var wanted = options.GetValueOrDefault("scenarios", "cold-start,kill,postgres-restart,rebuild-outage,two-nodes").Split(',');
Directory.CreateDirectory(settings.Artifacts);

var all = new (string Key, Func<FaultSettings, Task<ScenarioReport>> Run)[]
{
    ("cold-start", Scenarios.ColdStart),
    ("kill", Scenarios.KillDuringWrites),
    ("postgres-restart", Scenarios.DatabaseRestart),
    ("rebuild-outage", Scenarios.DatabaseStopDuringRebuild),
    ("two-nodes", Scenarios.TwoNodes)
};

var reports = new List<ScenarioReport>();
foreach (var (key, run) in all.Where(s => wanted.Contains(s.Key)))
{
    Console.WriteLine($"== {key}");
    var report = await run(settings);
    reports.Add(report);
    Console.WriteLine(report.WhatWasDone);
    foreach (var line in report.Measured) Console.WriteLine($"  {line}");
    Console.WriteLine($"  invariant: {report.Invariant}");
    foreach (var failure in report.Failures) Console.WriteLine($"  FAILED: {failure}");
    Console.WriteLine(report.Passed ? "  PASS" : "  FAIL");
}

var markdown = new StringBuilder();
foreach (var report in reports)
{
    markdown.AppendLine($"### {report.Name}: {(report.Passed ? "pass" : "FAIL")}").AppendLine()
        .AppendLine(report.WhatWasDone).AppendLine();
    foreach (var line in report.Measured) markdown.AppendLine($"- {line}");
    markdown.AppendLine($"- invariant: {report.Invariant}");
    foreach (var failure in report.Failures) markdown.AppendLine($"- FAILED: {failure}");
    markdown.AppendLine();
}
await File.WriteAllTextAsync(Path.Combine(settings.Artifacts, "faults-report.md"), markdown.ToString());
await File.WriteAllTextAsync(Path.Combine(settings.Artifacts, "faults-report.json"),
    JsonSerializer.Serialize(reports, new JsonSerializerOptions { WriteIndented = true }));
return reports.All(r => r.Passed) ? 0 : 1;
