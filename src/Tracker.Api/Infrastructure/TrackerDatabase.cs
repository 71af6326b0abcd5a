using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Tracker.Api.Audit;
using Tracker.Api.Infrastructure.EventVersions;
using Tracker.Api.Infrastructure.Idempotency;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Tracker.Projections.Commitments.Rollup;
using Tracker.Projections.Commitments.Timeline;
using Tracker.Projections.Documents;
using Weasel.Core;
using Wolverine.Marten;

namespace Tracker.Api.Infrastructure;

public static class TrackerDatabase
{
    public const string ConnectionName = "Tracker";
    public const string Schema = "tracker";

    /// <summary>Connections per pool unless the connection string says otherwise (Maximum Pool Size).</summary>
    public const int DefaultMaxPoolSize = 12;

    /// <summary>The fewest connections a pool may allow: below this the service never gets to listen.</summary>
    public const int MinPoolSize = 4;

    /// <summary>Npgsql's defaults, changed where the service knows better; a setting in the connection string wins.</summary>
    public static string Tuned(string connectionString)
    {
        HashSet<string> given;
        NpgsqlConnectionStringBuilder tuned;
        try
        {
            given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
                .Cast<string>().Select(k => k.Replace(" ", "")).ToHashSet(StringComparer.OrdinalIgnoreCase);
            tuned = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw new ConfigurationProblem(
                $"ConnectionStrings:{ConnectionName} is not a connection string PostgreSQL takes ({e.Message}); it reads like " +
                "Host=localhost;Port=5432;Database=tracker;Username=tracker_service;Password=...", e);
        }
        if (tuned.MaxPoolSize < MinPoolSize)
        {
            throw new ConfigurationProblem(
                $"ConnectionStrings:{ConnectionName} allows {tuned.MaxPoolSize} connections (Maximum Pool Size); the service needs at least " +
                $"{MinPoolSize}: the async daemon's and Wolverine's leaders each keep one, and requests need the rest (the default is {DefaultMaxPoolSize}).");
        }
        // Marten's statements repeat on every request: prepared on a connection after their second use, PostgreSQL stops
        // parsing and planning them each time (measured: a third less database CPU per read and per write).
        if (!given.Contains("MaxAutoPrepare")) tuned.MaxAutoPrepare = 64;
        if (!given.Contains("AutoPrepareMinUsages")) tuned.AutoPrepareMinUsages = 2;
        // Nothing leaves session state on a pooled connection (the two that take session locks give them back), so the
        // DISCARD ALL that would precede each request's first statement is skipped.
        if (!given.Contains("NoResetOnClose")) tuned.NoResetOnClose = true;
        // A few connections per database core, not Npgsql's 100: more backends than that do not commit faster, they queue
        // on PostgreSQL's locks (the WAL's write lock), where a holder the scheduler preempts holds up every commit behind
        // it. Requests wait for a connection in the service instead. Measured on 2 cores at half load: with 12, five runs
        // had a p99 of 17-30 ms (in the three traced, no quarter-second's slowest write over 58 ms); with 100, eight of
        // eleven stalled for 190-480 ms and four had a p99 over 50 ms (docs/benchmarks-profile.md, eighteenth session).
        // Marten's pool also carries the async daemon and Wolverine, whose leaders each keep a connection; heavy reads
        // (exports among them) are held to a few at once by RateLimits, so slow downloads cannot take the pool.
        // (Never under a Minimum Pool Size the operator gave: until 2026-12-07 one above 12 stopped the start with the
        // driver's exception, over a maximum the operator never set.)
        if (!given.Contains("MaxPoolSize") && !given.Contains("MaximumPoolSize")) tuned.MaxPoolSize = Math.Max(DefaultMaxPoolSize, tuned.MinPoolSize);
        if (tuned.MinPoolSize > tuned.MaxPoolSize)
        {
            throw new ConfigurationProblem(
                $"ConnectionStrings:{ConnectionName} keeps at least {tuned.MinPoolSize} connections open (Minimum Pool Size) but allows at most " +
                $"{tuned.MaxPoolSize} (Maximum Pool Size): give a minimum no larger than the maximum.");
        }
        return tuned.ConnectionString;
    }

