namespace Tracker.Api.Infrastructure;

public static class StoppingTimer
{
    /// <summary>
    /// The next tick, or false once the host stops: a host that stops, or that fails to start and is torn down (its
    /// services' tokens cancelled), ends a background service's wait without an error. The host logged that as the
    /// service's crash, with its stack trace, before the start's real cause.
    /// </summary>
    public static async Task<bool> NextTickOrStop(this PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
