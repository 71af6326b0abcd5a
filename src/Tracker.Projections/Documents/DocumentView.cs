namespace Tracker.Projections.Documents;

/// <summary>A source document as the API shows it.</summary>
public sealed record DocumentView(
    Guid Id,
    string Key,
    string Title,
    DateOnly PublishedOn,
    string? Venue,
    string Kind,
    string? Url,
    bool Primary,
    DateTimeOffset RegisteredAt,
    int Version);
