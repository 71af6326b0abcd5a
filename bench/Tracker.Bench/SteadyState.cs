using System.Globalization;

namespace Tracker.Bench;

/// <summary>
/// Warms a process under its load until the runtime has stopped recompiling it. .NET compiles a method quickly first and
/// again, optimised from what it saw, once it is hot, on a thread of its own (".NET Tiered Com"). Under the write load
/// that thread took 15-45% of a core in each process for about 20 s (the service longer, having more code; the bare
/// stack gained the most from it): a fixed 3 s warm-up left the first rounds measuring the compiler, and the bare stack
/// rose from round to round (776, 1130, 1302 appends/s) while the service held still. A throughput compared between
/// the two is a steady state's, so each is warmed until that thread is idle.
/// </summary>
public static class SteadyState
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(45);

    /// <summary>Idle: the compiler thread used at most this share of a core over the last two steps.</summary>
    private const double IdleShare = 0.03;

    /// <summary>Runs the load in steps of a second, at least <paramref name="least"/>, until the process's compiler is idle; how long it took.</summary>
    public static async Task<TimeSpan> WarmUntilCompiled(int processId, TimeSpan least, Func<TimeSpan, Task> load)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var idleSteps = 0;
        while (clock.Elapsed < Longest)
        {
            var before = CompilerTicks(processId);
            var started = clock.Elapsed;
            await load(Step);
            var after = CompilerTicks(processId);
            // The thread exits when idle for a while and a new one starts from 0.
            var ticks = after >= before ? after - before : after;
            var share = ticks / 100.0 / (clock.Elapsed - started).TotalSeconds;
            idleSteps = share <= IdleShare ? idleSteps + 1 : 0;
            if (idleSteps >= 2 && clock.Elapsed >= least) break;
        }
        return clock.Elapsed;
    }

    /// <summary>User and system ticks of the runtime's tiered-compilation thread (0 when the runtime has none).</summary>
    private static long CompilerTicks(int processId)
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal)) continue;
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // the thread ended between listing and reading
            }
        }
        return 0;
    }
}
