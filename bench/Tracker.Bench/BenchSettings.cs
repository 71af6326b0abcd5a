namespace Tracker.Bench;

/// <summary>Where things are, and how big each scenario is: the full run, or a quick one (--quick, under 2 minutes).</summary>
public sealed record BenchSettings(string Repo, string Connection, string PgBin, string PgHost, int PgPort, string Database,
    string Artifacts, bool Quick)
{
    public const string AdminKey = "bench-admin-key-for-this-run-only";

    /// <summary>What the service connects as (the role that may only insert into the log), and what applies the schema.</summary>
    public string ServiceConnection { get; init; } = Connection;
    public string OwnerConnection { get; init; } = Connection;

    public string ApiDll => Path.Combine(Repo, "src", "Tracker.Api", "bin", "Release", "net10.0", "Tracker.Api.dll");
    public int Clients => 16;
    public int WriteCommitments => 64;
    public TimeSpan LoadDuration => Quick ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(15);
    public int RebuildEvents => Quick ? 20_000 : 1_000_000;
    public int EventsPerRebuildStream => 50;
    public int[] TimeTravelSizes => Quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
    public int ImportCommitments => Quick ? 2_000 : 100_000;
    public int DashboardCommitments => Quick ? 10_000 : 100_000;

    public HttpClient Client(string baseUrl) => new()
    {
        BaseAddress = new Uri(baseUrl),
        Timeout = TimeSpan.FromMinutes(5),
        DefaultRequestHeaders = { { "X-Api-Key", AdminKey } }
    };
}
