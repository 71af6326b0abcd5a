using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tracker.Bench;

/// <summary>One figure, beside its baseline and target when it has them.</summary>
/// <param name="By">How far a missed target is from the goal, in the target's own terms.</param>
public sealed record Measure(string Name, string Value, string? Baseline = null, string? Ratio = null, string? Target = null,
    bool? Met = null, string? By = null);

public sealed record Section(string Title, string WhatWasDone, List<Measure> Measures, List<string> Notes);

public sealed class BenchReport
{
    public List<Section> Sections { get; } = [];
    public Dictionary<string, string> Machine { get; } = [];

    public static string Verdict(bool? met) => met switch { true => "met", false => "MISSED", null => "" };

    /// <summary>How far below a floor (null when it is reached).</summary>
    public static string? Below(double actual, double goal, string unit, string format = "N0", string note = "") =>
        actual >= goal ? null : $"{goal / Math.Max(actual, 1e-9):0.0}x too low: {Figure(actual, unit, format)} against {Figure(goal, unit, format)}{note}";

    /// <summary>How far above a ceiling (null when it is kept under).</summary>
    public static string? Above(double actual, double goal, string unit, string format = "N0", string note = "") =>
        actual < goal ? null : $"{actual / goal:0.0}x too high: {Figure(actual, unit, format)} against {Figure(goal, unit, format)}{note}";

    private static string Figure(double value, string unit, string format) => value.ToString(format, CultureInfo.InvariantCulture) + unit;

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
        md.AppendLine("## Targets at a glance").AppendLine();
        md.AppendLine("| scenario | measure | value | target | | missed by |").AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var section in Sections)
        {
            foreach (var m in section.Measures.Where(m => m.Met is not null))
            {
                md.AppendLine($"| {section.Title} | {m.Name} | {(m.Ratio is null ? m.Value : $"{m.Ratio} ({m.Value})")} | {m.Target} | {Verdict(m.Met)} | {m.By} |");
            }
        }
        md.AppendLine();
        foreach (var section in Sections)
        {
            md.AppendLine($"## {section.Title}").AppendLine().AppendLine(section.WhatWasDone).AppendLine();
            md.AppendLine("| measure | value | baseline | ratio | target | | missed by |").AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
            foreach (var m in section.Measures)
            {
                md.AppendLine($"| {m.Name} | {m.Value} | {m.Baseline} | {m.Ratio} | {m.Target} | {Verdict(m.Met)} | {m.By} |");
            }
            md.AppendLine();
            foreach (var note in section.Notes) md.AppendLine($"- {note}");
            if (section.Notes.Count > 0) md.AppendLine();
        }
        return md.ToString();
    }

    public string Json() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });
}