    /// <summary>
    /// How many connections each of the service's pools keeps at most: the connection string's Maximum Pool Size, or
    /// <see cref="DefaultMaxPoolSize"/>. The default when no connection string is set (a check of settings alone).
    /// </summary>
    public static int PoolSize(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionName) is { Length: > 0 } given
            ? new NpgsqlConnectionStringBuilder(Tuned(given)).MaxPoolSize
            : DefaultMaxPoolSize;

    /// <summary>The role the service runs as, granted what it needs by `db-apply` (none when set empty).</summary>
    public static string? ServiceRole(IConfiguration configuration)
    {
        var role = configuration.GetValue("Database:ServiceRole", DatabaseGuards.DefaultServiceRole);
        if (string.IsNullOrWhiteSpace(role)) return null;
        if (!System.Text.RegularExpressions.Regex.IsMatch(role, "^[a-z_][a-z0-9_]{0,62}$"))
        {
            throw new ConfigurationProblem("Database:ServiceRole must be a plain PostgreSQL role name (lower-case letters, digits, underscores).");
        }
        return role;
    }

    public static IServiceCollection AddTrackerDatabase(this IServiceCollection services, IConfiguration configuration,
        IHostEnvironment environment)
    {
        var connectionString = configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ConfigurationProblem(
                $"No database configured: set ConnectionStrings:{ConnectionName} (environment ConnectionStrings__{ConnectionName}), " +
                "or start the service with scripts/run.sh, which starts a local PostgreSQL for you.");
        }

        connectionString = Tuned(connectionString);
        var applySchema = configuration.GetValue("Database:ApplySchemaOnStart", environment.IsDevelopment());
        services.AddSingleton(NpgsqlDataSource.Create(connectionString));
        services.AddSingleton(new HeldConnections(connectionString));
        services.AddSingleton(IdempotencyRetention.From(configuration));
        services.AddSingleton<IdempotencyStore>();
        services.AddHostedService<IdempotencyKeySweeper>();

        var marten = services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.DatabaseSchemaName = Schema;
                // Enums as names in the log: an auditor reading mt_events sees "Disbursed", not 1.
                var serializer = new BufferedRowJson { EnumStorage = EnumStorage.AsString };
                serializer.Configure(json => json.TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.WithAddedModifier(
                    json.TypeInfoResolver ?? new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(), BufferedRowJson.EventsReadWhole));
                options.Serializer(serializer);

                // Development creates and migrates the schema at start (when it connects as the owner); elsewhere
                // `db-apply` does it with the owner role, and the service runs as a role that cannot change the schema.
                options.AutoCreateSchemaObjects = applySchema ? AutoCreate.CreateOrUpdate : AutoCreate.None;

                // Who, which request, and why: on every event, as columns an auditor can query.
                options.Events.MetadataConfig.EnableAll();
                options.Events.MetadataConfig.UserNameEnabled = true;

                // Quick appends: PostgreSQL draws the sequence in the append's own statement, two round trips fewer than
                // Rich (its nextval and its read of the stream's row). This mode sends the timestamps from here, so an
                // inline model carries the time its last event is stored with; it carries no event sequence, which
                // PostgreSQL draws after the projection ran (the models keep their stream's version instead).
                options.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
                // The progress projection keeps checkpoints of the past as a side effect, in the write's transaction.
                options.Events.EnableSideEffectsOnInlineProjections = true;
                // The decision state is immutable: the inline projection may step the very object FetchForWriting read,
                // instead of loading it again in the same transaction.
                options.Events.UseIdentityMapForAggregates = true;

                // Telemetry (Infrastructure/Telemetry): a span per connection a session uses, and events appended by
                // type (marten.event.append).
                options.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
                options.OpenTelemetry.TrackEventCounters();

                // Older shapes of events, read as today's (see EventVersions/).
                options.Events.Upcast([.. StoredShapes.Upcasters]);

