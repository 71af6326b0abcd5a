namespace Tracker.Api.Infrastructure;

/// <summary>
/// Runs the host until it stops and says how it ended: 0 for a stop asked for (Ctrl-C, SIGTERM), 1 when a background
/// service failed. A failed background service stops the host (HostOptions.BackgroundServiceExceptionBehavior's default,
/// its error logged), and the process ended with exit code 0 all the same (until 2026-12-07; dotnet/runtime#67146), which a
/// supervisor (systemd, Kubernetes, compose's restart policy) reads as a clean stop and neither restarts nor reports.
/// </summary>
public static class ServiceExit
{
    public static async Task<int> RunAsync(IHost host, TextWriter say)
    {
        IReadOnlyList<string> failed;
        try
        {
            await host.StartAsync();
            await host.WaitForShutdownAsync();
        }
        finally
        {
            // Read before the host is disposed, which disposes the services that know.
            failed = [.. host.Services.GetServices<IHostedService>().OfType<BackgroundService>()
                .Where(service => service.ExecuteTask is { IsFaulted: true })
                .Select(service => service.GetType().Name)
                .Distinct()];
            if (host is IAsyncDisposable asynchronous) await asynchronous.DisposeAsync();
            else host.Dispose();
        }
        if (failed.Count == 0) return 0;
        await say.WriteLineAsync($"The service stopped because {string.Join(", ", failed)} failed (its error is logged above): exit code 1.");
        return 1;
    }
}
