using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// While the database does not answer, Wolverine's and Marten's background agents (the node's control queue, the
/// durability agent, the projection coordinator) log each failed attempt as an error with its exception: 131 entries with
/// a stack trace each in the first 30 s of an outage. Every log provider is wrapped so that such an entry, whatever its
/// category, is one line with the reason in place of the trace, and a repeat of the same category, event and message
/// within a minute is counted instead of written: the next line written says how many there were since when. Entries
/// without the driver's outage among their exceptions are passed on as they are. (A wrapped provider is matched by the
/// log filters as this type: per-provider levels, such as Logging:Console:LogLevel, no longer apply; Logging:LogLevel does.)
/// </summary>
public static class OutageLogs
{
    public static readonly TimeSpan RepeatsCountedFor = TimeSpan.FromMinutes(1);

    /// <summary>Wraps every log provider registered so far; called last, just before the host is built.</summary>
    public static IServiceCollection WithOneLineOutages(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        foreach (var provider in services.Where(d => d.ServiceType == typeof(ILoggerProvider) && !d.IsKeyedService).ToList())
        {
            services.Remove(provider);
            // Each provider counts its own repeats: a shared count would let the first provider write an entry and the
            // next hold it back.
            services.AddSingleton<ILoggerProvider>(sp => OneLineOutages.Of(Resolve(provider, sp), new OutageRepeats(sp.GetRequiredService<TimeProvider>()),
                () => OutsideServing(sp)));
        }
        return services;
    }

    /// <summary>
    /// Whether the host is not serving: not started yet (a start that fails) or stopping. Looked up when an entry is
    /// written, not when the provider is made: the host's lifetime logs through the providers it would otherwise wait on.
    /// </summary>
    private static bool OutsideServing(IServiceProvider services)
    {
        try
        {
            return services.GetService<IHostApplicationLifetime>() is not { } lifetime ||
                   !lifetime.ApplicationStarted.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested;
        }
        catch (ObjectDisposedException)
        {
            return true; // the host's services are gone: it has stopped
        }
    }

    private static ILoggerProvider Resolve(ServiceDescriptor provider, IServiceProvider services) =>
        (ILoggerProvider)(provider.ImplementationInstance
                          ?? provider.ImplementationFactory?.Invoke(services)
                          ?? ActivatorUtilities.CreateInstance(services, provider.ImplementationType!));

    /// <summary>
    /// The database driver's outage among an exception and the ones inside it, if any (a framework may wrap it): a
    /// connection refused, cut or timed out, or the server shutting down. A socket or a timeout not inside the driver's
    /// exception (a sign-in authority that does not answer) is not the database's, and a command begun while another is in
    /// progress is a fault of the code: both keep their trace.
    /// </summary>
    public static Exception? OutageIn(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException and not NpgsqlOperationInProgressException && DatabaseOutage.Is(e)) return e;
        }
        return null;
    }

    /// <summary>Whether a log category is one of the frameworks' (Marten's, Wolverine's, JasperFx's background agents).</summary>
    public static bool IsFrameworks(string category) =>
        category.StartsWith("Marten", StringComparison.Ordinal) || category.StartsWith("Wolverine", StringComparison.Ordinal) ||
        category.StartsWith("JasperFx", StringComparison.Ordinal);

    /// <summary>A cancellation among an exception and the ones inside it (a framework may wrap it).</summary>
    public static OperationCanceledException? CancelledIn(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OperationCanceledException cancelled) return cancelled;
        }
        return null;
    }

    /// <summary>A lost race among an exception and the ones inside it: a unique key another request took first.</summary>
    public static string? LostRaceIn(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique:
                    return $"the unique key {unique.ConstraintName ?? "of a table"}";
                case Marten.Exceptions.ExistingStreamIdCollisionException:
                    return "a new stream's id, which another request created first";
                case JasperFx.Events.EventStreamUnexpectedMaxEventIdException:
                    return "a stream's version, which another request wrote first";
                // Marten's quick append refuses a version another writer took in the database itself, as its own SQL state
                // ("Stream version mismatch ... expected 0, actual 1": two requests creating one key); the request is
                // answered 409 all the same (until 2026-12-06 this one was logged with its trace and the key and title).
                case PostgresException { SqlState: "MT003" }:
                    return "a stream's version, which another request wrote first";
            }
        }
        return null;
    }

}

/// <summary>
/// How many outage entries of each category, event and message template were held back since the last one written (Wolverine
/// and Marten log most entries under event 0, so the template tells their messages apart).
/// </summary>
public sealed class OutageRepeats(TimeProvider clock)
{
    private readonly ConcurrentDictionary<(string Category, int Event, string? Template), (DateTimeOffset Written, int Since)> _written = new();