                options.Projections.Add<DocumentViewProjection>(ProjectionLifecycle.Inline);

                // One small document per commitment, written in the transaction of each write: the write rules decide
                // against its State (fetched with the stream in one round trip), and a monitor reads back at once what
                // they recorded. One document, not a state and a read model apart: each write loads and upserts one.
                options.Projections.Add<CommitmentProgressProjection>(ProjectionLifecycle.Inline);
                // A ledger row per pledge, in the same transaction: a write about a pledge loads that row beside the
                // state, so neither grows with the number of pledges (Commitments/Pledges/).
                options.Projections.Add(new PledgeLedgerProjection(), ProjectionLifecycle.Inline);
                options.Listeners.Add(new PledgeLedgerProjection.ForgetSteppedRows());
                options.Schema.For<PledgeLedgerRow>();
                // Each pledger's totals and name, kept by triggers on those rows (PledgerRollup).
                options.Storage.ExtendedSchemaObjects.AddRange(PledgerRollup.Define(Schema));
                // The list filters and sorts, and the dashboard sums, on columns beside each model (ListColumns).
                options.Policies.ForAllDocuments(mapping =>
                {
                    if (mapping is Marten.Schema.DocumentMapping<CommitmentProgress> progress) ListColumns.Configure(progress);
                    if (mapping is Marten.Schema.DocumentMapping<ProgressCheckpoint> checkpoints) ProgressCheckpoint.Configure(checkpoints);
                    if (mapping is Marten.Schema.DocumentMapping<PledgeLedgerRow> rows) PledgeLedgerRow.Configure(rows);
                });
                // ...and copied by a trigger into a flat row per commitment, which the list and the dashboard read.
                options.Storage.ExtendedSchemaObjects.AddRange(CommitmentRows.Define(Schema));
                // Each commitment by the dates its facts took effect: the trend, the past as effective and the dashboard
                // on a past date read it (Timeline/). Asynchronous, so writes never pay for a fact recorded late.
                options.Projections.Add(new EffectiveTimelineProjection(), ProjectionLifecycle.Async, EffectiveTimelineProjection.ProjectionName);
                options.Storage.ExtendedSchemaObjects.Add(TimelineDays.Define(Schema));
                options.Storage.ExtendedSchemaObjects.Add(TimelineDays.DefineFacts(Schema));
                // The dashboard on a past date: per day, how each group changed, kept by triggers on the timeline's days.
                options.Storage.ExtendedSchemaObjects.AddRange(DailyRollup.Define(Schema));
                // The present dashboard's counts and sums, reconciled with the progress models as they change (Rollup/).
                options.Projections.Add(new DashboardRollupProjection(), ProjectionLifecycle.Async, DashboardRollupProjection.ProjectionName,
                    asyncConfiguration: rebuild =>
                    {
                        // A rebuild counts every commitment again from nothing.
                        rebuild.DeleteDataInTableOnTeardown($"{Schema}.{DashboardRollup.Groups}");
                        rebuild.DeleteDataInTableOnTeardown($"{Schema}.{DashboardRollup.Counted}");
                    });
                options.Storage.ExtendedSchemaObjects.AddRange(DashboardRollup.Define(Schema));
                // The present narrowed by one filter: the rollup's groups per status, kind, line of effort and actor.
                options.Storage.ExtendedSchemaObjects.AddRange(ScopedRollup.Define(Schema));
                // Known at start, so db-apply creates its table (its columns and index: ProgressCheckpoint.Configure).
                options.Schema.For<ProgressCheckpoint>();

