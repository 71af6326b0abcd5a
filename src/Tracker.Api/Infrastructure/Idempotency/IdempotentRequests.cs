using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure.Auditing;

namespace Tracker.Api.Infrastructure.Idempotency;

/// <summary>
/// POSTs with an Idempotency-Key header: a repeat of a request that answered 2xx replays that response and appends
/// nothing; the same key with a different request answers 422. Keys are scoped to the acting user, and only a 2xx
/// response is kept, so a first attempt that failed validation or a rule does not burn the key.
/// The response is kept in the write's own transaction (<see cref="IdempotentWrite"/>): a duplicate sent while the first
/// is still running waits for it on the commitment's lock, fails on the key at its commit with nothing appended, and
/// answers with the first one's response.
/// </summary>
public sealed class IdempotentRequests(RequestDelegate next, IdempotencyStore store, IProblemDetailsService problems)
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

        var claim = new IdempotencyClaim(WriteMetadata.ActorOf(context), key, await HashRequest(context));
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
            context.Response.Clear();
            await Answer(context, claim, first);
            return;
        }

        if (context.Response.StatusCode is >= 200 and < 300)
        {
            if (!claim.Recorded) await store.Record(claim, claim.ResponseOf(context, buffer.ToArray()), CancellationToken.None);
        }
        else if (await store.Find(claim.Scope, claim.Key, CancellationToken.None) is { } first)
        {
            // This attempt lost a race (412, 409) to a duplicate of itself that answered first: its answer is the one.
            context.Response.Clear();
            await Answer(context, claim, first);
            return;
        }
        await original.WriteAsync(buffer.ToArray(), context.RequestAborted);
    }

    private Task Answer(HttpContext context, IdempotencyClaim claim, KeyRecord earlier)
    {
        if (earlier.RequestHash != claim.RequestHash)
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
        await context.Response.Body.WriteAsync(stored.Body, context.RequestAborted);
    }

    private static async Task<string> HashRequest(HttpContext context)
    {
        context.Request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{context.Request.Method} {context.Request.Path}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0) sha.AppendData(chunk, 0, read);
        context.Request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
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
    public bool Recorded { get; set; }

    /// <summary>The response as written to <paramref name="http"/>, to keep for replays.</summary>
    public StoredResponse ResponseOf(HttpContext http, byte[] body) => new(http.Response.StatusCode,
        ReplayedHeaders.Where(h => http.Response.Headers.ContainsKey(h)).ToDictionary(h => h, h => http.Response.Headers[h].ToString()),
        body);
}
