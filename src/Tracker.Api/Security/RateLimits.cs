using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Tracker.Api.Infrastructure;

namespace Tracker.Api.Security;

/// <summary>
/// What one client may ask of the service, and what the service does at once: writes per client a minute, anonymous
/// API reads per address a minute, heavy reads (past views, exports, trends, histories, verifications) in flight at once
/// across all clients (more wait in a short queue), and failed sign-ins per address a minute (each bad key costs a
/// database lookup; past the limit a request with credentials is refused before it is looked up). Every refusal is a
/// 429 problem with Retry-After. Limits are per process: two nodes allow twice as much.
/// </summary>
public sealed class RateLimits
{
    public int WritesPerMinute { get; }
    public int AnonymousReadsPerMinute { get; }
    public int HeavyReadsAtOnce { get; }
    public int HeavyReadsQueued { get; }
    public int FailedSignInsPerMinute { get; }

    private readonly PartitionedRateLimiter<string> _failedSignIns;

    // Addresses refused for failed sign-ins, until when: read without a lock on every request that carries credentials,
    // written only when a sign-in fails.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _blockedUntil = new();

    public RateLimits(IConfiguration configuration)
    {
        WritesPerMinute = configuration.GetValue("RateLimits:WritesPerMinute", 120);
        AnonymousReadsPerMinute = configuration.GetValue("RateLimits:AnonymousReadsPerMinute", 1200);
        HeavyReadsAtOnce = configuration.GetValue("RateLimits:HeavyReadsAtOnce", DefaultHeavyReadsAtOnce(configuration));
        HeavyReadsQueued = configuration.GetValue("RateLimits:HeavyReadsQueued", 32);
        FailedSignInsPerMinute = configuration.GetValue("RateLimits:FailedSignInsPerMinute", 10);
        // A token bucket, as the writes' limit is: fixed one-minute windows (until 2026-12-07) let twice the limit through
        // across a window's edge (18 guesses in 1.2 s for a limit of 10).
        _failedSignIns = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetTokenBucketLimiter(address,
            _ => PerMinute(FailedSignInsPerMinute)));
    }

    /// <summary>
    /// Heavy reads are CPU-bound folds: more at once than there are cores adds memory, not throughput. And never more
    /// than half the connection pool, whatever the cores: the writes, the other reads, the async daemon and Wolverine
    /// share it (on a 16-core node the cores alone would let exports hold every connection of the default 12).
    /// </summary>
    public static int DefaultHeavyReadsAtOnce(IConfiguration configuration) =>
        Math.Clamp(Environment.ProcessorCount, 2, Math.Max(2, TrackerDatabase.PoolSize(configuration) / 2));

    public static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>A key or token that did not sign in: counted against the address it came from.</summary>
    public void FailedSignIn(HttpContext context)
    {
        var address = ClientAddress(context);
        _failedSignIns.AttemptAcquire(address).Dispose();
        if (_failedSignIns.GetStatistics(address)?.CurrentAvailablePermits == 0)
        {
            var now = DateTimeOffset.UtcNow;
            // Blocks that ran out go as a new one comes, so the addresses kept are those blocked now, not every one ever.
            foreach (var (blocked, until) in _blockedUntil)
            {
                if (until <= now) _blockedUntil.TryRemove(new KeyValuePair<string, DateTimeOffset>(blocked, until));
            }
            _blockedUntil[address] = now.AddMinutes(1);
        }
    }

    // TryGetValue alone: it takes no lock, where ConcurrentDictionary.IsEmpty takes every lock whenever the dictionary is
    // empty (the usual case), which every request with credentials then waited on.
    public bool SignInsBlocked(HttpContext context) => SignInsBlockedFor(context) is not null;

    /// <summary>How long requests with credentials from this address stay refused; null when they are not.</summary>
    public TimeSpan? SignInsBlockedFor(HttpContext context) =>
        _blockedUntil.TryGetValue(ClientAddress(context), out var until) && until - DateTimeOffset.UtcNow is { Ticks: > 0 } left
            ? left
            : null;

    /// <summary>
    /// So many a minute as a token bucket: that many at once, then each again as its share of the minute passes (a second
    /// at least between refills, of as many as a second's share). A refusal's Retry-After is then the time to the next
    /// refill, a second for the defaults, where the fixed one-minute windows used until 2026-12-07 could only say the
    /// window's whole length (60), and let twice the limit through across a window's edge.
    /// </summary>
    public static TokenBucketRateLimiterOptions PerMinute(int limit)
    {
        var perRefill = (int)Math.Min(limit, ((long)limit + 59) / 60);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit, TokensPerPeriod = perRefill, QueueLimit = 0,
            ReplenishmentPeriod = TimeSpan.FromTicks(TimeSpan.TicksPerMinute * perRefill / limit)
        };
    }

    public void Configure(RateLimiterOptions options)
    {
        var perClient = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            var api = context.Request.Path.StartsWithSegments("/api");
            if (!IsRead(context.Request))
            {
                return RateLimitPartition.GetTokenBucketLimiter($"writes:{context.User.Identity?.Name ?? ClientAddress(context)}",
                    _ => PerMinute(WritesPerMinute));
            }
            return api && context.User.Identity?.IsAuthenticated != true
                ? RateLimitPartition.GetTokenBucketLimiter($"anonymous:{ClientAddress(context)}", _ => PerMinute(AnonymousReadsPerMinute))
                : RateLimitPartition.GetNoLimiter("reads");
        });
        var heavy = PartitionedRateLimiter.Create<HttpContext, string>(context => IsHeavyRead(context.Request)
            ? RateLimitPartition.GetConcurrencyLimiter("heavy", _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = HeavyReadsAtOnce, QueueLimit = HeavyReadsQueued, QueueProcessingOrder = QueueProcessingOrder.OldestFirst
            })
            : RateLimitPartition.GetNoLimiter("light"));
        options.GlobalLimiter = new UnlessLimited(PartitionedRateLimiter.CreateChained(perClient, heavy), IsLimited);
        options.OnRejected = Rejected;
    }

    /// <summary>
    /// A read: GET or HEAD, or the verification against a kept checkpoint, a read sent as POST for its body (until
    /// 2026-12-06 it counted as a write and passed the heavy reads' limit, so one auditor's burst took every connection).
    /// </summary>
    private static bool IsRead(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || RequestSizeLimit.IsKeptCheckpoint(request);

    /// <summary>Whether any limit applies: not to a light read with a key, nor to the dashboard's pages.</summary>
    private static bool IsLimited(HttpContext context) =>
        !IsRead(context.Request) || IsHeavyRead(context.Request)
        || (context.Request.Path.StartsWithSegments("/api") && context.User.Identity?.IsAuthenticated != true);

    /// <summary>
    /// The limiter for the requests a limit applies to; the others pass with a lease taken from nothing. The partitioned
    /// limiters take a lock to find each request's partition, even a partition without a limit: on every read by key that
    /// was a contended lock.
    /// </summary>
    private sealed class UnlessLimited(PartitionedRateLimiter<HttpContext> limited, Func<HttpContext, bool> isLimited)
        : PartitionedRateLimiter<HttpContext>
    {
        public override RateLimiterStatistics? GetStatistics(HttpContext resource) =>
            isLimited(resource) ? limited.GetStatistics(resource) : null;

        protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
            isLimited(resource) ? limited.AttemptAcquire(resource, permitCount) : Free.Lease;

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount,
            CancellationToken cancellationToken) =>
            isLimited(resource) ? limited.AcquireAsync(resource, permitCount, cancellationToken) : new(Free.Lease);

        protected override void Dispose(bool disposing)
        {
            if (disposing) limited.Dispose();
            base.Dispose(disposing);
        }

        protected override ValueTask DisposeAsyncCore() => limited.DisposeAsync();
    }

    private sealed class Free : RateLimitLease
    {
        public static readonly Free Lease = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    /// <summary>Reads whose work grows with the log or a history: past views, exports, trends, histories, verifications.</summary>
    public static bool IsHeavyRead(HttpRequest request)
    {
        if (!IsRead(request) || !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase, out var rest)) return false;
        // Routing matches paths in any case and with a trailing slash: so does this.
        var path = (rest.Value ?? "").TrimEnd('/');
        const StringComparison anyCase = StringComparison.OrdinalIgnoreCase;
        return path.StartsWith("/exports/", anyCase)
               || path.EndsWith("/trend", anyCase) || path.EndsWith("/history", anyCase) || path.EndsWith("/history.csv", anyCase)
               || path.EndsWith("/changelog", anyCase) || path.EndsWith("/verify", anyCase)
               || request.Query.Keys.Any(k => k.Equals("recordedAsOf", anyCase) || k.Equals("effectiveAsOf", anyCase) || k.Equals("version", anyCase));
    }

    private async ValueTask Rejected(OnRejectedContext context, CancellationToken token)
    {
        var http = context.HttpContext;
        var windowed = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after);
        var (title, detail, retryAfter) = !IsRead(http.Request)
            ? ("Too many writes", $"At most {WritesPerMinute} writes a minute per client; retry {{RetryIn}}.", after)
            : windowed
                ? ("Too many anonymous reads", $"At most {AnonymousReadsPerMinute} API reads a minute per address without a key; " +
                                               "retry {RetryIn}, or read with a key.", after)
                : ("Too many heavy reads at once", $"At most {HeavyReadsAtOnce} past views, exports, trends, histories and " +
                                                   $"verifications run at once and {HeavyReadsQueued} wait; retry shortly.", TimeSpan.FromSeconds(2));
        await Refuse(http, title, detail, retryAfter);
    }

    /// <summary>
    /// A 429 saying when to try again, in the header and in words: "{RetryIn}" in the detail reads "in 60 seconds
    /// (Retry-After)" (until 2026-12-06 "after the Retry-After delay", a header's name and no number).
    /// </summary>
    public static Task Refuse(HttpContext http, string title, string detail, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().Answer(http, new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests, Type = ProblemTypes.TooManyRequests, Title = title,
            Detail = detail.Replace("{RetryIn}", $"in {seconds} second{(seconds == 1 ? "" : "s")} (Retry-After)", StringComparison.Ordinal)
        });
    }
}

