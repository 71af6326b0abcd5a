using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Tests.Support;

namespace Tracker.Tests.Platform;

/// <summary>
/// While the database does not answer, the frameworks' background agents log each failed attempt with its exception: the
/// log says it in one line per category and event a minute, with the reason, and how many it held back.
/// </summary>
public sealed class outage_logs
{
    private sealed class SteppedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>What a provider was given: the message as formatted, and the exception.</summary>
    private sealed class Written : ILoggerProvider
    {
        public List<(string Category, string Message, Exception? Exception)> Entries { get; } = [];
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(Written owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Add((category, formatter(state, exception), exception));
        }
    }

    private static readonly Exception Refused =
        new InvalidOperationException("Database operation batch failure",
            new NpgsqlException("Failed to connect to 127.0.0.1:54329", new SocketException((int)SocketError.ConnectionRefused)));

    [Fact]
    public void martens_error_for_a_write_that_lost_a_race_is_one_line_without_its_trace_or_values()
    {
        var written = new Written();
        var outages = new OneLineOutages(written, new OutageRepeats(new SteppedClock()));
        var lostRace = new Marten.Exceptions.ExistingStreamIdCollisionException(Guid.NewGuid(), typeof(object));

        // Until 2026-12-06 an error with its trace and the statement's values (a commitment's key and title) for each.
        outages.CreateLogger("Marten.IDocumentStore").LogError(lostRace, "Marten encountered an exception executing select tracker.mt_quick_append_events(...) : the key, the title");
        outages.CreateLogger("Tracker.Api.Somewhere").LogError(lostRace, "Our own code failing on it keeps its trace");
        // The quick append's own refusal, raised in the database (two requests creating one key): until 2026-12-06 with its trace.
        var mismatch = new PostgresException("Stream version mismatch on 'x': expected 0, actual 1", "ERROR", "ERROR", "MT003");
        outages.CreateLogger("Marten.IDocumentStore").LogError(mismatch, "Marten encountered an exception executing the key, the title");

        written.Entries.Select(e => (e.Category, e.Message, e.Exception)).ShouldBe([
            ("Marten.IDocumentStore", "A statement failed on a new stream's id, which another request created first: a write lost a race and was answered 409.", (Exception?)null),
            ("Tracker.Api.Somewhere", "Our own code failing on it keeps its trace", (Exception?)lostRace),
            ("Marten.IDocumentStore", "A statement failed on a stream's version, which another request wrote first: a write lost a race and was answered 409.", null)
        ]);
    }

    [Fact]
    public void an_outage_is_one_line_with_its_reason_and_its_repeats_within_a_minute_are_counted_not_written()
    {
        var (written, clock) = (new Written(), new SteppedClock());
        var log = new OneLineOutages(written, new OutageRepeats(clock)).CreateLogger("Wolverine.RDBMS.DurabilityAgent");

        log.LogError(Refused, "Error trying to run durability agent commands");
        clock.Now += TimeSpan.FromSeconds(5);
        log.LogError(Refused, "Error trying to run durability agent commands");
        log.LogError(Refused, "Error trying to run durability agent commands");
        clock.Now += OutageLogs.RepeatsCountedFor;
        log.LogError(Refused, "Error trying to run durability agent commands");

        written.Entries.Select(e => e.Exception).ShouldAllBe(e => e == null);
        written.Entries.Select(e => e.Message).ShouldBe([
            "Error trying to run durability agent commands (the database does not answer: Failed to connect to 127.0.0.1:54329: Connection refused)",
            "Error trying to run durability agent commands (the database does not answer: Failed to connect to 127.0.0.1:54329: Connection refused; " +
            "2 more like this since 12:00:00 UTC, not written)"
        ]);
    }

