using Marten;
using Marten.Schema;
using Npgsql;
using NpgsqlTypes;
using Tracker.Projections;

namespace Tracker.Api.Admin;

/// <summary>
/// Writes rebuilt models over the live ones a batch at a time, each batch in one statement that leaves alone a model a
/// write made newer than the high-water mark (decided row by row under the row's lock, so a write racing the rebuild is
/// never overwritten) and does not write one already stored as rebuilt; at the end, deletes the live models the log no
/// longer accounts for. Each statement takes a turn among those the rebuild lets run at once (<paramref name="statements"/>,
/// shared by its writers).
/// </summary>
public sealed class ModelWriter<TDoc, TId>(IDocumentStore store, NpgsqlDataSource database, Func<TDoc, TId> idOf,
    long highWaterMark, ModelWriter<TDoc, TId>.Recency recency, SemaphoreSlim statements)
    where TDoc : notnull where TId : notnull
{
    /// <summary>
    /// How a live model (`live`) shows it is newer than the rebuild: `NotNewer` compares it with the rebuilt one
    /// (`excluded`; `$5` is the high-water mark) on the row itself, so PostgreSQL re-checks it on the row a racing write
    /// committed; `Unaccounted` says a live model the rebuild did not produce changed no later than the high-water mark
    /// (`$2`), or is null when no live model is ever stale (the writer then need not remember which ids it wrote).
    /// </summary>
    public sealed record Recency(string NotNewer, string? Unaccounted);

    /// <summary>A model that carries the global sequence of its last event (an async projection's).</summary>
    public static readonly Recency BySequence = new(
        "(live.data ->> 'LastEventSequence')::bigint <= $5", "(live.data ->> 'LastEventSequence')::bigint <= $2");

    /// <summary>
    /// A model of one stream that carries its stream's version, not its events' sequences (an inline projection under
    /// Quick appends, which draw the sequence after the projection ran): newer when its version is higher; unaccounted
    /// when its stream does not exist. Not "no events after the high-water mark": that would read the log in the
    /// statement's snapshot, and a model a racing write just committed (re-checked on the row, the log not) would be
    /// deleted; nor would a stream created while the rebuild listed streams, whose events the rebuild never read.
    /// </summary>
    public static Recency ByStreamVersion(string streamsTable) => new(
        "(live.data ->> 'Version')::int <= (excluded.data ->> 'Version')::int",
        $"not exists (select 1 from {streamsTable} s where s.id = live.id)");

    /// <summary>
    /// A document that is the same whoever computes it (a checkpoint of the past): written over any with its id, and
    /// never stale.
    /// </summary>
    public static readonly Recency SameWhoeverComputes = new("true", null);

    private const int BatchSize = 500;
    private readonly string _table = store.Options.FindOrResolveDocumentType(typeof(TDoc)).TableName.QualifiedName;
    private readonly HashSet<TId> _rebuilt = [];

    // The columns Marten keeps beside the document (Duplicate in TrackerDatabase), computed from the written JSON by the
    // expressions Marten's own migration sets them with ("column" = expression over data), in the same statement as the
    // model: a model written without them would be missing from every filter and sum, and written twice it would cost
    // the row and its indexes twice.
    private readonly (string Column, string Expression)[] _duplicates =
        store.Options.FindOrResolveDocumentType(typeof(TDoc)) is DocumentMapping mapping
            ? [.. mapping.DuplicatedFields.Select(f => f.UpdateSqlFragment().Split(" = ", 2)).Select(p => (p[0], p[1]))]
            : [];

    // A projected model's revision is a number Marten counts; a plain document's is a fresh uuid on every store.
    private readonly bool _numericRevisions =
        store.Options.FindOrResolveDocumentType(typeof(TDoc)) is DocumentMapping { UseNumericRevisions: true };

    public int Written { get; private set; }
    public int KeptNewer { get; private set; }

    /// <summary>Models already stored as the rebuild computed them, left as they were.</summary>
    public int Unchanged { get; private set; }
    public int Deleted { get; private set; }

    public async Task Write(IReadOnlyList<Replayed<TDoc>> models, CancellationToken token)
    {
        var serializer = store.Options.Serializer();
        foreach (var batch in models.Chunk(BatchSize))
        {
            var ids = batch.Select(r => idOf(r.Model)).ToArray();
            // A turn among the rebuild's statements that may run at once (they share the service's pool with requests).
            await statements.WaitAsync(token);
            int changed, upserted;
            try
            {
                (changed, upserted) = await Deadlocks.Retrying(async () =>
                {
                    // The model and its columns in one statement: a reader never sees a model without its columns (the
                    // expressions read `data`, the unnested model). A model already stored as rebuilt (document, type and
                    // columns, compared as text too, since jsonb and numeric equality ignore a number's trailing zeros) is
                    // not written again: that saves a new version of the row and its indexes (a model
                    // with no stored row is not compared at all: an AND with a null goes on to its next term, and its text
                    // would be made for nothing, as it was for every model of a first rebuild). It is
                    // left out as the statement's snapshot has it: a row equal there can change afterwards only by a write
                    // to its stream, which makes it newer than the rebuild's anyway.
                    // The batch's stored rows are read once, by their ids, and the statement is planned for each batch
                    // (not once for all, as the data source prepares a statement it sees again): planned once while the
                    // table was nearly empty, as it is when a rebuild first fills it, the plan hashed or scanned the whole
                    // table for every batch, or every model, for the rest of the rebuild (52 million rows read to write
                    // 200,000 pledges' rows, and a rebuild's time doubled from one run to the next).
                    // Not a data source without prepared statements: it would need the service's credentials again.
                    await using var batchOfModels = database.CreateBatch();
                    batchOfModels.BatchCommands.Add(new NpgsqlBatchCommand("select set_config('plan_cache_mode', 'force_custom_plan', true)"));
                    // The list rows' and the pledgers' triggers leave these writes to the rebuild's end (RebuildWrites).
                    batchOfModels.BatchCommands.Add(new NpgsqlBatchCommand(RebuildWrites.MarkSql));
                    var command = new NpgsqlBatchCommand($"""
                        with r as (select id, data, revision{Each(d => $", {d.Expression} as {d.Column}")}
                                     from unnest($1, $2, $3) as r(id, data, revision)),
                             stored as materialized (select * from {_table} where id = any($1)),
                             changed as (
                               select r.* from r left join stored same on same.id = r.id
                                where same.id is null
                                   or not coalesce(same.data = r.data and same.data::text = r.data::text and same.mt_dotnet_type = $4
                                         and row({Each(", ", d => $"same.{d.Column}")})::text = row({Each(", ", d => $"r.{d.Column}")})::text, false)),
                             upserted as (
                               insert into {_table} as live (id, data, mt_dotnet_type, mt_version, mt_last_modified{Each(d => $", {d.Column}")})
                               select r.id, r.data, $4, {(_numericRevisions ? "r.revision" : "gen_random_uuid()")}, now(){Each(d => $", r.{d.Column}")}
                                 from changed r
                               on conflict (id) do update set data = excluded.data, mt_dotnet_type = excluded.mt_dotnet_type,
                                   mt_version = {(_numericRevisions ? "greatest(live.mt_version, excluded.mt_version)" : "excluded.mt_version")},
                                   mt_last_modified = now(){Each(d => $", {d.Column} = excluded.{d.Column}")}
                               where {recency.NotNewer}
                               returning 1)
                        select (select count(*) from changed)::int, (select count(*) from upserted)::int
                        """);
                    batchOfModels.BatchCommands.Add(command);
                    command.Parameters.AddWithValue(ids);
                    command.Parameters.Add(new NpgsqlParameter
                    {
                        Value = batch.Select(r => serializer.ToJson(r.Model)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb
                    });
                    command.Parameters.AddWithValue(batch.Select(r => r.Revision).ToArray());
                    command.Parameters.AddWithValue(typeof(TDoc).FullName!);
                    command.Parameters.AddWithValue(highWaterMark);
                    // One implicit transaction (a batch's statements end with one Sync): the setting holds for the write only.
                    await using var reader = await batchOfModels.ExecuteReaderAsync(token);
                    await reader.NextResultAsync(token);
                    await reader.NextResultAsync(token);
                    await reader.ReadAsync(token);
                    return (reader.GetInt32(0), reader.GetInt32(1));
                }, token);
            }
            finally
            {
                statements.Release();
            }
            // Several pages' batches may be on their way at once (ProjectionRebuilds.PagesInFlight).
            lock (_rebuilt)
            {
                if (recency.Unaccounted is not null) _rebuilt.UnionWith(ids);
                Written += upserted;
                KeptNewer += changed - upserted;
                Unchanged += batch.Length - changed;
            }
        }
    }

    private string Each(Func<(string Column, string Expression), string> part) => string.Concat(_duplicates.Select(part));

    private string Each(string separator, Func<(string Column, string Expression), string> part) =>
        _duplicates.Length == 0 ? "null" : string.Join(separator, _duplicates.Select(part));

    /// <summary>
    /// The live models this rebuild did not write, deleted unless their recency says a write made them after the
    /// high-water mark. Every id is read and compared with the rebuilt ones here, and only the few left are checked
    /// against the log, in the delete: checking every row against the log cost more than writing them.
    /// </summary>
    public async Task DeleteStale(CancellationToken token)
    {
        if (recency.Unaccounted is null) return;
        var stale = new List<TId>();
        await using (var query = database.CreateCommand($"select id from {_table}"))
        {
            await using var reader = await query.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                var live = reader.GetFieldValue<TId>(0);
                if (!_rebuilt.Contains(live)) stale.Add(live);
            }
        }
        foreach (var batch in stale.Chunk(BatchSize))
        {
            await using var delete = database.CreateCommand(
                $"delete from {_table} as live where id = any($1) and {recency.Unaccounted}");
            delete.Parameters.AddWithValue(batch);
            delete.Parameters.AddWithValue(highWaterMark);
            Deleted += await delete.ExecuteNonQueryAsync(token);
        }
    }
}

/// <summary>A write that lost a deadlock to another writer (the daemon, a request) is made again.</summary>
public static class Deadlocks
{
    public static async Task<T> Retrying<T>(Func<Task<T>> write, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (Exception e) when (attempt < 5 && IsDeadlock(e))
            {
                await Task.Delay(100 * attempt, token);
            }
        }
    }

    private static bool IsDeadlock(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected }) return true;
        }
        return false;
    }
}
