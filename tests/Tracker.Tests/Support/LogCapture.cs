using Microsoft.Extensions.Logging;

namespace Tracker.Tests.Support;

/// <summary>
/// The log lines a host writes from a level up, with each line's scope (the request's correlation id, say): added to a
/// host of the test's own as a logger provider.
/// </summary>
public sealed class LogCapture(LogLevel from = LogLevel.Warning) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
    private readonly LogLevel _from = from;

    public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Category, string Message, Dictionary<string, object?> Scope, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
    public void Dispose() { }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);
        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._from;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var scope = new Dictionary<string, object?>();
            owner._scopes.ForEachScope((value, into) =>
            {
                if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, item) in pairs) into[key] = item?.ToString();
                }
                else if (value is IEnumerable<KeyValuePair<string, object>> objects)
                {
                    foreach (var (key, item) in objects) into[key] = item.ToString();
                }
            }, scope);
            owner.Entries.Enqueue((logLevel, category, formatter(state, exception), scope, exception));
        }
    }
}
