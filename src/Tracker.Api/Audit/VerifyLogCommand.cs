using System.Text.Json;
using Tracker.Api.Infrastructure;
using JasperFx.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Tracker.Api.Audit;

public sealed class VerifyLogInput : NetCoreInput
{
    // -k: the host's --contentroot takes -c.
    [Description("A checkpoint kept outside the database (the JSON GET /api/audit/checkpoints/latest published) to compare the log with")]
    [FlagAlias("checkpoint", 'k')]
    public string? CheckpointFlag { get; set; }
}

/// <summary>
/// `dotnet run -- audit-verify [--checkpoint kept.json]`: recompute the whole log's hash chain, compare it with every
/// signed checkpoint (and one kept outside, when given); lists every break and exits non-zero if there is one.
/// </summary>
[Description("Verify the event log's hash chain and checkpoints (and a checkpoint you kept) and report every break", Name = "audit-verify")]
public sealed class VerifyLogCommand : TrackerCommand<VerifyLogInput>
{
    protected override IReadOnlyList<(string Long, string Short)> OnceOnly => [("--checkpoint", "-k")];

    protected override async Task<bool> Run(VerifyLogInput input)
    {
        // Given empty ("$KEPT" unset in a script) is a mistake, not a verification without the comparison asked for
        // (until 2026-12-07 only "-k=" was refused; "-k ''" and "--checkpoint=" verified without it and exited 0).
        if (input.CheckpointFlag is { } given && string.IsNullOrWhiteSpace(given))
        {
            Console.Error.WriteLine("--checkpoint is empty: give the file of a checkpoint you kept, or leave the flag out.");
            return false;
        }
        var (read, kept) = input.CheckpointFlag is { } path ? await TryRead(path) : (true, null);
        if (!read) return false;

        using var host = input.BuildHost();
        var report = await host.Services.GetRequiredService<LogVerifier>().VerifyAll(kept?.ToCheckpoint(), CancellationToken.None);
        var against = $"{report.EventsChecked} events checked, against {report.CheckpointsChecked} signed checkpoint{(report.CheckpointsChecked == 1 ? "" : "s")}" +
                      (kept is null ? "" : $" (one of them the one you kept, number {kept.Number})");
        if (report.Intact)
        {
            Console.WriteLine($"The log is intact: {against}.");
            return true;
        }

        Console.Error.WriteLine($"The log is broken: {report.BreakCount} {(report.BreakCount == 1 ? "break" : "breaks")} found; {against}." +
                                (report.BreakCount > report.Breaks.Count ? $" The first {report.Breaks.Count} are listed." : ""));
        foreach (var b in report.Breaks)
        {
            // A checkpoint's own break (its signature, its place, the root the log no longer gives) is not an event's.
            if (b is { StreamId: null, Checkpoint: { } number })
            {
                Console.Error.WriteLine($"  checkpoint {number} (through event {b.Sequence}): {b.Reason}.");
                continue;
            }
            // A missing event, a stream's row or a checkpoint names less than an event that is there.
            var where = string.Join(", ", new[]
            {
                b.Commitment is { } key ? $"commitment {key}" : null, b.StreamId is { } stream ? $"stream {stream}" : null,
                b.Version is { } version ? $"version {version}" : null, b.Type
            }.Where(part => part is not null));
            // A commitment removed whole is placed before every event (0): it is named by what is left of it.
            Console.Error.WriteLine(b.Sequence == 0
                ? $"  {where}: {b.Reason}."
                : $"  event {b.Sequence}{(where.Length > 0 ? $" ({where})" : "")}: {b.Reason}.");
        }
        return false;
    }

    // As the API reads a kept checkpoint: its names, and an instant only with its offset.
    private static readonly JsonSerializerOptions Published = Strict();

    // Read as POST /api/audit/verify reads its body: exact names, no unknown fields, numbers as numbers, instants with offsets.
    private static JsonSerializerOptions Strict()
    {
        var options = new JsonSerializerOptions(JsonSerializerOptions.Web);
        Infrastructure.Validation.StrictJson.Apply(options);
        return options;
    }

    /// <summary>Whether a file that does not read as a checkpoint is JSON at all.</summary>
    private static bool LooksLikeJson(string path)
    {
        try
        {
            using var parsed = JsonDocument.Parse(File.ReadAllText(path));
            return true;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The kept checkpoint's file, read and checked as the POST route checks its body; what is wrong is said.</summary>
    private static async Task<(bool Read, KeptCheckpoint? Kept)> TryRead(string path)
    {
        KeptCheckpoint? kept;
        try
        {
            kept = JsonSerializer.Deserialize<KeptCheckpoint>(File.ReadAllText(path), Published);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            // Said in a line of its own words: the file system's ("Access to the path is denied." for a folder) and the
            // reader's ("it is not JSON" for JSON that is not one object) were passed on until 2026-12-06.
            Console.Error.WriteLine($"The checkpoint you kept cannot be read from {path}: {e switch
            {
                _ when Directory.Exists(path) => "it is a folder; give the checkpoint's JSON file",
                FileNotFoundException or DirectoryNotFoundException => "there is no such file",
                UnauthorizedAccessException => "this user may not read it",
                JsonException { Path: { Length: > 1 } at } => $"the value at {at} is not what a checkpoint as published holds there",
                JsonException when LooksLikeJson(path) => "it is JSON, but not one object as GET /api/audit/checkpoints/latest publishes",
                JsonException => "it is not JSON",
                _ => e.Message.TrimEnd('.')
            }}.");
            return (false, null);
        }
        // The same bounds and validator as the POST route's (a takenAt of 0001-01-01 is out of range there, not required).
        var problems = kept is null
            ? ["the file holds null"]
            : (await Infrastructure.Validation.RequestValidation.ErrorsOf<KeptCheckpoint>([new KeptCheckpointValidator()], kept,
                TimeProvider.System, CancellationToken.None))?.SelectMany(error => error.Value).ToList() ?? [];
        if (problems.Count == 0) return (true, kept);
        Console.Error.WriteLine($"The checkpoint you kept in {path} is not one as published: {string.Join(" ", problems)}");
        return (false, null);
    }
}
