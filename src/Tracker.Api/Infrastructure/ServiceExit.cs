namespace Tracker.Api.Infrastructure;

/// <summary>
/// Runs the host until it stops and says how it ended: 0 for a stop asked for (Ctrl-C, SIGTERM), 1 when a background
/// service failed. A failed background service stops the host (HostOptions.BackgroundServiceExceptionBehavior's default,
/// its error logged), and the process ended with exit code 0 all the same (until 2026-12-07; dotnet/runtime#67146), which a
/// supervisor (systemd, Kubernetes, compose's restart: on-failure) reads as a clean stop and neither restarts nor reports.
/// </summary>
public static class ServiceExit
{
    public static async Task<int> RunAsync(IHost host, TextWriter say)
    {
        IReadOnlyList<string> failed = [];
        // Read as the stop begins: a service whose failure stops the host has ended by then, and on a stop asked for none has
        // been told to stop yet, so one that throws while stopping is not taken for the cause. Faulted or cancelled: the host
        // takes a cancellation that is not its own stop for a failure too.
        using (host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => failed = FailedNow(host.Services)))
        {
            try
            {
                await host.StartAsync();
                await host.WaitForShutdownAsync();
            }
            finally
            {
                if (host is IAsyncDisposable asynchronous) await asynchronous.DisposeAsync();
                else host.Dispose();
            }
        }
        if (failed.Count == 0) return 0;
        await say.WriteLineAsync($"The service stopped because {string.Join(", ", failed)} failed (its error is logged above): exit code 1.");
        return 1;
    }

    private static IReadOnlyList<string> FailedNow(IServiceProvider services)
    {
        try
        {
            return [.. services.GetServices<IHostedService>().OfType<BackgroundService>()
                .Where(service => service.ExecuteTask is { IsFaulted: true } or { IsCanceled: true })
                .Select(service => service.GetType().Name)
                .Distinct()];
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // A service that cannot be made is the start's failure, which reaches the caller as it is.
            return [];
        }
    }
}
