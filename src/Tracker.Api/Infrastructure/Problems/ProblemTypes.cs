namespace Tracker.Api.Infrastructure;

/// <summary>The "type" URIs of our RFC 9457 problems; each names one kind of failure a client can branch on.</summary>
public static class ProblemTypes
{
    private const string Base = "https://commitment-tracker.dev/problems/";

    public const string Validation = Base + "validation";
    public const string NotFound = Base + "not-found";
    public const string Conflict = Base + "conflict";
    public const string DuplicateKey = Base + "duplicate-key";
    public const string ConcurrencyConflict = Base + "concurrency-conflict";
    public const string DatabaseUnavailable = Base + "database-unavailable";
    public const string MethodNotAllowed = Base + "method-not-allowed";
    public const string NotImplemented = Base + "not-implemented";
    public const string UnsupportedMediaType = Base + "unsupported-media-type";
    public const string BodyTooLarge = Base + "body-too-large";
    public const string RequestTimeout = Base + "request-timeout";
    public const string Unexpected = Base + "unexpected";
    public const string NotConfigured = Base + "not-configured";
    public const string PreconditionFailed = Base + "precondition-failed";
    public const string TooManyRequests = Base + "too-many-requests";
    public const string Unauthorized = Base + "unauthorized";
    public const string Forbidden = Base + "forbidden";
    public const string UnknownDocument = Base + "unknown-document";
    public const string IdempotencyKeyReused = Base + "idempotency-key-reused";
    public const string IdempotencyKeyInFlight = Base + "idempotency-key-in-flight";
    public const string IdempotencyResponseLost = Base + "idempotency-response-lost";
    public const string LogDamaged = Base + "log-damaged";
    public const string FeedNotReady = Base + "feed-not-ready";

    /// <summary>A domain rule's problem type, e.g. .../rules/stage-exceeds-pledge.</summary>
    public static string Rule(string rule) => Base + "rules/" + rule;
}
