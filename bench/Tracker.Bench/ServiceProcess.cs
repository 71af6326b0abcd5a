using System.Diagnostics;
using System.Globalization;

namespace Tracker.Bench;

/// <summary>The service as production runs it (Release build, Production environment), with its memory read from /proc.</summary>
public sealed class ServiceProcess(BenchSettings settings, int port) : IDisposable
{
    private Process? _process;
    public string BaseUrl { get; } = $"http://127.0.0.1:{port}";
    public HttpClient Client { get; } = settings.Client($"http://127.0.0.1:{port}");

    public static ProcessStartInfo Command(BenchSettings settings, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [settings.ApiDll, .. arguments])
        {
            WorkingDirectory = Path.GetDirectoryName(settings.ApiDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The schema is applied as its owner; the service runs as the role that may only insert into the log.
        start.Environment["ConnectionStrings__Tracker"] =
            arguments.FirstOrDefault() == "db-apply" ? settings.OwnerConnection : settings.ServiceConnection;
        start.Environment["Auth__BootstrapAdminKey"] = AdminKey;
        start.Environment["Catalogue__LoadOnStart"] = "false";
        start.Environment["RateLimits__WritesPerMinute"] = "100000000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The rebuild's own account of its phases (how long the replay, the writes it waited on, the repair) in service.log.
        start.Environment["Logging__LogLevel__Tracker.Api.Admin"] = "Information";
        return start;
    }

    private const string AdminKey = BenchSettings.AdminKey;

    /// <summary>Starts the process and waits for /health/ready; the time from process start to the first 200.</summary>
    public async Task<TimeSpan> Start()
    {
        var start = Command(settings);
        start.Environment["ASPNETCORE_URLS"] = BaseUrl;
        var clock = Stopwatch.StartNew();
        _process = Process.Start(start)!;
        var log = File.AppendText(Path.Combine(settings.Artifacts, "service.log"));
        log.AutoFlush = true;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var probe = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(2) };
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (_process.HasExited) throw new InvalidOperationException($"The service exited with {_process.ExitCode}; see service.log");
            try
            {
                using var response = await probe.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode) return clock.Elapsed;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("The service was not ready within 2 minutes");
    }

    /// <summary>Resident memory now and at its peak (VmRSS, VmHWM), in MiB.</summary>
    public (double Now, double Peak) Memory()
    {
        var status = File.ReadAllLines($"/proc/{_process!.Id}/status");
        double Read(string field) => double.Parse(status.Single(l => l.StartsWith(field, StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        return (Read("VmRSS:"), Read("VmHWM:"));
    }

    public int ProcessId => _process!.Id;

    /// <summary>Resets the peak so the next scenario's peak is its own.</summary>
    public void ResetPeak() => File.WriteAllText($"/proc/{_process!.Id}/clear_refs", "5");

    /// <summary>
    /// Stops the service as an operator would (SIGTERM), so it leaves the cluster cleanly: a killed node keeps its async
    /// projections assigned to it until the others take it for dead, which stalled the next start's daemon for a minute.
    /// </summary>
    public void Dispose()
    {
        if (_process is not { HasExited: false }) return;
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            term.WaitForExit();
        }
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }
}
