using JasperFx.Events;
using Marten.Events.Aggregation;
using Tracker.Domain.Documents;

namespace Tracker.Projections.Documents;

/// <summary>Inline: a monitor who registers a document reads it back at once.</summary>
public sealed partial class DocumentViewProjection : SingleStreamProjection<DocumentView, Guid>
{
    public const string ProjectionName = "DocumentView";

    public DocumentViewProjection() => Name = ProjectionName;

    public DocumentView Create(IEvent<SourceDocumentRegistered> registered)
    {
        var e = registered.Data;
        return new DocumentView(registered.StreamId, e.Key, e.Title, e.PublishedOn, e.Venue, e.Kind, e.Url, e.Primary,
            Timestamps.AsStored(registered.Timestamp), (int)registered.Version, e.PublishedPrecision, e.PublishedOnInferred);
    }
}
