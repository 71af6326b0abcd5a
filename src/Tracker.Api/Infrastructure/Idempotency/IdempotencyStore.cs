using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Tracker.Api.Infrastructure.Idempotency;

/// <summary>A stored response to replay for a repeated Idempotency-Key.</summary>
public sealed record StoredResponse(int Status, Dictionary<string, string> Headers, byte[] Body);

/// <summary>What the key's row says when a request arrives.</summary>
public sealed record KeyRecord(string RequestHash, string State, bool Stale, StoredResponse? Response);

/// <summary>
/// The idempotency_keys table. A key goes pending (claimed by one request), then committed (in the same transaction as
/// the request's events), then completed (with the response to replay). A request that fails before its commit deletes
/// its pending claim, so a failed attempt does not burn the key.
/// </summary>
public sealed class IdempotencyStore(NpgsqlDataSource dataSource)
{
    /// <summary>After this long a pending claim is taken to belong to a request that died, and may be taken over.</summary>
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromSeconds(30);

    private static string Table => $"{TrackerDatabase.Schema}.{IdempotencyKeysTable.Name}";

    /// <summary>Claims the key for this request; false when another request holds or held it.</summary>
    public async Task<bool> TryClaim(string scope, string key, string requestHash, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand(
            $"insert into {Table} (scope, key, request_hash, state) values ($1, $2, $3, 'pending') on conflict do nothing");
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = requestHash });
        return await command.ExecuteNonQueryAsync(token) == 1;
    }

    /// <summary>Takes over a pending claim whose request died before committing anything.</summary>
    public async Task<bool> TryTakeOverStaleClaim(string scope, string key, string requestHash, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand(
            $"update {Table} set updated_at = now() where scope = $1 and key = $2 and request_hash = $3 " +
            $"and state = 'pending' and updated_at < now() - $4");
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = requestHash });
        command.Parameters.Add(new() { Value = ClaimTimeout });
        return await command.ExecuteNonQueryAsync(token) == 1;
    }

    public async Task<KeyRecord?> Find(string scope, string key, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand(
            $"select request_hash, state, updated_at < now() - $3, status, headers, body from {Table} where scope = $1 and key = $2");
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = ClaimTimeout });
        await using var reader = await command.ExecuteReaderAsync(token);
        if (!await reader.ReadAsync(token)) return null;

        var state = reader.GetString(1);
        var response = state == "completed"
            ? new StoredResponse(reader.GetInt32(3),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(4))!,
                (byte[])reader.GetValue(5))
            : null;
        return new KeyRecord(reader.GetString(0), state, reader.GetBoolean(2), response);
    }

    public async Task Complete(string scope, string key, StoredResponse response, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand(
            $"update {Table} set state = 'completed', status = $3, headers = $4, body = $5, updated_at = now() " +
            "where scope = $1 and key = $2");
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = response.Status });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(response.Headers), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new() { Value = response.Body });
        await command.ExecuteNonQueryAsync(token);
    }

    /// <summary>
    /// Frees the key after an answer that recorded nothing (4xx/5xx). After an exception, only a pending claim is freed:
    /// a committed one means the events are in the log even though the answer never left.
    /// </summary>
    public async Task Release(string scope, string key, bool onlyIfPending)
    {
        await using var command = dataSource.CreateCommand(
            $"delete from {Table} where scope = $1 and key = $2 and state <> 'completed'" +
            (onlyIfPending ? " and state = 'pending'" : ""));
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The SQL the write's own transaction runs, so "committed" is true exactly when the events are.</summary>
    public static string MarkCommittedSql =>
        $"update {Table} set state = 'committed', updated_at = now() where scope = ? and key = ? and state = 'pending'";
}
