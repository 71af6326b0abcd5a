using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine.Runtime;

namespace Tracker.Tests.Support;

/// <summary>Base of every HTTP test: a shared host, and a database emptied before each test.</summary>
[Collection(TrackerCollection.Name)]
public abstract class TrackerTest(TrackerApp app) : IAsyncLifetime
{
    protected IAlbaHost Api => app.Host;
    protected IDocumentStore Store => app.Store;

    public async Task InitializeAsync()
    {
        // A rebuild an earlier test started (the security matrix starts one) must not write into this test's data.
        var rebuilds = app.Host.Services.GetRequiredService<Tracker.Api.Admin.ProjectionRebuilds>();
        for (var i = 0; i < 100 && rebuilds.AnyRunning; i++) await Task.Delay(100);

        // The log refuses TRUNCATE, and the service's role may not: the data is emptied as the superuser with the
        // triggers off for the one transaction, with the async daemon paused. The daemon or a deadline check of the
        // previous test may still be writing: a reset that loses a deadlock to it is run again.
        var coordinator = app.Host.Services.GetRequiredService<JasperFx.Events.Daemon.IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            await Tracker.Api.Admin.Deadlocks.Retrying(async () =>
            {
                await using var connection = new NpgsqlConnection(TestDatabase.SuperuserConnectionString());
                await connection.OpenAsync();
                await using var reset = new NpgsqlCommand(ResetSql, connection);
                await reset.ExecuteNonQueryAsync();
                return true;
            }, CancellationToken.None);
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
        app.Host.Services.GetRequiredService<Tracker.Api.Documents.RegisteredDocuments>().Forget();
        // Scheduled deadline checks of earlier tests must not fire into this one; clearing them can lose a deadlock to
        // one that is firing, and is then run again.
        await Tracker.Api.Admin.Deadlocks.Retrying(async () =>
        {
            await app.Host.Services.GetRequiredService<IWolverineRuntime>().Storage.Admin.ClearAllAsync();
            return true;
        }, CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Every table of the schema but Wolverine's (its nodes and envelopes are the running hosts').</summary>
    private const string ResetSql = """
        begin;
        set local session_replication_role = replica;
        do $reset$ begin
          execute (select 'truncate ' || string_agg(format('tracker.%I', tablename), ', ')
                     from pg_tables where schemaname = 'tracker' and tablename not like 'wolverine%');
        end $reset$;
        select setval('tracker.mt_events_sequence', 1, false);
        commit;
        """;
}
