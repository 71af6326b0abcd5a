using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// While the database does not answer, Wolverine's and Marten's background agents (the node's control queue, the
/// durability agent, the projection coordinator) log each failed attempt as an error with its exception: 131 entries with
/// a stack trace each in the first 30 s of an outage. Every log provider is wrapped so that such an entry, whatever its
/// category, is one line with the reason in place of the trace, and a repeat of the same category and event within a
/// minute is counted instead of written: the first line after the minute says how many there were. Entries without an
/// outage among their exceptions are passed on as they are.
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
            services.AddSingleton<ILoggerProvider>(sp => new OneLineOutages(Resolve(provider, sp), new OutageRepeats(sp.GetRequiredService<TimeProvider>())));
        }
        return services;
    }

    private static ILoggerProvider Resolve(ServiceDescriptor provider, IServiceProvider services) =>
        (ILoggerProvider)(provider.ImplementationInstance
                          ?? provider.ImplementationFactory?.Invoke(services)
                          ?? ActivatorUtilities.CreateInstance(services, provider.ImplementationType!));

    /// <summary>The outage among an exception and the ones inside it, if any (a framework may wrap the driver's).</summary>
    public static Exception? OutageIn(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (DatabaseOutage.Is(e)) return e;
        }
        return null;
    }

    /// <summary>The reason, in one line: the driver's message and the one under it ("Failed to connect to ...: Connection refused").</summary>
    public static string Reason(Exception outage) =>
        outage.InnerException is { } cause && cause.Message != outage.Message
            ? $"{OneLine(outage.Message)}: {OneLine(cause.Message)}"
            : OneLine(outage.Message);

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}

/// <summary>How many outage entries of each category and event were held back since the last one written.</summary>
public sealed class OutageRepeats(TimeProvider clock)
{
    private readonly ConcurrentDictionary<(string Category, int Event), (DateTimeOffset Written, int Since)> _written = new();

    /// <summary>Whether to write this entry, and how many like it were held back before it.</summary>
    public bool Admit(string category, EventId eventId, out int heldBack)
    {
        var now = clock.GetUtcNow();
        var key = (category, eventId.Id);
        while (true)
        {
            if (!_written.TryGetValue(key, out var last))
            {
                heldBack = 0;
                if (_written.TryAdd(key, (now, 0))) return true;
                continue;
            }
            var written = now - last.Written >= OutageLogs.RepeatsCountedFor;
            if (_written.TryUpdate(key, written ? (now, 0) : (last.Written, last.Since + 1), last))
            {
                heldBack = written ? last.Since : 0;
                return written;
            }
        }
    }
}

/// <summary>A log provider, with entries about a database outage written as one line (<see cref="OutageLogs"/>).</summary>
public sealed class OneLineOutages(ILoggerProvider inner, OutageRepeats repeats) : ILoggerProvider, ISupportExternalScope
{
    public ILoggerProvider Inner { get; } = inner;

    public ILogger CreateLogger(string categoryName) => new Logger(Inner.CreateLogger(categoryName), categoryName, repeats);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        if (Inner is ISupportExternalScope scoped) scoped.SetScopeProvider(scopeProvider);
    }

    public void Dispose() => Inner.Dispose();

    private sealed class Logger(ILogger inner, string category, OutageRepeats repeats) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);
        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (OutageLogs.OutageIn(exception) is not { } outage)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }
            if (!inner.IsEnabled(logLevel) || !repeats.Admit(category, eventId, out var heldBack)) return;
            var reason = OutageLogs.Reason(outage);
            inner.Log(logLevel, eventId, state, null, (s, _) =>
                $"{formatter(s, null)} (the database does not answer: {reason}" +
                (heldBack > 0 ? $"; {heldBack} more like this in the last minute, not written)" : ")"));
        }
    }
}
