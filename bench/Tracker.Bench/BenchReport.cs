using System.Text;
using System.Text.Json;

namespace Tracker.Bench;

/// <summary>One figure, beside its baseline and target when it has them.</summary>
public sealed record Measure(string Name, string Value, string? Baseline = null, string? Ratio = null, string? Target = null,
    bool? Met = null);

public sealed record Section(string Title, string WhatWasDone, List<Measure> Measures, List<string> Notes);

public sealed class BenchReport
{
    public List<Section> Sections { get; } = [];
    public Dictionary<string, string> Machine { get; } = [];

    public static string Verdict(bool? met) => met switch { true => "met", false => "MISSED", null => "" };

    public string Markdown(bool quick)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Benchmarks{(quick ? " (quick run: small sizes, not the figures to quote)" : "")}").AppendLine();
        md.AppendLine("Produced by `scripts/bench.sh`" + (quick ? " --quick" : "") + "; every ratio is against a baseline measured on the same PostgreSQL server in the same run.").AppendLine();
        md.AppendLine("Where the time goes, from a CPU profile of the write and read paths, and what would close each miss: " +
                      "[benchmarks-profile.md](benchmarks-profile.md).").AppendLine();
        md.AppendLine("| machine | |").AppendLine("| --- | --- |");
        foreach (var (key, value) in Machine) md.AppendLine($"| {key} | {value} |");
        md.AppendLine();
        foreach (var section in Sections)
        {
            md.AppendLine($"## {section.Title}").AppendLine().AppendLine(section.WhatWasDone).AppendLine();
            md.AppendLine("| measure | value | baseline | ratio | target | |").AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var m in section.Measures)
            {
                md.AppendLine($"| {m.Name} | {m.Value} | {m.Baseline} | {m.Ratio} | {m.Target} | {Verdict(m.Met)} |");
            }
            md.AppendLine();
            foreach (var note in section.Notes) md.AppendLine($"- {note}");
            if (section.Notes.Count > 0) md.AppendLine();
        }
        return md.ToString();
    }

    public string Json() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });
}