    [Fact]
    public void a_statement_that_waited_past_its_timeout_is_not_said_to_be_a_database_that_does_not_answer()
    {
        var written = new Written();
        var log = new OneLineOutages(written, new OutageRepeats(new SteppedClock())).CreateLogger("Marten.IDocumentStore");
        // What Npgsql throws when a statement waits on a row another session holds locked past the command timeout.
        var timedOut = new InvalidOperationException("Database operation failure",
            new NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt")));

        // Until 2026-12-07 "(the database does not answer: ...)", while readiness said it answered.
        log.LogError(timedOut, "Error updating the daemon's progress");

        // A connection that timed out being made is still the database not answering.
        log.LogError(new InvalidOperationException("Open failed", new NpgsqlException("Exception while connecting",
            new TimeoutException("The operation has timed out"))), "Error opening a connection");

        written.Entries.Select(e => e.Message).ShouldBe([
            "Error updating the daemon's progress (the database did not answer in time (Timeout during reading attempt): a statement " +
            "waited past its timeout, on a lock another session holds, a server too busy, or one out of reach)",
            "Error opening a connection (the database does not answer: The operation has timed out)"]);
    }

    [Fact]
    public void a_background_agents_failure_the_operator_must_put_right_or_its_cancellation_is_one_line()
    {
        var written = new Written();
        var serving = false;
        var provider = new OneLineOutages(written, new OutageRepeats(new SteppedClock()), () => !serving);
        var missing = new PostgresException("database \"nosuch\" does not exist", "FATAL", "FATAL", PostgresErrorCodes.InvalidCatalogName);
        var cancelled = new InvalidOperationException("The agent stopped", new OperationCanceledException("The operation was canceled."));

        // Until 2026-12-06 a start against a database that does not exist wrote the projection coordinator's trace before
        // its own line, and a failed start's cancellation up to 160 lines of trace.
        provider.CreateLogger("Marten.Events.Daemon.Coordination.ProjectionCoordinator").LogError(missing, "Error trying to attain a lock for set DashboardRollup:All");
        provider.CreateLogger("Wolverine.Runtime.WolverineRuntime").LogError(cancelled, "Error starting the agents");
        // Our own code's keep their exception: a cancellation there may be a fault; so does a framework's while the host
        // serves (a timeout).
        provider.CreateLogger("Tracker.Api.Somewhere").LogError(cancelled, "Our own");
        serving = true;
        provider.CreateLogger("Wolverine.Runtime.Handlers").LogError(cancelled, "A handler timed out");

        written.Entries.Select(e => (e.Message, e.Exception)).ShouldBe([
            ("Error trying to attain a lock for set DashboardRollup:All (database \"nosuch\" does not exist: create it, or point ConnectionStrings:Tracker at the right one.)", (Exception?)null),
            ("Error starting the agents (cancelled: The operation was canceled.)", null),
            ("Our own", cancelled),
            ("A handler timed out", cancelled)
        ]);
    }

    [Fact]
    public void each_category_and_event_counts_its_own_repeats_and_other_failures_keep_their_exception()
    {
        var written = new Written();
        var provider = new OneLineOutages(written, new OutageRepeats(new SteppedClock()));
        var fault = new InvalidOperationException("a fault of the code");
        // A socket that is not the database's (a sign-in authority), and a command begun while another runs: faults, with their trace.
        var authority = new InvalidOperationException("IDX20804: Unable to retrieve document", new System.Net.Http.HttpRequestException("x",
            new SocketException((int)SocketError.ConnectionRefused)));

        provider.CreateLogger("Marten.Events.Daemon.Coordination.ProjectionCoordinator").LogError(Refused, "Failed to detect high water");
        provider.CreateLogger("Wolverine.Runtime.Agents.NodeAgentController").LogError(Refused, "Error writing the heartbeat");
        provider.CreateLogger("Wolverine.Runtime.Agents.NodeAgentController").LogError(new EventId(7), Refused, "Another event");
        provider.CreateLogger("Wolverine.Runtime.Agents.NodeAgentController").LogError(Refused, "A third message under event 0");
        provider.CreateLogger("Tracker.Api").LogError(fault, "Something broke");
        provider.CreateLogger("Tracker.Api").LogError(fault, "Something broke");
        provider.CreateLogger("Microsoft.AspNetCore.Authentication.JwtBearer").LogError(authority, "Sign-in configuration");

        written.Entries.Count.ShouldBe(7);
        written.Entries.Where(e => e.Category.StartsWith("Tracker.Api")).Select(e => e.Exception).ShouldAllBe(e => ReferenceEquals(e, fault));
        written.Entries.Single(e => e.Category.EndsWith("JwtBearer")).Exception.ShouldBeSameAs(authority);
    }

    [Fact]
    public async Task the_service_writes_its_console_log_through_it()
    {
        await using var node = await TrackerApp.StartHostWith("Development", _ => { });

        var providers = node.Services.GetServices<ILoggerProvider>().ToList();

        providers.ShouldContain(p => p is OneLineOutages && ((OneLineOutages)p).Inner is ConsoleLoggerProvider);
        providers.ShouldNotContain(p => p is ConsoleLoggerProvider);
    }
}
