using System.Collections.Concurrent;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Domain.Documents;
using Tracker.Projections.Documents;
using Wolverine.Http;

namespace Tracker.Api.Documents;

/// <summary>
/// The document keys this process has seen registered, each with whether it was registered as primary. A registration is
/// permanent and never revised (there is no event that removes or changes a document), so a key found once is known on
/// every later write without a round trip; a key not found is looked up again each time, so a document registered on
/// another node is seen at once.
/// </summary>
public sealed class RegisteredDocuments
{
    private readonly ConcurrentDictionary<string, Registration> _known = new();

    public bool IsKnown(string key) => _known.ContainsKey(key);

    /// <summary>Whether a known document was registered as primary; null for a key not known here.</summary>
    public bool? PrimaryOf(string key) => _known.TryGetValue(key, out var known) ? known.Primary : null;

    /// <summary>What a known document's registration says; null for a key not known here.</summary>
    public Registration? Of(string key) => _known.TryGetValue(key, out var known) ? known : null;

    public void Remember(DocumentView document) => _known.TryAdd(document.Key, new Registration(document.Primary,
        document.PublishedOnInferred ? null : document.PublishedPrecision.LastDay(document.PublishedOn), document.Published));

    /// <summary>
    /// What the rules read of a registration: whether it is primary, the last day it can have been published (none when
    /// its date was inferred, not read from it: such a date bounds nothing), and its date as written.
    /// </summary>
    public sealed record Registration(bool Primary, DateOnly? PublishedBy, string Published);

    /// <summary>For tests that empty the database under a running host.</summary>
    public void Forget() => _known.Clear();
}

public static class DocumentChecks
{
    /// <summary>422 naming every referenced document key that is not registered; no problem when all are.</summary>
    public static async Task<ProblemDetails> AllRegistered(IQuerySession session, RegisteredDocuments registered,
        params string?[] keys)
    {
        var wanted = keys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => StreamIds.Normalise(k!)).Distinct()
            .Where(k => !registered.IsKnown(k)).ToList();
        if (wanted.Count == 0) return WolverineContinue.NoProblems;

