using System.Diagnostics;

namespace Tracker.Tests.Support;

/// <summary>Runs the service's JasperFx command line (`dotnet Tracker.Api.dll ...`) as its own process.</summary>
public static class CommandLine
{
    public static Task<(int ExitCode, string Output)> Run(string connectionString, params string[] arguments) =>
        RunIn(AppContext.BaseDirectory, new Dictionary<string, string?>(), connectionString, arguments);

    /// <summary>The same from another folder (which is the content root), with settings of its own (null: unset).</summary>
    public static async Task<(int ExitCode, string Output)> RunIn(string folder, IReadOnlyDictionary<string, string?> settings,
        string connectionString, params string[] arguments)
    {
        var api = Path.Combine(AppContext.BaseDirectory, "Tracker.Api.dll");
        var start = new ProcessStartInfo("dotnet", [api, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
            Environment =
            {
                ["ConnectionStrings__Tracker"] = connectionString,
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["Database__ApplySchemaOnStart"] = "false",
                ["Audit__Checkpoints__SigningKey"] = TrackerApp.CheckpointSigningKey
            }
        };
        foreach (var (key, value) in settings)
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A command that did not end (a service that started where the test expected a refusal) is stopped, not left
            // serving against the test database, and the test told so.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, "(stopped after 2 minutes) " + await output + await errors);
        }
        return (process.ExitCode, await output + await errors);
    }
}
