using System.Diagnostics;
using Marten;

namespace Tracker.Api.Infrastructure.Auditing;

/// <summary>
/// Stamps every event a write appends with who did it and which request it came from: the actor is the authenticated
/// identity; the correlation id is the request's (<see cref="Telemetry.CorrelationScope"/>: X-Correlation-Id, else the
/// trace id).
/// </summary>
public static class WriteMetadata
{
    public const string CorrelationHeader = Telemetry.CorrelationScope.Header;
    public const string Anonymous = "anonymous";

    public static void Before(HttpContext context, IDocumentSession session, Wolverine.IMessageContext messages)
    {
        session.LastModifiedBy = ActorOf(context);
        session.CorrelationId = Telemetry.CorrelationScope.Of(context) ?? Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
        // A client's write is caused by no write of the service's: the log says so whether or not telemetry is on (the
        // session otherwise takes the request's trace parent as its cause while a span is recorded; until 2026-12-07 the
        // log held that traceparent with telemetry on and nothing with it off).
        session.CausationId = null;
        // The messages a write schedules (a deadline check) carry the write's correlation id, the one its client knows, which
        // the events they cause then name as their cause (until 2026-12-06 they carried the request's trace id).
        messages.CorrelationId = session.CorrelationId;
        Telemetry.TrackerTelemetry.TagCommitment(context);
    }

    /// <summary>After the endpoint: the types of the events the write appends, on the request's span.</summary>
    public static void After(HttpContext context, IDocumentSession session) =>
        Telemetry.TrackerTelemetry.TagEventTypes(context, session);

    /// <summary>Who is acting: the authenticated identity (the API key's or the token's subject).</summary>
    public static string ActorOf(HttpContext context) => Clean(context.User.Identity?.Name ?? "") ?? Anonymous;

    /// <summary>Whether a route writes: any POST, PUT, PATCH or DELETE but the auditors' (a verification posts what it checks against).</summary>
    public static bool Applies(Wolverine.Http.HttpChain chain) =>
        chain.HttpMethods.Any(m => m is "POST" or "PUT" or "PATCH" or "DELETE") &&
        !(chain.RoutePattern?.RawText ?? "").StartsWith(ReadOnlyPrefix, StringComparison.Ordinal);

    /// <summary>The auditors' routes: nothing under it writes, whatever its method.</summary>
    public const string ReadOnlyPrefix = "/api/audit/";

    private static string? Clean(string value)
    {
        value = value.Trim();
        return value.Length == 0 ? null : value;
    }
}
