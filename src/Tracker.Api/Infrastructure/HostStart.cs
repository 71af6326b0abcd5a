namespace Tracker.Api.Infrastructure;

public static class HostStart
{
    /// <summary>
    /// Waits until the host has started (true), or until it stops first (false): a background service that works only
    /// while requests are served starts then, so that a start that fails (the database unreachable) is said in its own
    /// one line, not also by each service.
    /// </summary>
    public static async Task<bool> Started(this IHostApplicationLifetime lifetime, CancellationToken token)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (token.Register(() => started.TrySetCanceled(token)))
        {
            try
            {
                await started.Task;
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }
}
