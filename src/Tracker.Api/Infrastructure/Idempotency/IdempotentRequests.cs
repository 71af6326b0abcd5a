using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure.Auditing;

namespace Tracker.Api.Infrastructure.Idempotency;

/// <summary>
/// POSTs with an Idempotency-Key header: a repeat of a request that answered 2xx replays that response and appends
/// nothing; the same key with a different request (method, path or body content: a JSON body's property order and
/// spacing do not count) answers 422. Keys are scoped to the acting user, and only a 2xx
/// response is kept, so a first attempt that failed validation or a rule does not burn the key.
/// The response is kept in the write's own transaction (<see cref="IdempotentWrite"/>): a duplicate sent while the first
/// is still running waits for it on the commitment's lock, fails on the key at its commit with nothing appended, and
/// answers with the first one's response.
/// </summary>
public sealed class IdempotentRequests(RequestDelegate next, IdempotencyStore store, IProblemDetailsService problems,
    ILogger<IdempotentRequests> logger)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 200;

    public async Task InvokeAsync(HttpContext context)
    {
        var key = context.Request.Headers[Header].ToString().Trim();
        if (!HttpMethods.IsPost(context.Request.Method) || key.Length == 0 ||
            context.Request.Path.StartsWithSegments(Auditing.WriteMetadata.ReadOnlyPrefix.TrimEnd('/')))
        {
            await next(context);
            return;
        }

        if (key.Length > MaxKeyLength)
        {
            await Problem(context, StatusCodes.Status400BadRequest, ProblemTypes.Validation, "Idempotency-Key is too long",
                $"An Idempotency-Key has at most {MaxKeyLength} characters; a UUID is a good choice.");
            return;
        }

        var (hash, earlierHashes) = await HashRequest(context);
        var claim = new IdempotencyClaim(WriteMetadata.ActorOf(context), key, hash) { EarlierHashes = earlierHashes };
        if (await store.Find(claim.Scope, claim.Key, context.RequestAborted) is { } earlier)
        {
            await Answer(context, claim, earlier);
            return;
        }

        context.Items[typeof(IdempotencyClaim)] = claim;
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        Exception? failure = null;
        try
        {
            await next(context);
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            context.Response.Body = original;
        }

        if (failure is not null)
        {
            // A duplicate committed first, and this attempt failed on the key with nothing appended.
            var first = await store.Find(claim.Scope, claim.Key, CancellationToken.None);
            if (first is null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            // Said as it is answered: with the first one's response, or refused where the key was the first one's for another
            // request (until 2026-12-07 the line said the first response whichever it was).
            if (SameRequest(claim, first))
                logger.LogInformation("{Path}: a repeat of an Idempotency-Key's request lost the race for the key to the first one and was answered with its response",
                    context.Request.Path);
            else
                logger.LogInformation("{Path}: a request lost the race for its Idempotency-Key to another request with the same key, and was refused (422)",
                    context.Request.Path);
            context.Response.Clear();
            await Answer(context, claim, first);
            return;
        }

        if (context.Response.StatusCode is >= 200 and < 300)
        {
            // The key's answer is a duplicate's where the endpoint said this success may be that duplicate's work seen from
            // after it (a checkpoint's "nothing new" just after one was taken), or where a duplicate that ran beside this
            // one kept its answer first (a checkpoint's next one, with writes arriving). Until 2026-12-07 ten checkpoint
            // requests sent at once with one key could all be told 204, and a second 201 for one key went out unkept.
            var owed = claim.Recorded ? null
                : context.Items.ContainsKey(MayBeAnsweredByItsFirst) && await FirstOfARace(context, claim) is { } first ? first
                : await store.Record(claim, claim.ResponseOf(context, buffer.ToArray()), CancellationToken.None) ? null
                : await store.Find(claim.Scope, claim.Key, CancellationToken.None);
            if (owed is not null)
            {
                context.Response.Clear();
                await Answer(context, claim, owed);
                return;
            }
        }
        else if (await FirstOfARace(context, claim) is { } first)
        {
            // This attempt lost a race (412, 409) to a duplicate of itself that answered first: its answer is the one.
            context.Response.Clear();
            await Answer(context, claim, first);
            return;
        }
        // A 204 or a 304 has no body to write (until 2026-12-06 writing its empty one threw and dropped the connection).
        if (buffer.Length > 0) await original.WriteAsync(buffer.ToArray(), context.RequestAborted);
    }

    /// <summary>
    /// Set by an endpoint whose answer may be owed to the very request this one repeats, which has not kept its answer yet:
    /// a rebuild refused because one runs, which may be the one this request's key started a moment before; a checkpoint
    /// with nothing new to take, just after one was taken (each keeps its answer as its endpoint returns; a commitment's
    /// writes meet their duplicates on the key at commit instead). The first's answer, where it comes, is this one's.
    /// </summary>
    public static readonly object MayBeAnsweredByItsFirst = new();

    /// <summary>
    /// The key's record where this attempt may have lost to a duplicate of itself; where the endpoint said its answer may
    /// be owed to that duplicate, waited for a little (until 2026-12-07 two rebuilds sent at once with one key were
    /// often answered 202 and 409, the 409 naming the rebuild the key had started).
    /// </summary>
    private async Task<KeyRecord?> FirstOfARace(HttpContext context, IdempotencyClaim claim)
    {
        var first = await store.Find(claim.Scope, claim.Key, CancellationToken.None);
        if (first is not null || !context.Items.ContainsKey(MayBeAnsweredByItsFirst)) return first;
        foreach (var wait in WaitsForTheFirst)
        {
            await Task.Delay(wait, context.RequestAborted);
            if (await store.Find(claim.Scope, claim.Key, CancellationToken.None) is { } kept) return kept;
        }
        return null;
    }

    /// <summary>About 1.5 s in all: the first keeps its answer as soon as its endpoint returns.</summary>
    private static readonly TimeSpan[] WaitsForTheFirst = [.. new[] { 25, 50, 100, 200, 400, 800 }.Select(ms => TimeSpan.FromMilliseconds(ms))];

    /// <summary>Whether a key's record is of this request (method, path and body, in any hash this service has made of it).</summary>
    private static bool SameRequest(IdempotencyClaim claim, KeyRecord earlier) =>
        earlier.RequestHash == claim.RequestHash || claim.EarlierHashes.Value.Contains(earlier.RequestHash);

    private Task Answer(HttpContext context, IdempotencyClaim claim, KeyRecord earlier)
    {
        if (!SameRequest(claim, earlier))
        {
            return Problem(context, StatusCodes.Status422UnprocessableEntity, ProblemTypes.IdempotencyKeyReused,
                "The Idempotency-Key was used for a different request",
                "Each Idempotency-Key names one request (method, path and body). Use a new key for a new request.");
        }
        if (earlier.Response is { } stored) return Replay(context, stored);
        if (earlier.State == "committed")
        {
            return Problem(context, StatusCodes.Status409Conflict, ProblemTypes.IdempotencyResponseLost,
                "This request was recorded, but its response was lost",
                "The first attempt's events are in the log; an earlier version of the service stopped before it could " +
                "keep the response. Read the resource to see its current state. Nothing was appended now.");
        }
        // A claim taken by an earlier version of the service, still running on another node during an upgrade.
        context.Response.Headers.RetryAfter = "1";
        return Problem(context, StatusCodes.Status409Conflict, ProblemTypes.IdempotencyKeyInFlight,
            "A request with this Idempotency-Key is still being processed",
            "Retry after the delay in Retry-After to get its response.");
    }

    private static async Task Replay(HttpContext context, StoredResponse stored)
    {
        context.Response.StatusCode = stored.Status;
        foreach (var (name, value) in stored.Headers) context.Response.Headers[name] = value;
        context.Response.Headers[ReplayedHeader] = "true";
        if (stored.Body.Length > 0) await context.Response.Body.WriteAsync(stored.Body, context.RequestAborted);
    }

    /// <summary>
    /// The request as its key names it: method, path and body. The path's ASCII letters in lower case, as the routes and
    /// the keys in them match (until 2026-12-06 a retry to `/api/Commitments/...` was another request, a 422), and without
    /// a trailing slash. A JSON body
    /// is hashed as its content (properties in order of name, no spacing, numbers by value: 1, 1.0 and 1e0 are one
    /// amount, as the endpoints read them), so the same request sent by another client library, its properties in
    /// another order, is the same request; any other body by its bytes. Also the hashes keys kept before compare: with
    /// the path as sent, of the bytes, and of the JSON with its numbers as sent.
    /// </summary>
    private static async Task<(string Hash, Lazy<IReadOnlyList<string>> EarlierHashes)> HashRequest(HttpContext context)
    {
        var content = context.Features.Get<Validation.SentJsonBody>()?.Bytes ?? await Buffered(context);
        var path = context.Request.Path.Value ?? "";
        var lowered = string.Concat(path.Select(c => c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c));
        // Without a trailing slash, which the routes match as the same resource (until 2026-12-06 a retry to
        // ".../evidence/" was another request, a 422).
        var target = System.Text.Encoding.UTF8.GetBytes($"{context.Request.Method} {(lowered.Length > 1 ? lowered.TrimEnd('/') : lowered)}\n");
        var targetAsSent = System.Text.Encoding.UTF8.GetBytes($"{context.Request.Method} {path}\n");
        var targetLowered = System.Text.Encoding.UTF8.GetBytes($"{context.Request.Method} {lowered}\n");
        // A key kept before the trailing slash was dropped (2026-12-06), for a path sent with one, retried without.
        var targetSlashed = System.Text.Encoding.UTF8.GetBytes($"{context.Request.Method} {lowered.TrimEnd('/')}/\n");
        // Worked out only when a kept key's hash is not this one's (a repeat of the same request matches the first).
        var earlier = new Lazy<IReadOnlyList<string>>(() =>
        {
            var bytes = Hex(targetAsSent, content);
            if (Parse(content) is not { } document) return [bytes, Hex(targetLowered, content)];
            using (document)
            {
                return [$"json:{Hex(targetAsSent, Canonical(document, numbersByValue: true))}", bytes,
                    $"json:{Hex(targetAsSent, Canonical(document, numbersByValue: false))}",
                    $"json:{Hex(targetLowered, Canonical(document, numbersByValue: true))}", Hex(targetLowered, content),
                    $"json:{Hex(targetSlashed, Canonical(document, numbersByValue: true))}"];
            }
        });
        if (Parse(content) is not { } parsed) return (Hex(target, content), earlier);
        using (parsed)
        {
            return ($"json:{Hex(target, Canonical(parsed, numbersByValue: true))}", earlier);
        }

        static System.Text.Json.JsonDocument? Parse(byte[] content)
        {
            try
            {
                return System.Text.Json.JsonDocument.Parse(content);
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }

        static async Task<byte[]> Buffered(HttpContext context)
        {
            context.Request.EnableBuffering();
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            context.Request.Body.Position = 0;
            return body.ToArray();
        }
    }

    private static string Hex(byte[] target, byte[] body)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(target);
        sha.AppendData(body);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// The JSON body with every object's properties in ordinal order of name and no spacing, and its numbers, where a
    /// decimal holds them and <paramref name="numbersByValue"/> asks, by value without trailing zeros.
    /// </summary>
    private static byte[] Canonical(System.Text.Json.JsonDocument document, bool numbersByValue)
    {
        using var output = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(output))
        {
            Write(writer, document.RootElement, numbersByValue);
        }
        return output.ToArray();
    }

    private static void Write(System.Text.Json.Utf8JsonWriter writer, System.Text.Json.JsonElement element, bool numbersByValue)
    {
        switch (element.ValueKind)
        {
            case System.Text.Json.JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, numbersByValue);
                }
                writer.WriteEndObject();
                break;
            case System.Text.Json.JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(writer, item, numbersByValue);
                writer.WriteEndArray();
                break;
            // By value only where a decimal holds the number exactly: a longer one (which the endpoints refuse) rounded,
            // so 1.00000000000000000000000000001 replayed the answer to 1 (until 2026-12-06); it is compared as sent.
            case System.Text.Json.JsonValueKind.Number when numbersByValue && element.TryGetDecimal(out var number) &&
                                                            HeldExactly(element.GetRawText(), number):
                writer.WriteNumberValue(Tracker.Domain.Decimals.Normal(number));
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>Whether a JSON number's text and the decimal read from it are the same value (no digit rounded away).</summary>
    internal static bool HeldExactly(string raw, decimal value)
    {
        var e = raw.IndexOfAny(['e', 'E']);
        var exponent = 0;
        if (e >= 0 && !int.TryParse(raw.AsSpan(e + 1), System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out exponent)) return false;
        var (rawDigits, rawScale) = Digits(e < 0 ? raw : raw[..e]);
        rawScale -= exponent;
        var (valueDigits, valueScale) = Digits(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // A scale far past a decimal's 28 places cannot be one (and would make the comparison's powers huge).
        if (Math.Abs(rawScale) > 64) return false;
        if (rawScale > valueScale) valueDigits *= System.Numerics.BigInteger.Pow(10, rawScale - valueScale);
        else rawDigits *= System.Numerics.BigInteger.Pow(10, valueScale - rawScale);
        return rawDigits == valueDigits;
    }

    // "-12.30" is (-1230, 2): the number's digits as a whole number, and how many of them are places after the point.
    private static (System.Numerics.BigInteger Digits, int Scale) Digits(string number)
    {
        var point = number.IndexOf('.');
        var digits = System.Numerics.BigInteger.Parse(number.Replace(".", ""), System.Globalization.CultureInfo.InvariantCulture);
        return (digits, point < 0 ? 0 : number.Length - point - 1);
    }

    private Task Problem(HttpContext context, int status, string type, string title, string detail) =>
        problems.Answer(context, new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail });
}

/// <summary>This request carries an idempotency key; <see cref="Recorded"/> once its transaction keeps the response.</summary>
public sealed class IdempotencyClaim(string scope, string key, string requestHash)
{
    /// <summary>Response headers a replay gives back beside the body.</summary>
    public static readonly string[] ReplayedHeaders = ["Location", "ETag", "Content-Type", WriteMetadata.CorrelationHeader];

    public string Scope { get; } = scope;
    public string Key { get; } = key;
    public string RequestHash { get; } = requestHash;

    /// <summary>
    /// The request's hash as keys kept by earlier versions hold it: with its path as sent (before 2026-12-06), of the
    /// body's bytes (before bodies were hashed as JSON), of the JSON with its numbers as sent (before 2026-12-05).
    /// </summary>
    public Lazy<IReadOnlyList<string>> EarlierHashes { get; init; } = new([]);
    public bool Recorded { get; set; }

    /// <summary>The response as written to <paramref name="http"/>, to keep for replays.</summary>
    public StoredResponse ResponseOf(HttpContext http, byte[] body) => new(http.Response.StatusCode,
        ReplayedHeaders.Where(h => http.Response.Headers.ContainsKey(h)).ToDictionary(h => h, h => http.Response.Headers[h].ToString()),
        body);
}
