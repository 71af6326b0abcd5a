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

/// <summary>
/// A request for a fact that happened on a day of its own (a pledge announced, a stage, a figure as of a date): the
/// document its source cites cannot have recorded it if published before that day.
/// </summary>
public interface IHappenedOnADay
{
    /// <summary>The day, and the request's field that gives it (as the JSON body spells it).</summary>
    (DateOnly? Day, string Field) Happened { get; }
}
