using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Tracker.Api.Infrastructure;
using Wolverine.Http;

namespace Tracker.Api.Audit;

/// <summary>
/// One row of the log as its hash covers it: each field in the text the hash was computed over (the data and headers as
/// jsonb's own text, the time as the hash writes it, the binary data in hex), so that an auditor can recompute the hash
/// with a tool of their own, by the rule the README gives, and check the links and the checkpoints' roots without the
/// service's code. A tombstone (Marten's filler for the numbers of a failed append) is a row too: the roots cover it.
/// Scheme, PreviousHash and Hash are the hash row's: no Hash, no hash row (appended behind the trigger's back, itself a
/// break); a Hash without a Scheme, a hash of scheme 1.
/// </summary>
public sealed record HashedEvent(long Sequence, Guid StreamId, long Version, Guid Id, string Type, string DataText, string RecordedAt,
    string? TenantId, string? DotnetType, string? UserName, string? CorrelationId, string? CausationId, string? HeadersText,
    string? BinaryDataHex, bool Archived, short? Scheme, string? PreviousHash, string? Hash);

/// <summary>A page of the log as hashed; pass Next as "after" for the next page. Checkpoints: those that end within it.</summary>
public sealed record HashedLogPage(IReadOnlyList<HashedEvent> Events, long After, long Next, long HighWaterMark,
    IReadOnlyList<Checkpoints.Checkpoint> Checkpoints);

public static class LogAsHashedEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>
    /// Until 2026-12-08 no route gave what an event's hash covers: the feed gives the API's shape of each fact, and an
    /// auditor could check the checkpoints' signatures but no event's hash without reading the database as its owner.
    /// </summary>
    [WolverineGet("/api/audit/log", Name = "GetLogAsHashed")]
    [EndpointSummary("Every event in the store as its hash covers it, with its hash, a page at a time")]
    [EndpointDescription("For an auditor's own verification: each field as the text the hash was computed over (see the README's " +
                         "hash schemes), the hash row's scheme, previous hash and hash, tombstones included; up to the high-water mark.")]
    [Tags("Audit")]
    [ProducesResponseType<HashedLogPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static async Task<IResult> Get(NpgsqlDataSource database, Checkpoints.LogCheckpoints checkpoints,
        [Range(typeof(long), "0", "9223372036854775807"), DefaultValue(0L)] long? after,
        [Range(1, MaxLimit), DefaultValue(DefaultLimit)] int? limit, HttpContext http, CancellationToken token)
    {
        var from = after ?? 0;
        var size = limit ?? DefaultLimit;
        if (LogMark.InvalidPage(from, size, MaxLimit) is { } invalid) return invalid;

        if (await LogMark.Read(database, token) is not { } mark) return LogMark.NotReady(http);
        if (LogMark.PastIt(from, mark.HighWaterMark) is { } past) return past;

        // The same expressions as the hash's trigger (HashChain), so what is served is what was hashed.
        await using var command = database.CreateCommand($"""
            select e.seq_id, e.stream_id, e.version, e.id, e.type, e.data::text, {HashChain.RecordedAtSql("e.timestamp")},
                   e.tenant_id, e.mt_dotnet_type, e.user_name, e.correlation_id, e.causation_id, e.headers::text,
                   encode(e.bdata, 'hex'), coalesce(e.is_archived, false), h.scheme, h.previous_hash, h.hash
              from {TrackerDatabase.Schema}.mt_events e
              left join {TrackerDatabase.Schema}.{HashChain.Table} h on h.seq_id = e.seq_id
             where e.seq_id > $1 and e.seq_id <= $2
             order by e.seq_id
             limit $3
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = mark.HighWaterMark });
        command.Parameters.Add(new NpgsqlParameter { Value = size });
        var events = new List<HashedEvent>(size);
        await using (var row = await command.ExecuteReaderAsync(token))
        {
            string? Text(int column) => row.IsDBNull(column) ? null : row.GetString(column);
            while (await row.ReadAsync(token))
            {
                events.Add(new HashedEvent(row.GetInt64(0), row.GetGuid(1), row.GetInt64(2), row.GetGuid(3), row.GetString(4),
                    row.GetString(5), row.GetString(6), Text(7), Text(8), Text(9), Text(10), Text(11), Text(12), Text(13),
                    row.GetBoolean(14), row.IsDBNull(15) ? null : row.GetInt16(15), Text(16), Text(17)));
            }
        }
        // A page short of the limit holds every event up to the mark: the next starts after the mark.
        var next = events.Count == size ? events[^1].Sequence : Math.Max(from, mark.HighWaterMark);
        return Results.Ok(new HashedLogPage(events, from, next, mark.HighWaterMark, await checkpoints.Ending(from, next, token)));
    }
}