        var found = await session.LoadManyAsync<DocumentView>(wanted.Select(StreamIds.ForDocument));
        foreach (var document in found) registered.Remember(document);
        var missing = wanted.Except(found.Select(d => d.Key)).ToList();
        return missing.Count == 0 ? WolverineContinue.NoProblems : NotRegistered(missing);
    }

    /// <summary>
    /// A source that cites a registered document says of it what its registration says: primary (an official text) or
    /// not (a secondary report). Until 2026-12-06 a news report registered as secondary could be cited as primary, and
    /// the timeline, the evidence lists and the exports repeated the contradiction. A source given by its address alone
    /// is the monitor's to judge. Call once every cited document is known (<see cref="AllRegistered"/>).
    /// </summary>
    public static RuleViolation? PrimaryRefusal(RegisteredDocuments registered, ICitesDocuments request) =>
        PrimaryRefusal(registered, request.CitedSources(), request is Evidence ? "primary" : "source.primary");

    private static RuleViolation? PrimaryRefusal(RegisteredDocuments registered, IEnumerable<Evidence> sources, string field) =>
        sources.Where(s => !string.IsNullOrWhiteSpace(s.DocumentKey))
            .Select(s => (Source: s, Key: StreamIds.Normalise(s.DocumentKey!)))
            .FirstOrDefault(s => registered.PrimaryOf(s.Key) is { } primary && primary != s.Source.Primary) is { Key: not null } differing
            ? PrimaryDiffers(differing.Key, !differing.Source.Primary, field)
            : null;

    /// <summary>
    /// A fact with a day of its own (a pledge announced, a stage, a reported figure) whose source cites a document
    /// published before that day: the text cannot record what happened after it (422 <c>dated-after-document</c>, as for a
    /// statement; until 2026-12-07 a disbursement of December 2024 could cite a communiqué of September 2024). A day
    /// before is a fact the text reports. Call once every cited document is known (<see cref="AllRegistered"/>).
    /// </summary>
    public static RuleViolation? DatedAfterRefusal(RegisteredDocuments registered, ICitesDocuments request)
    {
        if (request is not IHappenedOnADay { Happened: var happened } ||
            request.CitedSources().FirstOrDefault(s => !string.IsNullOrWhiteSpace(s.DocumentKey)) is not { DocumentKey: { } cited } source ||
            StreamIds.Normalise(cited) is var key && registered.Of(key) is not { PublishedBy: { } publishedBy } registration)
        {
            return null;
        }
        // The fact's own day, and the day its source says (source.on), which evidence and revisions were held to already
        // (until 2026-12-07 a pledge's source could say a day after its text).
        return happened.Day is { } day && day > publishedBy ? DatedAfter(happened.Field, day, key, registration.Published, "happened")
            : source.On is { } said && said > publishedBy ? DatedAfter("source.on", said, key, registration.Published, "happened")
            : null;
    }

    /// <summary>
    /// The decision, or, where it refuses nothing, the refusal of a day after the cited document: what no day would help
    /// (a withdrawn commitment, an unknown pledge) is said first, as for a revision (<see cref="Commitments.CitedDocument"/>).
    /// </summary>
    public static Decision DatedWithin(Decision decision, RegisteredDocuments registered, ICitesDocuments request) =>
        decision.Violation is null && DatedAfterRefusal(registered, request) is { } late ? late : decision;

    /// <summary>The same for a document read whole (the catalogue's import).</summary>
    public static RuleViolation? HappenedAfter(DocumentView document, DateOnly day, string field) =>
        !document.PublishedOnInferred && day > document.PublishedPrecision.LastDay(document.PublishedOn)
            ? DatedAfter(field, day, document.Key, document.Published, "happened")
            : null;

    private static RuleViolation DatedAfter(string field, DateOnly day, string key, string published, string what) =>
        new("dated-after-document",
            $"{field} {Wording.Date(day)} is after document '{key}' was published ({published}): a text " +
            $"cannot record what {what} after it. Give the day it {what}, or cite the document that records it.");

    /// <summary>The refusal of a source whose <c>primary</c> (the field named) differs from its document's registration.</summary>
    public static RuleViolation PrimaryDiffers(string key, bool registeredPrimary, string field) =>
        new("source-primary-differs",
            $"{field} is {(registeredPrimary ? "false" : "true")}, but document '{key}' is registered as " +
            (registeredPrimary ? "an official text (primary: true)" : "a secondary report (primary: false)") +
            ": a source citing it says the same. Cite it as registered, or give the source by its url.");

    /// <summary>
    /// A statement or restatement takes its document's date unless it gives its own; a document dated only to the month
    /// or year has no day to give, so the date must come from the request (nothing invents a day).
    /// </summary>
    public static RuleViolation? DayNeeded(DocumentView document, DateOnly? given, string field) =>
        given is not null || document.DayKnown
            ? null
            : new RuleViolation("document-day-unknown",
                $"Document '{document.Key}' is dated only to the {Wording.Name(document.PublishedPrecision)} ({document.Published}), " +
                $"so it gives no day: give '{field}', the day itself, if a source says it.");

    /// <summary>
    /// What a statement's or restatement's date must be beside its document: a day given where the document gives none
    /// (<see cref="DayNeeded"/>), and none after the document was published, whose text cannot record what was said after
    /// it (422 <c>dated-after-document</c>; until 2026-12-06 a commitment could be stated in a 2023 text on a day of 2026).
    /// A day before is a statement the text reports (made at a meeting the day before its communiqué). A document whose
    /// date was inferred, not read from it, bounds nothing.
    /// </summary>
    public static RuleViolation? DateRefusal(DocumentView document, DateOnly? given, string field) =>
        DayNeeded(document, given, field)
        ?? (given is { } day && !document.PublishedOnInferred && day > document.PublishedPrecision.LastDay(document.PublishedOn)
            ? DatedAfter(field, day, document.Key, document.Published, "was said")
            : null);

    /// <summary>The 422 naming the document keys that are not registered.</summary>
    public static ProblemDetails NotRegistered(IReadOnlyList<string> missing) => new()
    {
        Status = StatusCodes.Status422UnprocessableEntity,
        Type = ProblemTypes.UnknownDocument,
        Title = "A referenced source document is not registered",
        Detail = $"Register these documents first (POST /api/documents): {string.Join(", ", missing)}.",
        Extensions = { ["missingDocuments"] = missing }
    };
}