                // One spelling per actor and line of effort, whatever the case (Commitments/Stating/NameSpellings).
                options.Storage.ExtendedSchemaObjects.AddRange(Commitments.Stating.NameSpellings.Define(Schema));
                options.Storage.ExtendedSchemaObjects.Add(IdempotencyKeysTable.Define(Schema));
                options.Storage.ExtendedSchemaObjects.Add(Admin.UnfollowedRebuilds.Define(Schema));
                options.Storage.ExtendedSchemaObjects.Add(Admin.RebuildProgressLog.Define(Schema));
                options.Storage.ExtendedSchemaObjects.AddRange(HashChain.SchemaObjects(Schema));
                options.Storage.ExtendedSchemaObjects.AddRange(AppendOnlyLog.SchemaObjects(Schema));
                options.Storage.ExtendedSchemaObjects.AddRange(Audit.Checkpoints.LogCheckpoints.Define(Schema));
                // The triggers on tables Marten creates and the service role's privileges, once every table exists.
                options.Storage.Add(new DatabaseGuards(Schema, ServiceRole(configuration), roleNamed: !string.IsNullOrWhiteSpace(configuration["Database:ServiceRole"])));
                options.Storage.ExtendedSchemaObjects.Add(Security.ApiKeyStore.Define(Schema));
            })
            .UseLightweightSessions()
            // Every node starts its daemon at once and races for one advisory lock: the holder runs every async
            // projection, the others take over within a leadership poll of its connection closing. Measured against
            // Wolverine's agent distribution (README, docs/reliability.md): 0.8 s instead of 10 s to the first
            // projected event after a start, 4.6 s instead of 10.9 s to move off a killed node.
            .AddAsyncDaemon(DaemonMode.HotCold)
            .IntegrateWithWolverine();

        if (applySchema)
        {
            marten.ApplyAllDatabaseChangesOnStartup();
        }
        // Events are stamped by the service's clock, the one a write's rules take "today" from (CommitmentWrite.Recorded):
        // an undated revision takes effect the day of its event's timestamp, in the answer as in the stored model.
        services.ConfigureMarten((provider, options) => options.Events.TimeProvider = new EventStamps(provider.GetRequiredService<TimeProvider>()));

        return services;
    }
}

/// <summary>
/// Connections held for as long as the process runs (listening for notifications), outside the pools: they neither take a
/// pool's place from requests nor go back to one with session state (a LISTEN) on them.
/// </summary>
public sealed class HeldConnections(string connectionString)
{
    private readonly string _unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    public NpgsqlConnection Create() => new(_unpooled);
}

/// <summary>
/// The clock Marten stamps events with: the service's, except inside <see cref="OneInstant"/>, where every event gets the
/// one instant held. A request's events share their write's time; a catalogue batch writes many streams in one transaction,
/// whose events Marten stamped one by one (216 µs apart for the seed catalogue's 89), so a past as recorded inside that
/// window showed the import half done, which no reader ever saw (until 2026-12-06).
/// </summary>
public sealed class EventStamps(TimeProvider clock) : TimeProvider
{
    private static readonly AsyncLocal<Held?> Holding = new();

    /// <summary>The service's clock, which this reads but inside <see cref="OneInstant"/>.</summary>
    public TimeProvider Clock => clock;

    /// <summary>
    /// Every event stamped in this flow of work, until disposed, gets the instant the first of them is stamped at: at the
    /// save, once the streams are locked, so a batch's time is never before a write another request committed to one of its
    /// streams first (taken when the batch began, it could be).
    /// </summary>
    public static IDisposable OneInstant()
    {
        var before = Holding.Value;
        Holding.Value = new Held();
        return new Release(before);
    }

    public override DateTimeOffset GetUtcNow() => HoldNow(clock);

    /// <summary>The instant held in this flow of work, fixed now from <paramref name="clock"/> if none is yet; outside one, the clock's now.</summary>
    public static DateTimeOffset HoldNow(TimeProvider clock) =>
        Holding.Value is { } held ? held.At ??= clock.GetUtcNow() : clock.GetUtcNow();
    public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;
    public override long TimestampFrequency => clock.TimestampFrequency;
    public override long GetTimestamp() => clock.GetTimestamp();

    private sealed class Held
    {
        public DateTimeOffset? At;
    }

    private sealed class Release(Held? before) : IDisposable
    {
        public void Dispose() => Holding.Value = before;
    }
}