    /// <summary>Whether to write this entry; and how many like it were held back since the last written, and when that was.</summary>
    public bool Admit(string category, EventId eventId, string? template, out int heldBack, out DateTimeOffset since)
    {
        var now = clock.GetUtcNow();
        var key = (category, eventId.Id, template);
        while (true)
        {
            if (!_written.TryGetValue(key, out var last))
            {
                (heldBack, since) = (0, now);
                if (_written.TryAdd(key, (now, 0))) return true;
                continue;
            }
            var written = now - last.Written >= OutageLogs.RepeatsCountedFor;
            if (_written.TryUpdate(key, written ? (now, 0) : (last.Written, last.Since + 1), last))
            {
                (heldBack, since) = written ? (last.Since, last.Written) : (0, last.Written);
                return written;
            }
        }
    }
}

/// <summary>A log provider, with entries about a database outage written as one line (<see cref="OutageLogs"/>).</summary>
/// <param name="outsideServing">Whether the host is not serving (starting or stopping), when a framework's cancelled work is
/// its stop's and not a fault.</param>
public class OneLineOutages(ILoggerProvider inner, OutageRepeats repeats, Func<bool>? outsideServing = null) : ILoggerProvider
{
    public ILoggerProvider Inner { get; } = inner;

    private readonly Func<bool> _outsideServing = outsideServing ?? (() => false);

    /// <summary>Wrapped as it is: scopes are handed to a provider that takes them from the factory, and asked of one that does not.</summary>
    public static OneLineOutages Of(ILoggerProvider inner, OutageRepeats repeats, Func<bool>? outsideServing = null) =>
        inner is ISupportExternalScope ? new Scoped(inner, repeats, outsideServing) : new OneLineOutages(inner, repeats, outsideServing);

    public ILogger CreateLogger(string categoryName) => new Logger(Inner.CreateLogger(categoryName), categoryName, repeats, _outsideServing);

    public void Dispose() => Inner.Dispose();

    private sealed class Scoped(ILoggerProvider inner, OutageRepeats repeats, Func<bool>? outsideServing)
        : OneLineOutages(inner, repeats, outsideServing), ISupportExternalScope
    {
        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => ((ISupportExternalScope)Inner).SetScopeProvider(scopeProvider);
    }

    private sealed class Logger(ILogger inner, string category, OutageRepeats repeats, Func<bool> outsideServing) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);
        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // A statement cancelled because its request was aborted before its answer (the client closed the connection: a
            // client's timeout, a retry that gave up waiting): Marten and Npgsql log it as an error with its trace (57014,
            // until 2026-12-07), but nothing is wrong with the service. One line at Information; the client's retry is
            // what the Idempotency-Key is for.
            if (logLevel >= LogLevel.Error && OutageLogs.CancelledIn(exception) is not null && Telemetry.CorrelationScope.RequestAborted)
            {
                if (inner.IsEnabled(LogLevel.Information))
                    inner.Log(LogLevel.Information, eventId, state, null, (s, _) =>
                        $"{formatter(s, null)} (the request was aborted before its answer, its client gone, and its statement cancelled)");
                return;
            }
            // Marten logs each statement a lost race made fail (two requests creating one key) as an error, with its
            // trace and the SQL's values; the request is answered 409 and logged once as such (ExceptionProblems), so
            // Marten's entry is a one-line debug note (until 2026-12-06 three errors with traces per lost race).
            if (category.StartsWith("Marten", StringComparison.Ordinal) && logLevel >= LogLevel.Error && OutageLogs.LostRaceIn(exception) is { } race)
            {
                if (inner.IsEnabled(LogLevel.Debug))
                    inner.Log(LogLevel.Debug, eventId, state, null, (_, _) => $"A statement failed on {race}: a write lost a race and was answered 409.");
                return;
            }
            // The database not answering; or, from a background agent of the frameworks, what the operator must put right (a
            // database that does not exist, a sign-in refused, the schema not applied: until 2026-12-06 the projection
            // coordinator's failed lock wrote its trace before the start's one line said it) or its work cancelled as the
            // host stops (a failed start's cancellation was up to 160 lines of trace).
            var reason = OutageLogs.OutageIn(exception) is { } outage ? DatabaseOutage.Said(outage)
                : exception is null || !OutageLogs.IsFrameworks(category) ? null
                : ConfigurationProblems.Explain(exception) is { } explained ? explained
                // Only while the host is not serving: a cancellation while it serves (a timeout) may be a fault, and keeps its trace.
                : OutageLogs.CancelledIn(exception) is { } cancelled && outsideServing() ? $"cancelled: {cancelled.Message}"
                : null;
            if (reason is null)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }
            var template = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.FirstOrDefault(p => p.Key == "{OriginalFormat}").Value as string
                : null;
            if (!inner.IsEnabled(logLevel) || !repeats.Admit(category, eventId, template, out var heldBack, out var since)) return;
            inner.Log(logLevel, eventId, state, null, (s, _) =>
                $"{formatter(s, null)} ({reason}" +
                (heldBack > 0 ? $"; {heldBack} more like this since {since:HH:mm:ss} UTC, not written)" : ")"));
        }
    }
}
