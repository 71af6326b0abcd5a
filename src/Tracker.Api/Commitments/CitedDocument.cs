using Marten;
using Tracker.Api.Documents;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Documents;

namespace Tracker.Api.Commitments;

/// <summary>
/// The registered document a revision's source cites without a day of its own (`on`): a revision, like a restatement,
/// takes effect on its document's day unless it gives another (until 2026-12-05 it took the day it was recorded, however
/// old the document it cited). None when the source gives its day, or cites no document (a URL): then the day it is
/// recorded, as before.
/// </summary>
public sealed record CitedDocument(DocumentView? Undated)
{
    /// <summary>Read only for a source that cites a document and gives no day (registered: the shared workflow checked).</summary>
    public static async Task<CitedDocument> LoadAsync(Evidence source, IQuerySession session, CancellationToken token) =>
        new(source is { On: null, DocumentKey: { } key }
            ? await session.LoadAsync<DocumentView>(StreamIds.ForDocument(key), token)
            : null);

    /// <summary>
    /// The source with its document's day; or, for a document dated only to its month or year, the rule that asks for the
    /// day (nothing invents one).
    /// </summary>
    public (Evidence Source, RuleViolation? DayNeeded) Dating(Evidence source) =>
        source.On is not null || Undated is not { } document ? (source, null)
        : DocumentChecks.DayNeeded(document, null, "source.on") is { } undated ? (source, undated)
        : (source with { On = document.PublishedOn }, null);

    /// <summary>
    /// When the day is needed: what the rules refuse whatever the day (a withdrawn commitment, an unknown pledge, another
    /// currency), decided with the source as it came, before asking for a day that would not help.
    /// </summary>
    public static Decision Refusal(Decision undated, RuleViolation dayNeeded) =>
        undated.Violation is { } violation ? violation : dayNeeded;
}
