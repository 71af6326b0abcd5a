using System.Collections.Concurrent;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Projections.Commitments;

namespace Tracker.Api.Commitments.Reading;

/// <summary>
/// Each commitment's page of the present as the API writes it, held with the stored model's stamp (Marten's revision of
/// the document and when it was last written, which every write and every rebuild changes). A read sends the stamp it
/// holds and gets the model back only when the stored one has another (one statement either way): a commitment read again
/// without a write in between costs no JSON from the database, no deserialising and no serialising.
/// </summary>
public sealed class PresentCommitments(NpgsqlDataSource database, IDocumentStore store, IOptions<JsonOptions> json)
{
    /// <summary>Pages held at most (about 1 KiB each); full, it starts again (dropping a page only costs a read).</summary>
    public const int SizeLimit = 10_000;

    /// <summary>A commitment's page: its version (the ETag) and its JSON.</summary>
    public sealed record Page(int Version, byte[] Json, long StoredVersion, DateTimeOffset StoredAt);

    private readonly ConcurrentDictionary<Guid, Page> _pages = new();
    private long _reused;

    /// <summary>Reads answered with a page held here (diagnostics; nothing branches on it).</summary>
    public long Reused => Interlocked.Read(ref _reused);
    private readonly string _sql = $"""
        select coalesce(mt_version, 0), mt_last_modified,
               case when mt_version = $2 and mt_last_modified = $3 then null else data end
          from {TrackerDatabase.Schema}.mt_doc_commitmentprogress where id = $1
        """;

    /// <summary>The commitment's page now; null for an unknown commitment.</summary>
    public async Task<Page?> Read(Guid id, CancellationToken token)
    {
        _pages.TryGetValue(id, out var held);
        await using var command = database.CreateCommand(_sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = held?.StoredVersion ?? -1 });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = held?.StoredAt ?? DateTimeOffset.UnixEpoch });
        await using var reader = await command.ExecuteReaderAsync(token);
        if (!await reader.ReadAsync(token))
        {
            _pages.TryRemove(id, out _);
            return null;
        }
        if (held is not null && reader.IsDBNull(2))
        {
            Interlocked.Increment(ref _reused);
            return held;
        }

        var model = store.Options.Serializer().FromJson<CommitmentProgress>(reader, 2);
        var page = new Page(model.Version, JsonSerializer.SerializeToUtf8Bytes(CommitmentDetail.Of(model), json.Value.SerializerOptions),
            reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1));
        if (_pages.Count >= SizeLimit) _pages.Clear();
        _pages[id] = page;
        return page;
    }
}
