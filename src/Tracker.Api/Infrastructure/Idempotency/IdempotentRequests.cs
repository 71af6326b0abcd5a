using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure.Auditing;

namespace Tracker.Api.Infrastructure.Idempotency;

/// <summary>
/// POSTs with an Idempotency-Key header: a repeat of a completed request replays its first response and appends
/// nothing; the same key with a different request answers 422; a key whose request is still running answers 409 with
/// Retry-After. Keys are scoped to the acting user, and only a successful (2xx) response is kept, so a first attempt that
/// failed validation or a rule does not burn the key.
/// </summary>
public sealed class IdempotentRequests(RequestDelegate next, IdempotencyStore store, IProblemDetailsService problems)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 200;
    private static readonly string[] ReplayedHeaders = ["Location", "ETag", "Content-Type", WriteMetadata.CorrelationHeader];

    public async Task InvokeAsync(HttpContext context)
    {
        var key = context.Request.Headers[Header].ToString().Trim();
        if (!HttpMethods.IsPost(context.Request.Method) || key.Length == 0)
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

        var scope = WriteMetadata.ActorOf(context);
        var hash = await HashRequest(context);
        var token = context.RequestAborted;

        if (!await store.TryClaim(scope, key, hash, token))
        {
            var existing = await store.Find(scope, key, token);
            if (existing is null)
            {
                // Released between our claim and our read: the earlier attempt failed; claim again.
                if (!await store.TryClaim(scope, key, hash, token)) { await InFlight(context); return; }
            }
            else if (existing.RequestHash != hash)
            {
                await Problem(context, StatusCodes.Status422UnprocessableEntity, ProblemTypes.IdempotencyKeyReused,
                    "The Idempotency-Key was used for a different request",
                    "Each Idempotency-Key names one request (method, path and body). Use a new key for a new request.");
                return;
            }
            else if (existing.Response is { } stored)
            {
                await Replay(context, stored);
                return;
            }
            else if (existing.State == "committed")
            {
                await Problem(context, StatusCodes.Status409Conflict, ProblemTypes.IdempotencyResponseLost,
                    "This request was recorded, but its response was lost",
                    "The first attempt's events are in the log; the service stopped before it could keep the response. " +
                    "Read the resource to see its current state. Nothing was appended now.");
                return;
            }
            else if (!(existing.Stale && await store.TryTakeOverStaleClaim(scope, key, hash, token)))
            {
                await InFlight(context);
                return;
            }
        }

        context.Items[typeof(IdempotencyClaim)] = new IdempotencyClaim(scope, key);
        await RunAndKeep(context, scope, key);
    }

    private async Task RunAndKeep(HttpContext context, string scope, string key)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            context.Response.Body = original;
            await store.Release(scope, key, onlyIfPending: true);
            throw;
        }

        context.Response.Body = original;
        var body = buffer.ToArray();
        if (context.Response.StatusCode is >= 200 and < 300)
        {
            var headers = ReplayedHeaders
                .Where(h => context.Response.Headers.ContainsKey(h))
                .ToDictionary(h => h, h => context.Response.Headers[h].ToString());
            await store.Complete(scope, key, new StoredResponse(context.Response.StatusCode, headers, body), CancellationToken.None);
        }
        else
        {
            // Our endpoints append nothing when they answer an error (a refused rule still commits the transaction, with
            // no events in it), so the key is free again.
            await store.Release(scope, key, onlyIfPending: false);
        }

        await original.WriteAsync(body, context.RequestAborted);
    }

    private static async Task Replay(HttpContext context, StoredResponse stored)
    {
        context.Response.StatusCode = stored.Status;
        foreach (var (name, value) in stored.Headers) context.Response.Headers[name] = value;
        context.Response.Headers[ReplayedHeader] = "true";
        await context.Response.Body.WriteAsync(stored.Body, context.RequestAborted);
    }

    private Task InFlight(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        return Problem(context, StatusCodes.Status409Conflict, ProblemTypes.IdempotencyKeyInFlight,
            "A request with this Idempotency-Key is still being processed",
            "Retry after the delay in Retry-After to get its response.");
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

/// <summary>This request holds an idempotency key; its transaction marks the key committed.</summary>
public sealed record IdempotencyClaim(string Scope, string Key);
