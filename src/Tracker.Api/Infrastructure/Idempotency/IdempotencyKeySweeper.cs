namespace Tracker.Api.Infrastructure.Idempotency;

/// <summary>
/// Every few minutes, deletes the idempotency keys older than the retention with their stored responses, in bounded
/// batches (<see cref="IdempotencyStore.DeleteExpired"/>). Every node runs it: batches skip rows another node holds,
/// so two nodes share the work rather than wait on each other. A key past its retention is already ignored by requests;
/// this only keeps the table small.
/// </summary>
public sealed class IdempotencyKeySweeper(IdempotencyStore store, ILogger<IdempotencyKeySweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.NextTickOrStop(token))
        {
            try
            {
                var deleted = await store.DeleteExpired(IdempotencyStore.SweepBatchSize, token);
                if (deleted > 0) logger.LogInformation("Deleted {Count} idempotency keys older than {Retention}", deleted, store.Retention);
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                // A database that is down is no reason to stop the host: the next round tries again.
                if (DatabaseOutage.Is(e)) logger.LogWarning("Could not delete expired idempotency keys ({Problem}); trying again in {Interval}", e.Message, Interval);
                else logger.LogWarning(e, "Could not delete expired idempotency keys; trying again in {Interval}", Interval);
            }
        }
    }
}
