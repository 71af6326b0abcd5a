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
    private readonly (double Server, double Postgres, double Generator) _start;

    private CpuMeter(int server)
    {
        _server = server;
        _start = Read();
    }

    /// <summary>Starts measuring now; the server is the process the requests go to.</summary>
    public static CpuMeter Start(int serverProcessId) => new(serverProcessId);

    /// <summary>CPU milliseconds per request since the start, for each party.</summary>
    public CpuPerRequest PerRequest(long requests)
    {
        var now = Read();
        double Per(double ms) => requests == 0 ? 0 : ms / requests;
        return new CpuPerRequest(Per(now.Server - _start.Server), Per(now.Postgres - _start.Postgres),
            Per(now.Generator - _start.Generator));
    }

    private (double Server, double Postgres, double Generator) Read()
    {
        var postgres = 0.0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() == "postgres") postgres += Ticks(pid);
            }
            catch (IOException)
            {
                // the backend exited between listing and reading
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return (Ticks(_server) * MsPerTick, postgres * MsPerTick, Ticks(Environment.ProcessId) * MsPerTick);
    }

    private static double Ticks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command name (which may hold spaces) start after the last ')': state is field 3, utime 14.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}

/// <summary>CPU milliseconds one request cost each party.</summary>
public sealed record CpuPerRequest(double Server, double Postgres, double Generator)
{
    public override string ToString() =>
        $"{Server:0.00} ms in the HTTP process, {Postgres:0.00} ms in PostgreSQL, {Generator:0.00} ms in the load generator";
}
