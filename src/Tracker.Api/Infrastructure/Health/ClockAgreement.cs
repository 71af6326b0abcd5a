using Npgsql;
using Tracker.Api.Audit;

namespace Tracker.Api.Infrastructure.Health;

/// <summary>
/// How far this process's clock lies from the database's. The events a process appends carry its clock's time (Marten
/// stamps them here), and verification names an event dated more than <see cref="LogVerifier.ClockTolerance"/> from when
/// the database hashed it, for good: a process whose clock is off must not write.
/// </summary>
public static class ClockAgreement
{
    /// <summary>The most a process's clock may lie from the database's and still append: a fifth of the verification's tolerance.</summary>
    public static readonly TimeSpan MaxOffset = TimeSpan.FromMinutes(1);

    /// <summary>This process's clock minus the database's, read at the midpoint of one round trip on a connection of its own.</summary>
    public static async Task<TimeSpan> Offset(NpgsqlDataSource database, TimeProvider clock, CancellationToken token)
    {
        await using var connection = await database.OpenConnectionAsync(token);
        return await Offset(connection, clock, token);
    }

    /// <summary>The same on an open connection (the round trip timed is the statement's alone, not a wait for the pool).</summary>
    public static async Task<TimeSpan> Offset(NpgsqlConnection connection, TimeProvider clock, CancellationToken token)
    {
        await using var command = new NpgsqlCommand("select clock_timestamp()", connection);
        var before = clock.GetUtcNow();
        await using var reader = await command.ExecuteReaderAsync(token);
        await reader.ReadAsync(token);
        var theirs = reader.GetFieldValue<DateTimeOffset>(0);
        var after = clock.GetUtcNow();
        return before + (after - before) / 2 - theirs;
    }

    /// <summary>What is wrong with an offset, in an operator's words; null within <see cref="MaxOffset"/>.</summary>
    public static string? Problem(TimeSpan offset) =>
        offset.Duration() <= MaxOffset
            ? null
            : $"This process's clock is {offset.Duration().TotalSeconds:0} s {(offset > TimeSpan.Zero ? "ahead of" : "behind")} the database's: " +
              "the events it appends would carry its time, and verification names every event dated more than " +
              $"{LogVerifier.ClockTolerance.TotalMinutes:0} minutes from when the database recorded it; synchronise the clocks (NTP)";
}
