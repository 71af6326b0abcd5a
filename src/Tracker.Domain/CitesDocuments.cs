namespace Tracker.Domain;

/// <summary>
/// Something that cites source documents by key (a request, a piece of evidence): each must be registered before a write
/// records anything that cites it.
/// </summary>
public interface ICitesDocuments
{
    IEnumerable<string?> CitedDocuments();

    /// <summary>
    /// The sources among them that say whether they are primary: each must say what its document's registration says.
    /// (No default: a request that carries a source and forgot it would escape the rule.)
    /// </summary>
    IEnumerable<Commitments.Evidence> CitedSources();
}

/// <summary>A request whose one cited document is its source's (most writes: a report, a pledge, an assessment).</summary>
public interface ICitesItsSource : ICitesDocuments
{
    Commitments.Evidence Source { get; }

    IEnumerable<string?> ICitesDocuments.CitedDocuments() => [Source.DocumentKey];

    IEnumerable<Commitments.Evidence> ICitesDocuments.CitedSources() => [Source];
}
