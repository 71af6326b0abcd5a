using Tracker.Domain.Documents;
using Marten;
using Tracker.Api.Documents;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Documents;

namespace Tracker.Api.Commitments;

/// <summary>
/// The registered document a source cites (a revision's, a pledge revision's, a piece of evidence's): a fact dated by its
/// source takes effect on its document's day unless it gives another (until 2026-12-05 it took the day it was recorded,
/// however old the document it cited), and a day it gives is not after the document was published. None when the source
/// cites no document (a URL): then the day it gives, or the day it is recorded.
/// </summary>
public sealed record CitedDocument(DocumentView? Document)
{
    /// <summary>Read for a source that cites a document (registered: the shared workflow checked).</summary>
    public static async Task<CitedDocument> LoadAsync(Evidence source, IQuerySession session, CancellationToken token) =>
        new(source is { DocumentKey: { } key }
            ? await session.LoadAsync<DocumentView>(StreamIds.ForDocument(key), token)
            : null);

    /// <summary>
    /// The source with its document's day; or, for a document dated only to its month or year, the rule that asks for the
    /// day (nothing invents one); or, for a day given after the document was published, the rule that a text cannot
    /// record what happened after it (until 2026-12-06 a 2021 communiqué could extend a deadline from July 2022, and an
    /// achievement late by the dates read as on time).
    /// </summary>
    public (Evidence Source, RuleViolation? DayNeeded) Dating(Evidence source, string field = "source.on") =>
        Document is not { } document ? (source, null)
        : source.On is { } on ? (source, DocumentChecks.DateRefusal(document, on, field))
        : DocumentChecks.DayNeeded(document, null, field) is { } undated ? (source, undated)
        : (source with { On = document.PublishedOn }, null);

    /// <summary>
    /// Evidence without a day of its own: its document's day; from a document dated only to its month or year (a month
    /// inferred rather than read from the document too), the last day of that month or year once it has passed, the
    /// latest its text can speak of, and the same whenever and wherever it is recorded (a catalogue loaded again matches
    /// it); from a URL, or a document whose month or year has not ended yet, none: the day it is recorded. Until
    /// 2026-12-08 evidence from a month's or a year's document always took the day it was recorded, a day the rules
    /// refuse when given (the text cannot record what came after it), and a catalogue's such evidence took effect on the
    /// day each deployment loaded it.
    /// </summary>
    public Evidence EvidenceDated(Evidence evidence, DateOnly today) =>
        evidence.On is not null || Document is not { } document ? evidence
        : document.DayKnown ? evidence with { On = document.PublishedOn }
        : document.PublishedPrecision.LastDay(document.PublishedOn) is var last && last < today ? evidence with { On = last }
        : evidence;

    /// <summary>
    /// When the day is needed: what the rules refuse whatever the day (a withdrawn commitment, an unknown pledge, another
    /// currency), decided with the source as it came, before asking for a day that would not help.
    /// </summary>
    public static Decision Refusal(Decision undated, RuleViolation dayNeeded) =>
        undated.Violation is { } violation ? violation : dayNeeded;
}
