using Npgsql;

namespace Tracker.Api.Audit;

/// <summary>The first event whose stored hash does not match what it holds now, and why.</summary>
public sealed record ChainBreak(long Sequence, Guid StreamId, long Version, string Type, string Reason);

public sealed record VerificationReport(long EventsChecked, bool Intact, ChainBreak? FirstBreak);

/// <summary>
/// Recomputes the hash chain from the stored events, stream by stream in version order, streaming rows (never the whole
/// store in memory), and reports the first event that does not match: its data or type changed (the hash differs), its
/// hash is missing (appended behind the trigger's back), or its link to the previous event is broken.
/// </summary>
public sealed class LogVerifier(NpgsqlDataSource dataSource)
{
    private const string Rows = $"""
        select e.seq_id, e.stream_id, e.version, e.type, e.data::text, h.hash, h.previous_hash
          from {Infrastructure.TrackerDatabase.Schema}.mt_events e
          left join {Infrastructure.TrackerDatabase.Schema}.{HashChain.Table} h on h.seq_id = e.seq_id
        """;

    public Task<VerificationReport> VerifyStream(Guid streamId, CancellationToken token) =>
        Verify($"{Rows} where e.stream_id = $1 order by e.version", streamId, token);

    public Task<VerificationReport> VerifyAll(CancellationToken token) =>
        Verify($"{Rows} order by e.stream_id, e.version", null, token);

    private async Task<VerificationReport> Verify(string sql, Guid? streamId, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand(sql);
        if (streamId is { } id) command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(token);

        long checkedCount = 0;
        Guid? stream = null;
        string? previousHash = null;
        while (await reader.ReadAsync(token))
        {
            var sequence = reader.GetInt64(0);
            var currentStream = reader.GetGuid(1);
            var version = reader.GetInt64(2);
            var type = reader.GetString(3);
            var data = reader.GetString(4);
            var stored = reader.IsDBNull(5) ? null : reader.GetString(5);
            var storedPrevious = reader.IsDBNull(6) ? null : reader.GetString(6);
            if (currentStream != stream) previousHash = null;
            stream = currentStream;
            checkedCount++;

            string? reason = null;
            if (stored is null) reason = "no hash was recorded for this event";
            else if (storedPrevious != previousHash) reason = "its link to the previous event of the stream is broken";
            else if (HashChain.Compute(type, version, data, previousHash) != stored)
                reason = "its type, version or data changed after it was recorded";

            if (reason is not null)
            {
                return new VerificationReport(checkedCount, false, new ChainBreak(sequence, currentStream, version, type, reason));
            }
            previousHash = stored;
        }
        return new VerificationReport(checkedCount, true, null);
    }
}
