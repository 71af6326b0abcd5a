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

    public async Task InitializeAsync() => Host = await StartAnotherHost();

    /// <summary>A service process of its own on the same database: what a restart or a second node looks like.</summary>
    public static Task<IAlbaHost> StartAnotherHost(params (string Key, string Value)[] settings) => StartHostIn("Development", settings);

    /// <summary>A host in another environment (Production: no demo keys, no schema changes, the production headers).</summary>
    public static async Task<IAlbaHost> StartHostIn(string environment, params (string Key, string Value)[] settings)
    {
        JasperFxEnvironment.AutoStartHost = true;
        var connectionString = TestDatabase.ConnectionString();

        var host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("ConnectionStrings:Tracker", connectionString);
            builder.UseSetting("Wolverine:ScheduledJobPollingMilliseconds", "200");
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
            });
        });
        return host;
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

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
