using System.Diagnostics;

namespace Tracker.Tests.Support;

/// <summary>
/// The tests' PostgreSQL, as production runs it: the service connects as a role that cannot change the event log
/// (TRACKER_TEST_CONNECTION), and the schema is applied as its owner (TRACKER_TEST_OWNER_CONNECTION). scripts/test.sh
/// sets both; otherwise the throwaway test cluster that scripts/db.sh starts gives them, so a bare `dotnet test` works too.
/// </summary>
public static class TestDatabase
{
    /// <summary>The service role's connection: what every test host connects as.</summary>
    public static string ConnectionString()
    {
        var configured = Environment.GetEnvironmentVariable("TRACKER_TEST_CONNECTION");
        return string.IsNullOrWhiteSpace(configured) ? DbScript("start") : configured;
    }

    /// <summary>The schema owner's connection: what applies the schema, resets data between tests, and attacks the log.</summary>
    public static string OwnerConnectionString()
    {
        var configured = Environment.GetEnvironmentVariable("TRACKER_TEST_OWNER_CONNECTION");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        ConnectionString();
        return DbScript("owner-url");
    }

    /// <summary>The cluster's superuser (only what the owner cannot do: switching triggers off for a session).</summary>
    public static string SuperuserConnectionString() =>
        new Npgsql.NpgsqlConnectionStringBuilder(OwnerConnectionString()) { Username = Environment.GetEnvironmentVariable("TRACKER_TEST_SUPERUSER") ?? "postgres" }.ConnectionString;

    private static string DbScript(string command)
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "db.sh");
        var start = new ProcessStartInfo("bash", [script, command, "--test"])
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
            throw new InvalidOperationException($"scripts/db.sh {command} --test failed ({process.ExitCode}): {errors}");
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
