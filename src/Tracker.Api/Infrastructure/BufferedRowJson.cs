using System.Data.Common;
using Marten.Services;
using Weasel.Storage;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// Marten's System.Text.Json serializer, reading a document from a row it has already read in one piece. Marten reads
/// rows without sequential access, so Npgsql holds the whole row in memory once it is read; its asynchronous read then
/// hands the document to System.Text.Json as a stream, which parses it with the resumable converters a stream needs
/// (a write's progress model, about 1.8 kB, took 50-60 µs of the service's CPU). From the row's bytes the same parse
/// takes the non-resumable path, the one a string or a span gets. Everything else, writes included, is Marten's.
/// </summary>
public sealed class BufferedRowJson : SystemTextJsonSerializer, IStorageSerializer
{
    ValueTask<T> IStorageSerializer.FromJsonAsync<T>(DbDataReader reader, int index, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FromJson<T>(reader, index));

    ValueTask<object> IStorageSerializer.FromJsonAsync(Type type, DbDataReader reader, int index, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FromJson(type, reader, index));
}
