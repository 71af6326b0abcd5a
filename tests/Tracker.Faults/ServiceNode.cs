using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tracker.Faults;

/// <summary>
/// One process of the service, started from the built Tracker.Api.dll, that a scenario can kill with SIGKILL. Extra
/// settings (environment variables) are what a scenario changes from the service's defaults.
/// </summary>
public sealed class ServiceNode(FaultSettings settings, int port, IReadOnlyDictionary<string, string>? extra = null) : IAsyncDisposable
{
    private Process? _process;

    public string BaseUrl { get; } = $"http://127.0.0.1:{port}";
    public string Name => $"node :{port}";
    public HttpClient Client { get; } = settings.ClientFor($"http://127.0.0.1:{port}");

    public async Task<TimeSpan> Start()
    {
        var started = Stopwatch.StartNew();
        var start = new ProcessStartInfo("dotnet", [settings.ApiDll])
        {
            WorkingDirectory = Path.GetDirectoryName(settings.ApiProject)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = BaseUrl;
        start.Environment["ConnectionStrings__Tracker"] = settings.Connection;
        start.Environment["Auth__BootstrapAdminKey"] = FaultSettings.AdminKey;
        start.Environment["Catalogue__LoadOnStart"] = "false";
        start.Environment["RateLimits__WritesPerMinute"] = "1000000";
        foreach (var (name, value) in extra ?? new Dictionary<string, string>()) start.Environment[name] = value;
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var log = File.AppendText(Path.Combine(settings.Artifacts, $"node-{port}.log"));
        log.AutoFlush = true;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilReady(TimeSpan.FromSeconds(120));
        return started.Elapsed;
    }

    public async Task WaitUntilReady(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true }) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}");
            try
            {
                using var response = await Client.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} was not ready in {timeout.TotalSeconds} s");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; whatever was in flight is cut off.</summary>
    public void Kill()
    {
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit();
        _process = null;
    }

    public async Task<JsonElement> Readiness()
    {
        using var response = await Client.GetAsync("/health/ready");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>
    /// Stops the node as an operator would (SIGTERM), so it leaves the cluster and the next scenario's nodes do not wait
    /// for it to be taken for dead; SIGKILL if it does not exit within 30 s.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is not { HasExited: false } process) return;
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
        _process = null;
    }
}
