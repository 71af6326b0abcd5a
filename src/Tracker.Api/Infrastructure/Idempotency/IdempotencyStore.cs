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
/// </summary>
public sealed class IdempotencyStore(NpgsqlDataSource dataSource)
{
    /// <summary>A claim of an earlier version older than this belongs to a request that died, and is dropped.</summary>
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromSeconds(30);

    private static string Table => $"{TrackerDatabase.Schema}.{IdempotencyKeysTable.Name}";

    /// <summary>The key's row, if any (dropping a dead claim left by an earlier version).</summary>
    public async Task<KeyRecord?> Find(string scope, string key, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand($"""
            with dead as (delete from {Table} where scope = $1 and key = $2 and state = 'pending' and updated_at < now() - $3 returning 1)
            select request_hash, state, status, headers, body from {Table}
             where scope = $1 and key = $2 and not exists (select 1 from dead)
            """);
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = ClaimTimeout });
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
    /// it answered; a row already there (a duplicate that finished first) is left as it is.
    /// </summary>
    public async Task Record(IdempotencyClaim claim, StoredResponse response, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand(
            $"insert into {Table} (scope, key, request_hash, state, status, headers, body) " +
            "values ($1, $2, $3, 'completed', $4, $5, $6) on conflict do nothing");
        command.Parameters.Add(new() { Value = claim.Scope });
        command.Parameters.Add(new() { Value = claim.Key });
        command.Parameters.Add(new() { Value = claim.RequestHash });
        command.Parameters.Add(new() { Value = response.Status });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(response.Headers), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new() { Value = response.Body });
        await command.ExecuteNonQueryAsync(token);
    }

    /// <summary>
    /// The insert a write's own transaction runs (Marten's positional parameters). No "on conflict": a row already there
    /// means a duplicate committed first, and this transaction must fail rather than append the events a second time.
    /// </summary>
    public static string RecordSql =>
        $"insert into {Table} (scope, key, request_hash, state, status, headers, body) values (?, ?, ?, 'completed', ?, ?::jsonb, ?)";
}
