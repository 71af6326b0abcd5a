using Marten;

namespace Tracker.Api.Infrastructure.Idempotency;

/// <summary>
/// Wolverine middleware on every write: when the request holds an idempotency key, the same transaction that appends
/// its events marks the key committed, so after a crash the key can never be taken for a request that did nothing.
/// </summary>
public static class MarkIdempotencyCommitted
{
    public static void Before(HttpContext context, IDocumentSession session)
    {
        if (context.Items[typeof(IdempotencyClaim)] is IdempotencyClaim claim)
        {
            session.QueueSqlCommand(IdempotencyStore.MarkCommittedSql, claim.Scope, claim.Key);
        }
    }
}
