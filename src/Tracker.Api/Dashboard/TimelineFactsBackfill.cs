using Marten;
using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Projections.Commitments.Timeline;

namespace Tracker.Api.Dashboard;

/// <summary>
/// Effective timelines kept before each fact had a row of its own (TimelineDays.FactsName) listed a day's facts in the
/// day's row; the schema's migration dropped that list and left each day counting none. At start, each commitment with
/// such a day has its facts found again from its stream up to the version its timeline took in (the days' figures are
/// left as they are), holding off the daemon's writes to the days meanwhile, as the daily rollup's backfill does. The
/// daemon, meeting such a timeline first, folds it whole instead (EffectiveTimelineProjection), which leaves it counted.
/// </summary>
public sealed class TimelineFactsBackfill(IDocumentStore store, NpgsqlDataSource dataSource, ILogger<TimelineFactsBackfill> logger)
{
    private const int StreamsPerBatch = 500;

    /// <summary>
    /// How many commitments' facts were found again (0: none lacked them, or the days were not had within the start's
    /// lock wait, which is logged).
    /// </summary>
    public Task<int> Run(CancellationToken token) => Run(RollupBackfill.LockWait, token);

    internal async Task<int> Run(TimeSpan lockWait, CancellationToken token)
    {
        var days = $"{TrackerDatabase.Schema}.{TimelineDays.Name}";
        var facts = $"{TrackerDatabase.Schema}.{TimelineDays.FactsName}";
        var lacking = $"select exists (select 1 from {days} where facts = 0)";
        await using (var probe = dataSource.CreateCommand(lacking))
        {
            if (!(bool)(await probe.ExecuteScalarAsync(token))!) return 0;
        }

        await using var connection = await dataSource.OpenConnectionAsync(token);
        await using var transaction = await connection.BeginTransactionAsync(token);
        // The lock waits for the transactions writing the days and holds off those that come after: bounded, so a start
        // never queues the daemon's writes behind it for longer (a long transaction holding the days, or another node
        // finding the facts over a large log, which does this node's work too). Once it is held, the writes of the facts
        // wait as long as they must: nothing else writes them while the days are held.
        await using (var hold = new NpgsqlCommand(
                         $"{RollupBackfill.LockWaitSql(lockWait)}; lock table {days} in share row exclusive mode; set local lock_timeout = 0; {lacking}",
                         connection, transaction))
        {
            hold.CommandTimeout = 0;
            try
            {
                // Another node did it while this one waited for the lock.
                if (!(bool)(await hold.ExecuteScalarAsync(token))!) return 0;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                logger.LogWarning("The effective timelines' facts were not found again at start: their days were held by another transaction for more than {Wait} s (another node finding them, or a long write); the next start tries again, and the daemon folds each such timeline whole when its commitment next changes", lockWait.TotalSeconds);
                return 0;
            }
        }

        var timelines = new List<(Guid Id, int Through)>();
        await using (var list = new NpgsqlCommand(
                         $"""
                         select stream_id, max(through_version) from {days}
                          where stream_id in (select stream_id from {days} where facts = 0) group by stream_id
                         """, connection, transaction))
        await using (var reader = await list.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token)) timelines.Add((reader.GetGuid(0), reader.GetInt32(1)));
        }
        logger.LogWarning("{Count} effective timelines were kept before each fact had a row of its own; finding their facts again from the log", timelines.Count);

        await using var session = store.QuerySession();
        foreach (var batch in timelines.Chunk(StreamsPerBatch))
        {
            var (factStreams, factVersions, factDays) = (new List<Guid>(), new List<int>(), new List<DateOnly>());
            var (dayStreams, dayDates, dayCounts) = (new List<Guid>(), new List<DateOnly>(), new List<int>());
            foreach (var (id, through) in batch)
            {
                var events = await Tracker.Projections.ReadableEvents.Of(session, id, 1, through, token);
                foreach (var day in EffectiveOrder.AllDays(id, events))
                {
                    dayStreams.Add(id);
                    dayDates.Add(day.On);
                    dayCounts.Add(day.Versions.Count);
                    foreach (var version in day.Versions)
                    {
                        factStreams.Add(id);
                        factVersions.Add(version);
                        factDays.Add(day.On);
                    }
                }
            }
            await Execute(connection, transaction, $"""
                insert into {facts} (stream_id, version, "on") select * from unnest($1::uuid[], $2::integer[], $3::date[])
                on conflict (stream_id, version) do update set "on" = excluded."on"
                """, token, factStreams.ToArray(), factVersions.ToArray(), factDays.ToArray());
            await Execute(connection, transaction, $"""
                update {days} d set facts = x.n from unnest($1::uuid[], $2::date[], $3::integer[]) as x(stream_id, "on", n)
                 where d.stream_id = x.stream_id and d."on" = x."on"
                """, token, dayStreams.ToArray(), dayDates.ToArray(), dayCounts.ToArray());
        }
        await transaction.CommitAsync(token);
        logger.LogInformation("Facts found again for {Count} effective timelines", timelines.Count);
        return timelines.Count;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken token, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(token);
    }
}
