using Tracker.Domain.Documents;

namespace Tracker.Projections.Documents;

/// <summary>
/// A source document as the API shows it. <see cref="Published"/> is its date as far as it is known ("2024-10" for a
/// report dated to the month); <see cref="PublishedOn"/> is that period's first day, for sorting.
/// </summary>
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
    int Version,
    DatePrecision PublishedPrecision = DatePrecision.Day,
    bool PublishedOnInferred = false)
{
    public string Published => PublishedPrecision.Written(PublishedOn);

    /// <summary>Whether the day is known, so that a commitment stated in it may take the document's date as its own.</summary>
    public bool DayKnown => PublishedPrecision == DatePrecision.Day;
}
