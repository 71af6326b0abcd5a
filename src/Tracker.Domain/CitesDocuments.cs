namespace Tracker.Domain;

/// <summary>
/// Something that cites source documents by key (a request, a piece of evidence): each must be registered before a write
/// records anything that cites it.
/// </summary>
public interface ICitesDocuments
{
    IEnumerable<string?> CitedDocuments();
}
