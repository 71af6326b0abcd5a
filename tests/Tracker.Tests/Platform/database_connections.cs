using Microsoft.Extensions.Configuration;
using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Api.Security;

namespace Tracker.Tests.Platform;

public sealed class database_connections
{
    [Fact]
    public void the_service_prepares_repeated_statements_skips_the_reset_of_pooled_connections_and_keeps_a_few_of_them()
    {
        var tuned = new NpgsqlConnectionStringBuilder(TrackerDatabase.Tuned("Host=db;Database=tracker;Username=tracker"));

        tuned.MaxAutoPrepare.ShouldBe(64);
        tuned.AutoPrepareMinUsages.ShouldBe(2);
        tuned.NoResetOnClose.ShouldBeTrue();
        tuned.MaxPoolSize.ShouldBe(TrackerDatabase.DefaultMaxPoolSize);
        tuned.Host.ShouldBe("db");
    }

    [Fact]
    public void an_operator_who_sets_those_settings_keeps_them()
    {
        var tuned = new NpgsqlConnectionStringBuilder(
            TrackerDatabase.Tuned("Host=db;Database=tracker;Max Auto Prepare=0;AutoPrepareMinUsages=5;No Reset On Close=false;Maximum Pool Size=40"));
        var shortName = new NpgsqlConnectionStringBuilder(TrackerDatabase.Tuned("Host=db;MaxPoolSize=30"));

        tuned.MaxAutoPrepare.ShouldBe(0);
        tuned.AutoPrepareMinUsages.ShouldBe(5);
        tuned.NoResetOnClose.ShouldBeFalse();
        tuned.MaxPoolSize.ShouldBe(40);
        shortName.MaxPoolSize.ShouldBe(30);
    }

    [Theory]
    [InlineData(null, 2, 6)]
    [InlineData("Host=db;Maximum Pool Size=4", 2, 2)]
    [InlineData("Host=db;Maximum Pool Size=100", 2, 50)]
    public void heavy_reads_run_at_most_as_many_at_once_as_there_are_cores_and_never_more_than_half_the_pool(
        string? connection, int least, int most)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(connection is null ? [] : [new("ConnectionStrings:Tracker", connection)]).Build();

        var heavy = RateLimits.DefaultHeavyReadsAtOnce(configuration);

        heavy.ShouldBeInRange(least, most);
        heavy.ShouldBeLessThanOrEqualTo(Math.Max(2, Environment.ProcessorCount));
        TrackerDatabase.PoolSize(configuration).ShouldBe(connection is null ? TrackerDatabase.DefaultMaxPoolSize
            : new NpgsqlConnectionStringBuilder(connection).MaxPoolSize);
    }
}
