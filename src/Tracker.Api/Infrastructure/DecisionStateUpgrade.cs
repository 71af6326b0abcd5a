using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Tracker.Projections.Commitments;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// A database written by a tracker older than the small decision state has commitments without one, and a write to them
/// would find no state. Before the service takes requests, any commitment stream without its state has the state built
/// from the log by Marten's own rebuild (a few seconds for every commitment of the seed catalogue). One node at a time:
/// the others wait on the same advisory lock and then find nothing to do.
/// </summary>
public sealed class DecisionStateUpgrade(IDocumentStore store, NpgsqlDataSource database, ILogger<DecisionStateUpgrade> logger)
    : IHostedService
{
    private const long LockKey = 2026113002;

    public Task StartAsync(CancellationToken token) => Run(token);

    public Task StopAsync(CancellationToken token) => Task.CompletedTask;

    /// <summary>Builds the decision state of every commitment that lacks one; says how many lacked it.</summary>
    public async Task<long> Run(CancellationToken token)
    {
        await using var connection = await database.OpenConnectionAsync(token);
        await using (var take = new NpgsqlCommand($"select pg_advisory_lock({LockKey})", connection))
        {
            await take.ExecuteNonQueryAsync(token);
        }

        try
        {
            await using var count = new NpgsqlCommand($"""
                select count(*) from {TrackerDatabase.Schema}.mt_events e
                 where e.type = 'commitment_stated'
                   and not exists (select 1 from {TrackerDatabase.Schema}.mt_doc_commitmentstate s where s.id = e.stream_id)
                """, connection);
            var missing = (long)(await count.ExecuteScalarAsync(token))!;
            if (missing == 0) return 0;

            logger.LogWarning("{Missing} commitments have no decision state (written by an older tracker); rebuilding it from the log", missing);
            using var daemon = await store.BuildProjectionDaemonAsync();
            await daemon.RebuildProjectionAsync(CommitmentStateProjection.ProjectionName, TimeSpan.FromMinutes(5), token);
            logger.LogInformation("Decision state rebuilt for every commitment");
            return missing;
        }
        finally
        {
            await using var release = new NpgsqlCommand($"select pg_advisory_unlock({LockKey})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
