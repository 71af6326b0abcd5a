using JasperFx;
using JasperFx.Events;
using Marten;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

// The same stack as the service with nothing of ours: one event appended to a stream whose small snapshot is kept
// inline (Wolverine's aggregate handler workflow), and that snapshot loaded by id. The benchmark drives it exactly as
// it drives the service, on the same PostgreSQL server, in a schema of its own.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddMarten(options =>
    {
        options.Connection(builder.Configuration.GetConnectionString("Bare")!);
        options.DatabaseSchemaName = "bare";
        options.AutoCreateSchemaObjects = AutoCreate.All;
        options.Projections.Snapshot<Counter>(JasperFx.Events.Projections.SnapshotLifecycle.Inline);
    })
    .UseLightweightSessions()
    .IntegrateWithWolverine();
builder.Host.UseWolverine(options => options.Policies.AutoApplyTransactions());
builder.Services.AddWolverineHttp();

var app = builder.Build();
app.MapWolverineEndpoints();
await app.RunAsync();

public sealed record CounterStarted(string Name);

public sealed record Counted(decimal Amount);

public sealed record Counter(Guid Id, string Name, int Count, decimal Total)
{
    public static Counter Create(CounterStarted e) => new(Guid.Empty, e.Name, 0, 0m);

    public Counter Apply(Counted e) => this with { Count = Count + 1, Total = Total + e.Amount };
}

public sealed record StartCounter(Guid Id, string Name);

public static class CounterEndpoints
{
    [WolverinePost("/bare")]
    public static IStartStream Start(StartCounter command) =>
        MartenOps.StartStream<Counter>(command.Id, new CounterStarted(command.Name));

    [WolverinePost("/bare/{id}")]
    public static Events Count(Counted command, [WriteAggregate] Counter counter) => [command];

    [WolverineGet("/bare/{id}")]
    public static Task<Counter?> Read(Guid id, IQuerySession session) => session.LoadAsync<Counter>(id);
}
