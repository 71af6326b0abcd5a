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
    /// <summary>
    /// An event is read only whole: each field its shape has no default for must be in its stored body, or the event
    /// does not read (and is answered as damaged, 409 log-damaged, as any body that does not read as its fact is). A body
    /// emptied or cut down by hand (`{}`) read until 2026-12-06 as a fact of defaults (a report of 0 on 0001-01-01), and a
    /// fact without its evidence failed further on, a 500. Fields that may be null, and those a later shape added with a
    /// default, may be missing: older events lack them.
    /// </summary>
    public static void EventsReadWhole(System.Text.Json.Serialization.Metadata.JsonTypeInfo type)
    {
        if (type.Kind != System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object || !typeof(Tracker.Domain.ITrackedEvent).IsAssignableFrom(type.Type)) return;
        foreach (var property in type.Properties)
        {
            // The reader's own account of the parameter: a nullable value type, or a reference annotated as nullable.
            if (property.AssociatedParameter is not { HasDefaultValue: false, IsNullable: var canBeNull }) continue;
            if (!canBeNull) property.IsRequired = true;
        }
    }

    ValueTask<T> IStorageSerializer.FromJsonAsync<T>(DbDataReader reader, int index, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FromJson<T>(reader, index));

    ValueTask<object> IStorageSerializer.FromJsonAsync(Type type, DbDataReader reader, int index, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FromJson(type, reader, index));
}
