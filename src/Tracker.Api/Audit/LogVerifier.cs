using Npgsql;

namespace Tracker.Api.Audit;

/// <summary>An event whose stored hash does not match what it holds now, and why.</summary>
public sealed record ChainBreak(long Sequence, Guid StreamId, long Version, string Type, string Reason);

/// <summary>
/// What a verification found: every break (the first <see cref="LogVerifier.MaxReportedBreaks"/> of them listed, all
/// counted), and the first one on its own for a quick look.
/// </summary>
public sealed record VerificationReport(long EventsChecked, bool Intact, long BreakCount, IReadOnlyList<ChainBreak> Breaks)
{
    public ChainBreak? FirstBreak => Breaks.Count > 0 ? Breaks[0] : null;
}

/// <summary>
/// Recomputes the hash chain from the stored events, stream by stream in version order, streaming rows (never the whole
/// store in memory), and reports every event that does not match: its data or type changed (the hash differs), its
/// hash is missing (appended behind the trigger's back), or its link to the previous event is broken. After a break it
/// goes on from the stored hash, so one changed event is one break, not a break of everything after it.
/// </summary>
public sealed class LogVerifier(NpgsqlDataSource dataSource)
{
    public const int MaxReportedBreaks = 1000;

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
        long breakCount = 0;
        var breaks = new List<ChainBreak>();
        Guid? stream = null;
        string? previousHash = null;
        var tombstones = false; // whether every row of the current stream so far is one of Marten's tombstones
        while (await reader.ReadAsync(token))
        {
            var sequence = reader.GetInt64(0);
            var currentStream = reader.GetGuid(1);
            var version = reader.GetInt64(2);
            var type = reader.GetString(3);
            var data = reader.GetString(4);
            var stored = reader.IsDBNull(5) ? null : reader.GetString(5);
            var storedPrevious = reader.IsDBNull(6) ? null : reader.GetString(6);
            if (currentStream != stream)
            {
                previousHash = null;
                tombstones = IsTombstone(type, data);
            }
            else if (!IsTombstone(type, data))
            {
                tombstones = false;
            }
            stream = currentStream;
            checkedCount++;

            string? reason = null;
            if (stored is null) reason = "no hash was recorded for this event";
            else if (storedPrevious != previousHash && !tombstones)
                reason = "its link to the previous event of the stream is broken";
            else if (HashChain.Compute(type, version, data, storedPrevious) != stored)
                reason = "its type, version or data changed after it was recorded";

            if (reason is not null)
            {
                breakCount++;
                if (breaks.Count < MaxReportedBreaks) breaks.Add(new ChainBreak(sequence, currentStream, version, type, reason));
            }
            previousHash = stored ?? previousHash;
        }
        return new VerificationReport(checkedCount, breakCount == 0, breakCount, breaks);
    }

    // Marten's tombstones hold no fact (they fill the sequence numbers of a failed append, several at once and not always
    // in version order, in a stream of their own), so in a stream of nothing but tombstones each one's own hash is
    // checked but not its link. A tombstone-shaped row in any other stream is checked like every event.
    private static bool IsTombstone(string type, string data) => type == "tombstone" && data == "{}";
}
