using System.Globalization;

namespace Tracker.Bench;

/// <summary>
/// CPU time spent by each party during a load (from /proc: user + system ticks), so a throughput figure can say where a
/// request's cost went: the HTTP process under test, PostgreSQL (every backend of the cluster), and the load generator.
/// </summary>
public sealed class CpuMeter
{
    private static readonly double MsPerTick = 1000.0 / 100; // USER_HZ is 100 on Linux
    private readonly int _server;
    private readonly string _postmasterPid;
    private readonly (double Server, double Postgres, double Generator) _start;

    private CpuMeter(int server, string postmasterPid)
    {
        _server = server;
        _postmasterPid = postmasterPid;
        _start = Read();
    }

    /// <summary>Starts measuring now; the server is the process the requests go to.</summary>
    public static CpuMeter Start(int serverProcessId, BenchSettings settings) =>
        new(serverProcessId, Path.Combine(settings.Repo, ".data", "pg-bench", "data", "postmaster.pid"));

    /// <summary>CPU milliseconds per request since the start, for each party.</summary>
    public CpuPerRequest PerRequest(long requests)
    {
        var now = Read();
        double Per(double ms) => requests == 0 ? 0 : ms / requests;
        return new CpuPerRequest(Per(now.Server - _start.Server), Per(now.Postgres - _start.Postgres),
            Per(now.Generator - _start.Generator));
    }

    private (double Server, double Postgres, double Generator) Read() =>
        // The load generator: this process, and the C client (LeanClient) it ran and waited for.
        (Ticks(_server) * MsPerTick, Cluster() * MsPerTick, Ticks(Environment.ProcessId, children: true) * MsPerTick);

    /// <summary>
    /// The bench cluster's CPU: its postmaster, with what its exited children (backends that closed, autovacuum workers)
    /// spent, and every live child. Other clusters on the machine are not counted.
    /// </summary>
    private double Cluster()
    {
        var postmaster = int.Parse(File.ReadLines(_postmasterPid).First(), CultureInfo.InvariantCulture);
        var total = Ticks(postmaster, children: true);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == postmaster) continue;
            try
            {
                if (Fields(pid)[1] == postmaster.ToString(CultureInfo.InvariantCulture)) total += Ticks(pid);
            }
            catch (IOException)
            {
                // the process exited between listing and reading (its time is now in the postmaster's children)
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return total;
    }

    /// <summary>User and system ticks of a process; with its exited children's too.</summary>
    private static double Ticks(int pid, bool children = false)
    {
        var fields = Fields(pid);
        double Field(int index) => double.Parse(fields[index], CultureInfo.InvariantCulture);
        // After the command name: state is [0], ppid [1], utime [11], stime [12], cutime [13], cstime [14].
        return Field(11) + Field(12) + (children ? Field(13) + Field(14) : 0);
    }

    private static string[] Fields(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name may hold spaces: the fields after it start past the last ')'.
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }
}

/// <summary>CPU milliseconds one request cost each party.</summary>
public sealed record CpuPerRequest(double Server, double Postgres, double Generator)
{
    /// <summary>Rounds of the same load as one: each party's CPU over all their requests.</summary>
    public static CpuPerRequest Together(IReadOnlyList<(CpuPerRequest Cpu, int Requests)> rounds)
    {
        var requests = Math.Max(1, rounds.Sum(r => r.Requests));
        return new CpuPerRequest(rounds.Sum(r => r.Cpu.Server * r.Requests) / requests,
            rounds.Sum(r => r.Cpu.Postgres * r.Requests) / requests, rounds.Sum(r => r.Cpu.Generator * r.Requests) / requests);
    }

    public override string ToString() =>
        $"{Server:0.00} ms in the HTTP process, {Postgres:0.00} ms in PostgreSQL, {Generator:0.00} ms in the load generator";
}
