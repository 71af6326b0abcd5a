using System.Data;
using Marten;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// A read of several statements from one snapshot of the database: a page and its total, a model and its rows. Each
/// statement in PostgreSQL's default isolation sees what was committed when it began, so a page read beside writes could
/// hold one item more than its total (until 2026-12-07). Npgsql sends the BEGIN with the first statement: no round trip
/// of its own.
/// </summary>
public static class ReadSnapshots
{
    /// <summary>A session whose reads all see one snapshot (repeatable read), for a batch of them.</summary>
    public static async Task<IDocumentSession> OneSnapshotSession(this IDocumentStore store, CancellationToken token)
    {
        var session = store.LightweightSession(IsolationLevel.RepeatableRead);
        await session.BeginTransactionAsync(token);
        return session;
    }
}
