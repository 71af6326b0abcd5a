using Alba;
using Marten;

namespace Tracker.Tests.Support;

/// <summary>Base of every HTTP test: a shared host, and a database emptied before each test.</summary>
[Collection(TrackerCollection.Name)]
public abstract class TrackerTest(TrackerApp app) : IAsyncLifetime
{
    protected IAlbaHost Api => app.Host;
    protected IDocumentStore Store => app.Store;

    public async Task InitializeAsync() => await app.Host.ResetAllMartenDataAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
