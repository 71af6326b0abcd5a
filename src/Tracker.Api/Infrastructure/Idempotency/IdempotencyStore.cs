using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Tracker.Api.Infrastructure.Idempotency;

/// <summary>A stored response to replay for a repeated Idempotency-Key.</summary>
public sealed record StoredResponse(int Status, Dictionary<string, string> Headers, byte[] Body);

/// <summary>What the key's row says when a request arrives.</summary>
public sealed record KeyRecord(string RequestHash, string State, StoredResponse? Response);

/// <summary>
/// The idempotency_keys table: one row per key that answered 2xx, with the response to replay. A write inserts its row
/// in the transaction that appends its events (<see cref="IdempotentWrite"/>), so the row exists exactly when the events
/// do, and a duplicate running at the same time fails on the key's primary key at its commit, appending nothing.
/// Rows written by earlier versions may be 'pending' (a claim) or 'committed' (events without a kept response).
/// A row older than the retention (<see cref="IdempotencyRetention"/>) is no longer answered from: the key runs as new, and
/// the new response replaces the old row; <see cref="DeleteExpired"/> removes the rest.
/// </summary>
public sealed class IdempotencyStore(NpgsqlDataSource dataSource, IdempotencyRetention retention)
{
    /// <summary>Rows deleted by one statement of a sweep: each batch is a short transaction of its own.</summary>
    public const int SweepBatchSize = 1000;

    public TimeSpan Retention => retention.Retention;

    /// <summary>A claim of an earlier version older than this belongs to a request that died, and is dropped.</summary>
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromSeconds(30);

    private static string Table => $"{TrackerDatabase.Schema}.{IdempotencyKeysTable.Name}";

    /// <summary>The key's row within the retention, if any (dropping a dead claim left by an earlier version).</summary>
    public async Task<KeyRecord?> Find(string scope, string key, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand($"""
            with dead as (delete from {Table} where scope = $1 and key = $2 and state = 'pending' and updated_at < now() - $3 returning 1)
            select request_hash, state, status, headers, body from {Table}
             where scope = $1 and key = $2 and created_at > now() - $4 and not exists (select 1 from dead)
            """);
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = ClaimTimeout });
        command.Parameters.Add(new() { Value = Retention });
        await using var reader = await command.ExecuteReaderAsync(token);
        if (!await reader.ReadAsync(token)) return null;

        var state = reader.GetString(1);
        var response = state == "completed"
            ? new StoredResponse(reader.GetInt32(2),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(3))!,
                (byte[])reader.GetValue(4))
            : null;
        return new KeyRecord(reader.GetString(0), state, response);
    }

    /// <summary>
    /// Keeps the response of a request that wrote nothing through a Marten transaction (none of the event writes), once
    /// it answered; a live row already there (a duplicate that finished first) is left as it is, an expired one replaced.
    /// </summary>
    /// <returns>Whether this response is the one kept: false where a duplicate's was kept first.</returns>
    public async Task<bool> Record(IdempotencyClaim claim, StoredResponse response, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand($"""
            insert into {Table} as kept (scope, key, request_hash, state, status, headers, body)
            values ($1, $2, $3, 'completed', $4, $5, $6)
            on conflict (scope, key) do update
               set request_hash = excluded.request_hash, state = excluded.state, status = excluded.status,
                   headers = excluded.headers, body = excluded.body, created_at = now(), updated_at = now()
             where kept.created_at <= now() - $7
            """);
        command.Parameters.Add(new() { Value = claim.Scope });
        command.Parameters.Add(new() { Value = claim.Key });
        command.Parameters.Add(new() { Value = claim.RequestHash });
        command.Parameters.Add(new() { Value = response.Status });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(response.Headers), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new() { Value = response.Body });
        command.Parameters.Add(new() { Value = Retention });
        return await command.ExecuteNonQueryAsync(token) > 0;
    }

    /// <summary>
    /// Deletes rows older than the retention, <paramref name="batchSize"/> at a time (each batch its own short
    /// transaction), until none is left; the number deleted. Safe on several nodes at once: a batch skips the rows another
    /// node's batch (or a write replacing an expired key) has locked.
    /// </summary>
    public async Task<int> DeleteExpired(int batchSize, CancellationToken token)
    {
        var total = 0;
        while (!token.IsCancellationRequested)
        {
            await using var command = dataSource.CreateCommand($"""
                delete from {Table} where (scope, key) in (
                  select scope, key from {Table} where created_at <= now() - $1 limit $2 for update skip locked)
                """);
            command.Parameters.Add(new() { Value = Retention });
            command.Parameters.Add(new() { Value = batchSize });
            var deleted = await command.ExecuteNonQueryAsync(token);
            total += deleted;
            if (deleted < batchSize) break;
        }
        return total;
    }

    /// <summary>
    /// Run by a write's own transaction before <see cref="RecordSql"/> (scope, key, retention): an expired row of the key
    /// goes, so the key is taken anew. A live row stays, and the insert fails on it.
    /// </summary>
    public static string DropExpiredSql =>
        $"delete from {Table} where scope = ? and key = ? and created_at <= now() - ?";

    /// <summary>
    /// The insert a write's own transaction runs (Marten's positional parameters). No "on conflict": a row already there
    /// means a duplicate committed first, and this transaction must fail rather than append the events a second time.
    /// </summary>
    public static string RecordSql =>
        $"insert into {Table} (scope, key, request_hash, state, status, headers, body) values (?, ?, ?, 'completed', ?, ?::jsonb, ?)";
}
