using Npgsql;
using Tracker.Api.Infrastructure;

namespace Tracker.Api.Security;

/// <summary>
/// Listens for revocations announced by any process on the database (<see cref="ApiKeyStore.RevokedChannel"/>: the
/// `api-keys revoke` command, another node) and has this node forget the key at once, so a leaked key is refused
/// everywhere within moments rather than within <see cref="ApiKeyStore.Trusted"/>. One connection of its own, outside
/// the pools (<see cref="HeldConnections"/>), held while it listens. While it cannot listen (the database restarting), announcements go unheard: on
/// listening again it forgets every key, which are then looked up on their next use.
/// </summary>
public sealed class ApiKeyRevocations(HeldConnections connections, ApiKeyStore keys, IHostApplicationLifetime lifetime,
    ILogger<ApiKeyRevocations> logger) : BackgroundService
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);
    // A connection that died without a word (no reset from the network) would keep the wait going forever: it is asked
    // for a round trip this often, which fails on a dead one.
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Once the host has started: before it, no request is served, and a start that fails (the database unreachable)
        // is said in its own one line, not also here.
        if (!await Infrastructure.HostStart.Started(lifetime, stoppingToken)) return;
        var lost = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = connections.Create();
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, notice) => keys.Forget(notice.Payload);
                await using (var listen = new NpgsqlCommand($"listen {ApiKeyStore.RevokedChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                keys.ForgetAll();
                if (lost) logger.LogInformation("Listening for API key revocations again; every key is looked up again on its next use");
                lost = false;
                while (true)
                {
                    if (await connection.WaitAsync(Probe, stoppingToken)) continue;
                    await using var probe = new NpgsqlCommand("select 1", connection);
                    await probe.ExecuteScalarAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.IO.IOException or TimeoutException or InvalidOperationException)
            {
                if (!lost)
                {
                    logger.LogWarning("Not listening for API key revocations ({Problem}); a key revoked meanwhile is refused here within {Trusted} s",
                        e.Message, ApiKeyStore.Trusted.TotalSeconds);
                }
                lost = true;
                keys.ForgetAll();
                try { await Task.Delay(Retry, stoppingToken); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
