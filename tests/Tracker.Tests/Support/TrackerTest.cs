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

        // The daemon or a deadline check of the previous test may still be writing: a reset that loses a deadlock to it
        // is run again.
        await Tracker.Api.Admin.Deadlocks.Retrying(async () =>
        {
            await app.Host.ResetAllMartenDataAsync();
            return true;
        }, CancellationToken.None);
        // Marten resets its own tables; the idempotency keys, the events' hashes and the effective timelines live beside them.
        await using var truncate = app.Host.Services.GetRequiredService<NpgsqlDataSource>()
            .CreateCommand("truncate tracker.idempotency_keys, tracker.event_hashes, tracker.api_keys, tracker.commitment_days, tracker.commitment_rollup, tracker.commitment_counted");
        await truncate.ExecuteNonQueryAsync();
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
}
