namespace Tracker.Domain.Commitments;

/// <summary>
/// The source of a recorded fact: a registered document (by key) or a web address, whether it is primary (an official
/// text) or secondary (a report about it), the date it refers to, and a note.
/// </summary>
public sealed record Evidence(string? DocumentKey, string? Url, bool Primary, [property: Happened] DateOnly? On = null, [property: MultiLine] string? Note = null)
    : ICitesDocuments
{
    public IEnumerable<string?> CitedDocuments() => [DocumentKey];

    public IEnumerable<Evidence> CitedSources() => [this];
}
