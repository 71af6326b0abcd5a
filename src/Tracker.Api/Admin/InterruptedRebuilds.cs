using Npgsql;
using Tracker.Api.Dashboard;

namespace Tracker.Api.Admin;

/// <summary>
/// At start, before requests: the list rows and the pledgers' totals brought back to the models that a rebuild which
/// never reached its end wrote past their triggers (<see cref="UnfollowedRebuilds"/>). Nothing to do, one query.
/// </summary>
public sealed class InterruptedRebuilds(ProjectionRebuilds rebuilds, ILogger<InterruptedRebuilds> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken token)
    {
        try
        {
            await rebuilds.FollowUpInterrupted(RollupBackfill.LockWait, token);
        }
        catch (NpgsqlException e)
        {
            logger.LogError(e, "Could not follow up a rebuild that never reached its end; the list rows and the pledgers' totals may lag " +
                               "their models until the next start or rebuild (the verification names what differs)");
        }
    }

    public Task StopAsync(CancellationToken token) => Task.CompletedTask;
}
