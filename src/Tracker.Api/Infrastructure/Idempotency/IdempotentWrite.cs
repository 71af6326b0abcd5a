using System.Text.Json;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Marten;
using Tracker.Api.Infrastructure.Auditing;
using Wolverine.Http;

namespace Tracker.Api.Infrastructure.Idempotency;

/// <summary>
/// Keeps a write's response for its Idempotency-Key in the transaction that appends its events: put by
/// <see cref="IdempotentWritePolicy"/> after every write endpoint and before Marten's commit.
/// </summary>
public static class IdempotentWrite
{
    public static async Task Record(HttpContext http, IDocumentSession session, object? response)
    {
        if (http.Items[typeof(IdempotencyClaim)] is not IdempotencyClaim claim || response is not IResult result) return;
        // A refusal keeps nothing: the key stays free for a corrected request.
        if (result is IStatusCodeHttpResult { StatusCode: { } code } && code is < 200 or >= 300) return;
        // An answer that may be owed to a duplicate (a checkpoint's "nothing new", just before or after a duplicate took
        // one) is kept by IdempotentRequests once it has waited for that duplicate's: kept here, in this transaction, it
        // could win the key before the duplicate's 201, which then replayed the 204 (until 2026-12-07, in one run of two
        // requests in three on a real server: the checkpoint taken was nobody's answer).
        if (http.Items.ContainsKey(IdempotentRequests.MayBeAnsweredByItsFirst)) return;

        // The response as it will be written, rendered once more on the side before the commit.
        var rendered = new DefaultHttpContext { RequestServices = http.RequestServices };
        using var body = new MemoryStream();
        rendered.Response.Body = body;
        await result.ExecuteAsync(rendered);
        if (rendered.Response.StatusCode is < 200 or >= 300) return;
        if (http.Response.Headers.TryGetValue(WriteMetadata.CorrelationHeader, out var correlation))
        {
            rendered.Response.Headers[WriteMetadata.CorrelationHeader] = correlation;
        }

        var stored = claim.ResponseOf(rendered, body.ToArray());
        var retention = http.RequestServices.GetRequiredService<IdempotencyStore>().Retention;
        session.QueueSqlCommand(IdempotencyStore.DropExpiredSql, claim.Scope, claim.Key, retention);
        session.QueueSqlCommand(IdempotencyStore.RecordSql, claim.Scope, claim.Key, claim.RequestHash, stored.Status,
            JsonSerializer.Serialize(stored.Headers), stored.Body);
        claim.Recorded = true;
        KeyRaceQuietLogger.Install(session);
    }
}

/// <summary>Puts <see cref="IdempotentWrite.Record"/> between each write endpoint and Marten's commit.</summary>
public sealed class IdempotentWritePolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(WriteMetadata.Applies))
        {
            if (chain.Method.Creates.FirstOrDefault() is not { } response) continue;
            var record = new MethodCall(typeof(IdempotentWrite), nameof(IdempotentWrite.Record))
            {
                CommentText = "Keep the response for the request's Idempotency-Key, in the write's transaction"
            };
            record.Arguments[2] = response;
            // Wolverine's commit frame (internal to Wolverine.Marten) is found by its name.
            var commit = chain.Postprocessors.FindIndex(frame => frame.GetType().Name == "DocumentSessionSaveChanges");
            chain.Postprocessors.Insert(commit < 0 ? 0 : commit, record);
        }
    }
}
