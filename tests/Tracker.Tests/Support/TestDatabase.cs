using System.Diagnostics;

namespace Tracker.Tests.Support;

/// <summary>
/// The tests' PostgreSQL: the connection string in TRACKER_TEST_CONNECTION when set (scripts/test.sh sets it),
/// otherwise the throwaway test cluster that scripts/db.sh starts, so a bare `dotnet test` works too.
/// </summary>
public static class TestDatabase
{
    public static string ConnectionString()
    {
        var configured = Environment.GetEnvironmentVariable("TRACKER_TEST_CONNECTION");
        return string.IsNullOrWhiteSpace(configured) ? StartLocalCluster() : configured;
    }

    private static string StartLocalCluster()
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "db.sh");
        var start = new ProcessStartInfo("bash", [script, "start", "--test"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not run scripts/db.sh");
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/db.sh start --test failed ({process.ExitCode}): {errors}");
        }
        return output.Trim();
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CommitmentTracker.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Could not find CommitmentTracker.sln above " + AppContext.BaseDirectory);
    }
}
