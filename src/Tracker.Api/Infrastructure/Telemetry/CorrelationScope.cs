using System.Diagnostics;

namespace Tracker.Api.Infrastructure.Telemetry;

/// <summary>
/// Every request's correlation id: the client's X-Correlation-Id when it is one the service accepts (RequestTextGuard
/// answers 400 to any other, later), else the trace id. First in the pipeline, so even the log line of an unhandled
/// exception, written by the problem-details middleware, carries it.
/// It is echoed in the response, recorded with every event a write appends (WriteMetadata), put on the request's span,
/// and in the scope of every log line written while the request runs (beside the trace and span ids ASP.NET Core adds),
/// so a log line joins to what the client saw.
/// </summary>
public sealed class CorrelationScope(RequestDelegate next, ILogger<CorrelationScope> logger)
{
    public const string Header = "X-Correlation-Id";
    private const string Item = "tracker.correlation-id";

    public static string? Of(HttpContext context) => context.Items[Item] as string;

    // What RequestTextGuard accepts: printable ASCII, at most 200 characters, beginning with a letter or a digit, and not
    // spelled as the service's own writes are.
    private static bool Acceptable(string value) =>
        value.Length is > 0 and <= Validation.RequestTextGuard.MaxHeaderLength && char.IsAsciiLetterOrDigit(value[0]) &&
        value.All(c => c is >= ' ' and <= '~') && !IsServiceOwn(value);

    /// <summary>
    /// The beginnings of the correlation ids of what the service records on its own (a deadline's passing, a sweep after
    /// a rebuild, a catalogue import): kept for it, so a client's write cannot read in the log as one of them (until
    /// 2026-12-07 a client could send "catalogue:..." and be recorded with the import's id).
    /// </summary>
    public static readonly string[] ServicePrefixes = ["deadline-check:", "deadline-sweep:", "catalogue:"];

    public static bool IsServiceOwn(string value) =>
        ServicePrefixes.Any(prefix => value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    // The request this flow serves, for a log line written deep inside it (OutageLogs): whether it was aborted. Held in a
    // box emptied as the request ends, since work the request started (a rebuild) carries the flow on after it, where the
    // request's token is gone (the way IHttpContextAccessor holds it).
    private sealed class Holder
    {
        public HttpContext? Context;
    }

    private static readonly AsyncLocal<Holder?> Serving = new();

    /// <summary>
    /// Whether the request being served where this is asked was aborted before its answer (its client closed the
    /// connection, or the server gave up on it): a statement cancelled then is not a fault of the service's.
    /// </summary>
    public static bool RequestAborted => Serving.Value?.Context is { } context && context.RequestAborted.IsCancellationRequested;

    public async Task InvokeAsync(HttpContext context)
    {
        var serving = new Holder { Context = context };
        Serving.Value = serving;
        try
        {
            await Serve(context);
        }
        finally
        {
            serving.Context = null;
        }
    }

    private async Task Serve(HttpContext context)
    {
        // One line only: two are refused (RequestTextGuard), and their joined value ("first,second") is no id the client
        // sent, which the refusal echoed until 2026-12-07.
        var lines = context.Request.Headers[Header];
        var given = lines.Count == 1 ? lines.ToString().Trim() : "";
        var id = Acceptable(given) ? given : Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
        context.Items[Item] = id;
        context.Response.Headers[Header] = id;
        // Again as the answer starts where it is gone: an answer made from an exception is written after the handler
        // cleared the headers (until 2026-12-06 a 503, a 409 log-damaged or a 500 came without the id the request was
        // recorded under). Only where gone: an idempotent replay answers the id the original was recorded under, which
        // this overwrote for a few hours on 2026-12-06.
        context.Response.OnStarting(static state =>
        {
            var (http, value) = ((HttpContext, string))state;
            if (!http.Response.Headers.ContainsKey(Header)) http.Response.Headers[Header] = value;
            return Task.CompletedTask;
        }, (context, id));
        TrackerTelemetry.RequestSpan(context)?.SetTag("tracker.correlation_id", id);
        using (logger.BeginScope(new CorrelationLogScope(id)))
        {
            await next(context);
        }
    }
}

/// <summary>
/// A log scope holding the correlation id: a structured logger reads it as the pair CorrelationId=id, a text one prints
/// "CorrelationId:id" (a dictionary printed its type name).
/// </summary>
internal sealed class CorrelationLogScope(string id) : IReadOnlyList<KeyValuePair<string, object>>
{
    public KeyValuePair<string, object> this[int index] =>
        index == 0 ? new("CorrelationId", id) : throw new ArgumentOutOfRangeException(nameof(index));

    public int Count => 1;

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
    {
        yield return this[0];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"CorrelationId:{id}";
}