/// <summary>
/// Refuses a request that carries a key or token from an address that has failed to sign in too often this minute,
/// before the key is looked up (a guessed key costs a database lookup; a guesser gets 429s instead).
/// </summary>
public sealed class SignInThrottle(RequestDelegate next, RateLimits limits)
{
    public Task InvokeAsync(HttpContext context)
    {
        var carriesCredentials = context.Request.Headers.ContainsKey(ApiKeyAuthentication.Header)
                                 || context.Request.Headers.Authorization.Count > 0;
        if (carriesCredentials && context.Request.Path.StartsWithSegments("/health") && limits.SignInsBlocked(context))
        {
            // A health probe is answered whatever it carries: as to a caller without a key (the status alone), its key
            // neither looked up nor counted. Until 2026-12-07 a load balancer sending a stale key was refused 429 after
            // ten probes, took the node out of rotation, and each probe after kept the block going.
            context.Request.Headers.Remove(ApiKeyAuthentication.Header);
            context.Request.Headers.Authorization = default;
            return next(context);
        }
        // Retry-After is the time left on the block (until 2026-12-07 always the whole minute).
        return carriesCredentials && limits.SignInsBlockedFor(context) is { } left
            ? RateLimits.Refuse(context, "Too many failed sign-ins",
                $"At most {limits.FailedSignInsPerMinute} keys or tokens that fail to sign in a minute per address; retry {{RetryIn}}.",
                left)
            : next(context);
    }
}
