namespace Tracker.Faults;

/// <summary>Where the service and its database are, as scripts/faults.sh passes them.</summary>
public sealed record FaultSettings(string Repo, string Connection, string Artifacts, int FirstPort)
{
    public const string AdminKey = "fault-admin-key-for-this-run-only";

    public string ApiProject => Path.Combine(Repo, "src", "Tracker.Api", "Tracker.Api.csproj");
    public string ApiDll => Path.Combine(Repo, "src", "Tracker.Api", "bin", "Debug", "net10.0", "Tracker.Api.dll");

    public HttpClient ClientFor(string baseUrl)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return client;
    }

    /// <summary>Stops or starts the scenario's PostgreSQL cluster with scripts/db.sh.</summary>
    public async Task Database(string command)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash",
            [Path.Combine(Repo, "scripts", "db.sh"), command, "--faults"]) { RedirectStandardOutput = true })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"db.sh {command} --faults failed");
    }
}
