using Alba;
using JasperFx;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace Tracker.Tests.Support;

/// <summary>One running service per test collection, against the real test database, through the real HTTP pipeline.</summary>
public sealed class TrackerApp : IAsyncLifetime
{
    /// <summary>A path the test host answers by throwing, to prove unhandled exceptions become problems.</summary>
    public const string ThrowingPath = "/test/throw";

    public IAlbaHost Host { get; private set; } = null!;

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task InitializeAsync()
    {
        await SchemaApplied.Value;
        Host = await StartAnotherHost();
    }

    /// <summary>A checkpoint signing key for this test run, the same for every host and command line.</summary>
    public static readonly string CheckpointSigningKey =
        System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();

    /// <summary>
    /// The schema, applied once per test run as its owner (what `db-apply` does in production): Development's start with
    /// the owner's connection creates or migrates it, the guards and the service role's grants with it.
    /// </summary>
    private static readonly Lazy<Task> SchemaApplied = new(async () =>
    {
        JasperFxEnvironment.AutoStartHost = true;
        await using var owner = await AlbaHost.For<Program>(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:Tracker", TestDatabase.OwnerConnectionString());
            builder.UseSetting("Database:ApplySchemaOnStart", "true");
            builder.UseSetting("Catalogue:LoadOnStart", "false");
            builder.UseSetting("Audit:Checkpoints:Enabled", "false");
            builder.UseSetting("Audit:Checkpoints:SigningKey", CheckpointSigningKey);
            builder.UseSetting("Audit:Checkpoints:MemoryFile", "");
            builder.UseSetting("Deadlines:SweepEvery", "00:00:00");
            builder.ConfigureServices(services => services.RunWolverineInSoloMode());
        });
    });

    /// <summary>A service process of its own on the same database: what a restart or a second node looks like.</summary>
    public static Task<IAlbaHost> StartAnotherHost(params (string Key, string Value)[] settings) => StartHostIn("Development", settings);

    /// <summary>A host in another environment (Production: no demo keys, no schema changes, the production headers).</summary>
    public static Task<IAlbaHost> StartHostIn(string environment, params (string Key, string Value)[] settings) =>
        StartHostWith(environment, _ => { }, settings);

    /// <summary>A host with services of the test's own added (an in-memory telemetry exporter, say).</summary>
    public static async Task<IAlbaHost> StartHostWith(string environment, Action<IServiceCollection> configure,
        params (string Key, string Value)[] settings)
    {
        await SchemaApplied.Value;
        JasperFxEnvironment.AutoStartHost = true;
        var connectionString = TestDatabase.ConnectionString();

        var host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("ConnectionStrings:Tracker", connectionString);
            // The service role cannot change the schema: the owner applied it (SchemaApplied).
            builder.UseSetting("Database:ApplySchemaOnStart", "false");
            // Checkpoints are taken when a test asks (POST /api/admin/checkpoints), or by a host that turns them on.
            builder.UseSetting("Audit:Checkpoints:Enabled", "false");
            builder.UseSetting("Audit:Checkpoints:SigningKey", CheckpointSigningKey);
            // The tests empty the log between them, as whoever owns a database could: a node's memory of its checkpoints
            // (CheckpointMemory) is kept only by the tests that ask for one.
            builder.UseSetting("Audit:Checkpoints:MemoryFile", "");
            builder.UseSetting("Wolverine:ScheduledJobPollingMilliseconds", "200");
            // Deadlines are swept when a test asks: a sweep at a host's start would record what a test set up unrecorded.
            builder.UseSetting("Deadlines:SweepEvery", "00:00:00");
            // Each test states what it needs; the seed catalogue has its own tests.
            builder.UseSetting("Catalogue:LoadOnStart", "false");
            builder.UseSetting("RateLimits:WritesPerMinute", "1000000");
            // The security matrix signs in badly and reads anonymously hundreds of times from one test address.
            builder.UseSetting("RateLimits:FailedSignInsPerMinute", "1000000");
            builder.UseSetting("RateLimits:AnonymousReadsPerMinute", "1000000");
            builder.UseSetting("Auth:Jwt:Issuer", TestIdentities.Issuer);
            builder.UseSetting("Auth:Jwt:Audience", TestIdentities.Audience);
            builder.UseSetting("Auth:Jwt:SigningKey", TestIdentities.SigningKey);
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureServices(services =>
            {
                services.RunWolverineInSoloMode();
                services.AddSingleton<IStartupFilter, ThrowingEndpoint>();
                services.AddSingleton<IStartupFilter, TestIdentities.AdminByDefault>();
                // The system's time through a clock of the tests' own, so a test can tell that a part reads the one
                // registered rather than a clock of its own.
                services.AddSingleton<TimeProvider>(new RegisteredClock());
                configure(services);
            });
        });
        return host;
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>The system's clock, as an instance no part of the service could have made itself.</summary>
    public sealed class RegisteredClock : TimeProvider;

    private sealed class ThrowingEndpoint : IStartupFilter
    {
        // Appended after the app's own pipeline, so the app's exception handling wraps it like any endpoint.
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Map(ThrowingPath, branch => branch.Run(_ =>
                throw new InvalidOperationException("secret internals: connection string and stack trace")));
        };
    }
}

[CollectionDefinition(Name)]
public sealed class TrackerCollection : ICollectionFixture<TrackerApp>
{
    public const string Name = "tracker";
}
