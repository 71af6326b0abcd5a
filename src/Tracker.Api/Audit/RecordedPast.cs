using JasperFx.Events;
using Marten;
using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Projections.Commitments;

namespace Tracker.Api.Audit;

/// <summary>
/// Commitments as the tracker showed them at a past instant, without reading the log up to it: a commitment not changed
/// since is its stored model; one changed since is the nearest checkpoint recorded by then (writes keep one every
/// ProgressCheckpoint.Interval versions) and the events after it up to the last recorded by then, fewer than an interval
/// or a write's worth. A stream's events are recorded in version order, so "recorded by then" is a prefix of the stream.
/// </summary>
public sealed class RecordedPast(IQuerySession session, NpgsqlDataSource database)
{
    private const int Chunk = 500;

    /// <summary>Every commitment that existed at the instant, as it stood then.</summary>
    public async Task<IReadOnlyList<CommitmentProgress>> All(DateTimeOffset at, CancellationToken token)
    {
        var unchanged = await session.Query<CommitmentProgress>().Where(c => c.LastChangedAt <= at).ToListAsync(token);
        // A commitment written between the two queries is in both: its model as read first is the one of the instant.
        var seen = unchanged.Select(c => c.Id).ToHashSet();
        // The ids from the list rows' index on the change time, not a scan of the models' table.
        var changedIds = new List<Guid>();
        await using (var command = database.CreateCommand(
                         $"select id from {TrackerDatabase.Schema}.{CommitmentRows.Table} where last_changed_at > $1"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = at });
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token)) changedIds.Add(reader.GetGuid(0));
        }
        var changed = changedIds.Where(id => !seen.Contains(id));
        var then = new List<CommitmentProgress>(unchanged);
        foreach (var chunk in changed.Chunk(Chunk)) then.AddRange(await At(chunk, at, token));
        return then;
    }

    /// <summary>One commitment as it stood at the instant; null when it did not exist yet.</summary>
    public async Task<CommitmentProgress?> One(Guid id, DateTimeOffset at, CancellationToken token) =>
        (await At([id], at, token)).SingleOrDefault();

    private async Task<IReadOnlyList<CommitmentProgress>> At(Guid[] ids, DateTimeOffset at, CancellationToken token)
    {
        // Per commitment: the latest checkpoint recorded by the instant, and the version of the next checkpoint, which
        // bounds the events to read.
        var starts = new Dictionary<Guid, (ProgressCheckpoint? Checkpoint, int From, int? Next)>();
        var serializer = session.DocumentStore.Options.Serializer();
        await using (var command = database.CreateCommand($"""
            select i.id, c.data, coalesce(c.version, 0), n.version
              from unnest($1::uuid[]) i(id)
              left join lateral (select data, version from {Checkpoints} p
                                  where p.stream_id = i.id and (p.data -> 'Progress' ->> 'LastChangedAt')::timestamptz <= $2
                                  order by p.version desc limit 1) c on true
              left join lateral (select version from {Checkpoints} p where p.stream_id = i.id and p.version > coalesce(c.version, 0)
                                  order by p.version limit 1) n on true
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = ids });
            command.Parameters.Add(new NpgsqlParameter { Value = at });
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                var checkpoint = reader.IsDBNull(1) ? null : serializer.FromJson<ProgressCheckpoint>(reader, 1);
                starts[reader.GetGuid(0)] = (checkpoint, reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetInt32(3));
            }
        }

        var sequences = new List<long>();
        await using (var command = database.CreateCommand($"""
            select e.seq_id from unnest($1::uuid[], $2::int[], $3::int[]) x(id, from_version, next_version)
              join {TrackerDatabase.Schema}.mt_events e on e.stream_id = x.id and e.version > x.from_version
                   and (x.next_version is null or e.version < x.next_version)
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = starts.Keys.ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = starts.Values.Select(s => s.From).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = starts.Values.Select(s => s.Next ?? (int?)null).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token)) sequences.Add(reader.GetInt64(0));
        }
        var read = sequences.Count == 0
            ? []
            : await session.Events.QueryAllRawEvents().Where(e => sequences.Contains(e.Sequence)).ToListAsync(token);
        var events = read.ToLookup(e => e.StreamId);

        var models = new List<CommitmentProgress>();
        foreach (var (id, start) in starts)
        {
            var stream = events[id].OrderBy(e => e.Version).ToList();
            var last = stream.FindLastIndex(e => e.Timestamp <= at);
            var progress = start.Checkpoint?.Progress;
            foreach (var e in stream.Take(last + 1)) progress = await CommitmentProgressProjection.Stepper.EvolveAsync(progress, id, session, e, token);
            if (progress is not null) models.Add(progress);
        }
        return models;
    }

    private static string Checkpoints => $"{TrackerDatabase.Schema}.mt_doc_progresscheckpoint";
}
