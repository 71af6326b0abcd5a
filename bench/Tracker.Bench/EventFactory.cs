using Npgsql;
using Tracker.Domain;

namespace Tracker.Bench;

/// <summary>
/// Puts large histories into the log quickly with SQL, copying the shape of events the API wrote (a statement, a pledge,
/// a progress report) so projections read them exactly as real ones. Rows go through the same triggers (hash chain,
/// append-only) as the service's own appends.
/// </summary>
public sealed class EventFactory(NpgsqlDataSource database)
{
    private async Task<(string Data, string DotnetType)> Template(string type)
    {
        await using var command = database.CreateCommand(
            "select data::text, mt_dotnet_type from tracker.mt_events where type = $1 order by seq_id limit 1");
        command.Parameters.AddWithValue(type);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) throw new InvalidOperationException($"No {type} event to copy");
        return (reader.GetString(0), reader.GetString(1));
    }

    /// <summary>One commitment with a statement and then progress reports, `events` in all, dated ReportsPerDay to a day; its key is `key`.</summary>
    public async Task LongHistory(string key, int events)
    {
        var stated = await Template("commitment_stated");
        var progress = await Template("progress_reported");
        await using var command = database.CreateCommand("""
            with stream as (insert into tracker.mt_streams (id, type, version) values ($1, 'Commitment', $3) returning id)
            insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type)
            select nextval('tracker.mt_events_sequence'), gen_random_uuid(), x.stream_id, x.v, x.data, x.type, now(), x.dotnet
            from (select stream.id as stream_id, v,
                         case when v = 1 then jsonb_set(jsonb_set($4::jsonb, '{Key}', to_jsonb($2::text)), '{StatedOn}', to_jsonb(text '2020-01-01'))
                              else jsonb_set(jsonb_set($6::jsonb, '{Figure}', to_jsonb(v)), '{AsOf}',
                                             to_jsonb(to_char(date '2020-01-01' + v / $8, 'YYYY-MM-DD'))) end as data,
                         case when v = 1 then 'commitment_stated' else 'progress_reported' end as type,
                         case when v = 1 then $5 else $7 end as dotnet
                  from stream, generate_series(1, $3) v order by v) x
            """);
        command.CommandTimeout = 0;
        command.Parameters.AddWithValue(StreamIds.ForCommitment(key));
        command.Parameters.AddWithValue(key);
        command.Parameters.AddWithValue(events);
        command.Parameters.AddWithValue(stated.Data);
        command.Parameters.AddWithValue(stated.DotnetType);
        command.Parameters.AddWithValue(progress.Data);
        command.Parameters.AddWithValue(progress.DotnetType);
        command.Parameters.AddWithValue(ReportsPerDay);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A long history's reports refer to dates from 2020-01-01 on, this many per day (its statement is of that day).</summary>
    public const int ReportsPerDay = 50;

    public static DateOnly DayOf(int version) => new DateOnly(2020, 1, 1).AddDays(version / ReportsPerDay);

    /// <summary>How many pledges each generated commitment receives; each is then committed and disbursed.</summary>
    public const int PledgesPerCommitment = 10;

    /// <summary>
    /// Commitments with a life like a real one's, `perStream` events each (at least 32), about `events` in all: a statement,
    /// pledges from 10 of 500 members, a committed and a disbursed stage for each pledge, then progress reports.
    /// </summary>
    public async Task ManyCommitments(int events, int perStream, Action<long> progressed)
    {
        if (perStream < 2 + 3 * PledgesPerCommitment) throw new ArgumentOutOfRangeException(nameof(perStream));
        var stated = await Template("commitment_stated");
        var pledge = await Template("pledge_announced");
        var stage = await Template("pledge_stage_recorded");
        var progress = await Template("progress_reported");
        var streams = events / perStream;
        const int batch = 1_000;
        for (var first = 0; first < streams; first += batch)
        {
            var count = Math.Min(batch, streams - first);
            // Version v: 1 the statement; 2..11 pledge k = v - 1; 12..21 its committed stage, 22..31 its disbursed stage
            // (k = (v - 2) % 10 + 1); after that, progress reports.
            await using var command = database.CreateCommand("""
                with streams as (
                    insert into tracker.mt_streams (id, type, version)
                    select gen_random_uuid(), 'Commitment', $3 from generate_series(1, $2) returning id),
                numbered as (select id, $1 + row_number() over () as g from streams)
                insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type)
                select nextval('tracker.mt_events_sequence'), gen_random_uuid(), x.id, x.v, x.data, x.type, now(), x.dotnet
                from (select n.id, v,
                             case when v = 1 then jsonb_set($4::jsonb, '{Key}', to_jsonb('rebuild-' || n.g))
                                  when v <= 11 then jsonb_set(jsonb_set(jsonb_set($6::jsonb, '{PledgeId}', to_jsonb('p-' || (v - 1))),
                                       '{Pledger}', to_jsonb('Member ' || ((n.g * 7 + v - 1) % 500))), '{CommitmentKey}', to_jsonb('rebuild-' || n.g))
                                  when v <= 31 then jsonb_set(jsonb_set(jsonb_set($8::jsonb, '{PledgeId}', to_jsonb('p-' || ((v - 2) % 10 + 1))),
                                       '{Pledger}', to_jsonb('Member ' || ((n.g * 7 + (v - 2) % 10 + 1) % 500))),
                                       '{Stage}', to_jsonb(case when v <= 21 then 'Committed' else 'Disbursed' end))
                                  else jsonb_set($10::jsonb, '{Figure}', to_jsonb(v)) end as data,
                             case when v = 1 then 'commitment_stated' when v <= 11 then 'pledge_announced'
                                  when v <= 31 then 'pledge_stage_recorded' else 'progress_reported' end as type,
                             case when v = 1 then $5 when v <= 11 then $7 when v <= 31 then $9 else $11 end as dotnet
                      from numbered n, generate_series(1, $3) v order by n.g, v) x
                """);
            command.CommandTimeout = 0;
            command.Parameters.AddWithValue((long)first);
            command.Parameters.AddWithValue(count);
            command.Parameters.AddWithValue(perStream);
            foreach (var (data, dotnet) in new[] { stated, pledge, stage, progress })
            {
                command.Parameters.AddWithValue(data);
                command.Parameters.AddWithValue(dotnet);
            }
            await command.ExecuteNonQueryAsync();
            progressed((long)(first + count) * perStream);
        }
    }
}
