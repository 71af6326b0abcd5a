using FluentValidation;
using JasperFx.Events;
using Marten;
using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Api.Commitments;
using Tracker.Api.Documents;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Domain.Documents;
using Tracker.Projections.Commitments;
using Tracker.Projections.Documents;
using Wolverine;
using Tracker.Api.Commitments.Assessing;
using Tracker.Api.Commitments.Stating;
using Tracker.Api.Commitments.Reporting;

namespace Tracker.Api.Catalogue;

/// <summary>
/// What an import did, and what it could not do: each commitment already in the log that it changed, with the events
/// each entry's part recorded (<see cref="Changes"/>), and each difference from the log it did not record (a warning).
/// </summary>
public sealed record ImportReport(string Catalogue, int DocumentsRegistered, int CommitmentsStated, int EventsAppended,
    IReadOnlyList<string> Failures, IReadOnlyList<string> Warnings, IReadOnlyList<string> Changes)
{
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>
/// Turns a catalogue into events through the same validators and domain decisions as the API, with the documents'
/// historical dates as the effective dates. Idempotent: what the log already holds is not appended again. A catalogue
/// entry changed later is applied as new events (a revision, a correction and a new report), never as a rewrite.
/// </summary>
public sealed class CatalogueImporter(IDocumentStore store, NpgsqlDataSource database, IServiceScopeFactory scopes,
    IServiceProvider services, TimeProvider clock, ILogger<CatalogueImporter> logger, ILoggerFactory loggers,
    Microsoft.Extensions.Options.IOptions<Commitments.LedgerOptions> ledger)
{
    public const string Actor = "catalogue-import";

    /// <summary>
    /// The log category of an import's report (its failures and warnings), apart from the importer's own lines: the import
    /// command prints the report itself and leaves this category out.
    /// </summary>
    public const string ReportCategory = "Tracker.Api.Catalogue.CatalogueReport";

    private readonly ILogger _report = loggers.CreateLogger(ReportCategory);

    /// <summary>
    /// Commitments written per transaction: one commit (and one flush to disk) for many commitments, instead of one each,
    /// is what makes a large import fast.
    /// </summary>
    public const int CommitmentsPerTransaction = 100;

    /// <param name="run">The run this file is part of (<see cref="CatalogueRun"/>); a run of this file alone by default.</param>
    public async Task<ImportReport> Import(CatalogueFile catalogue, CancellationToken token, CatalogueRun? run = null)
    {
        run ??= CatalogueRun.Of(catalogue);
        var failures = new List<string>();
        var warnings = new List<string>();
        var changes = new List<string>();
        var documents = 0;
        var stated = 0;
        var appended = 0;

        // A key listed twice is named, and only its first entry is imported: the two would otherwise be reconciled with
        // each other on every run, each undoing the other.
        var documentsToImport = FirstOfEachKey(catalogue.Documents, d => d.Key, "document", failures);
        var commitmentsToImport = FirstOfEachKey(catalogue.Commitments, c => c.Key, "commitment", failures);
        // Listed in an earlier file of the same catalogue in this run: imported from there.
        var earlier = run.ListedBefore(catalogue);
        foreach (var listed in commitmentsToImport.Where(l => earlier.Contains(StreamIds.Normalise(l.Entry.Key?.Trim() ?? ""))).ToList())
        {
            failures.Add($"{listed.Named}: listed in an earlier file of the catalogue '{catalogue.Name}' too; only the first is imported.");
            commitmentsToImport.Remove(listed);
        }

        foreach (var (document, named) in documentsToImport)
        {
            try
            {
                if (await RegisterDocument(catalogue, document, warnings, token)) { documents++; appended++; }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add($"{named}: {e.Message}");
            }
        }

        foreach (var batch in commitmentsToImport.Chunk(CommitmentsPerTransaction))
        {
            var imported = await ImportBatch(catalogue, batch, failures, warnings, changes, token);
            stated += imported.Stated;
            appended += imported.Appended;
        }
        if (run.AsksWhatIsNoLongerListed(catalogue)) warnings.AddRange(await NoLongerListed(catalogue, run.Listed(catalogue), token));

        foreach (var failure in failures) _report.LogError("Catalogue {Catalogue}: {Failure}", catalogue.Name, failure);
        foreach (var warning in warnings) _report.LogWarning("Catalogue {Catalogue}: {Warning}", catalogue.Name, warning);
        foreach (var change in changes) _report.LogInformation("Catalogue {Catalogue}: changed {Change}", catalogue.Name, change);
        return new ImportReport(catalogue.Name, documents, stated, appended, failures, warnings, changes);
    }

    /// <summary>
    /// The commitments this catalogue stated (its import's correlation id, from its name) that neither the file nor another
    /// file of the run under the same name lists: an import does not take a commitment out of the log (there is no event
    /// for it), so each is said. A file of documents alone asks nothing. One read of the log's statements, which scans the
    /// log (an administrator's batch, not a request).
    /// </summary>
    private async Task<IReadOnlyList<string>> NoLongerListed(CatalogueFile catalogue, IReadOnlySet<string> listed,
        CancellationToken token)
    {
        if (listed.Count == 0) return [];
        // A commitment assessed withdrawn since is taken as the answer (until 2026-12-07 it was said on every import).
        await using var command = database.CreateCommand(
            $"select e.data ->> 'Key' from {TrackerDatabase.Schema}.mt_events e " +
            $"left join {TrackerDatabase.Schema}.mt_doc_commitmentprogress p on p.id = e.stream_id " +
            "where e.type = 'commitment_stated' and e.user_name = $1 and e.correlation_id = $2 " +
            "and coalesce(p.data ->> 'Status', '') <> 'Withdrawn' order by e.seq_id");
        command.Parameters.AddWithValue(Actor);
        command.Parameters.AddWithValue(catalogue.CorrelationId);
        var unlisted = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token))
        {
            if (!reader.IsDBNull(0) && reader.GetString(0) is var key && !listed.Contains(key))
            {
                unlisted.Add($"commitment {key} was stated by this catalogue and the file no longer lists it; an import takes " +
                             "nothing out of the log, so it stands (assess it withdrawn through the API if it no longer holds, and this is said no more).");
            }
        }
        return unlisted;
    }

    /// <summary>
    /// Each key's first entry, with the name a failure gives it: its key, or its place in the list where its key is blank
    /// ("document entry 3": until 2026-12-06 "document : ...", which said neither).
    /// </summary>
    private static List<Listed<T>> FirstOfEachKey<T>(IEnumerable<T> entries, Func<T, string?> key, string what, List<string> failures)
    {
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var first = new List<Listed<T>>();
        var place = 0;
        foreach (var entry in entries)
        {
            place++;
            // Said so, and the rest imported (until 2026-12-06 a null entry ended the import with a stack trace).
            if (entry is null)
            {
                failures.Add($"{what} entry {place} is null; give it or leave it out.");
                continue;
            }
            var k = key(entry)?.Trim() ?? "";
            if (k.Length > 0 && !seen.TryAdd(k, place))
            {
                failures.Add($"{what} {k}: listed again as entry {place} (first as entry {seen[k]}); only the first is imported.");
                continue;
            }
            first.Add(new(entry, k.Length > 0 ? $"{what} {k}" : $"{what} entry {place}"));
        }
        return first;
    }

    /// <summary>An entry of the catalogue's lists, and how a failure names it.</summary>
    private sealed record Listed<T>(T Entry, string Named);

    private IDocumentSession OpenSession(CatalogueFile catalogue)
    {
        var session = store.LightweightSession();
        session.LastModifiedBy = Actor;
        session.CorrelationId = catalogue.CorrelationId;
        // Caused by no write (not by the trace the import runs in, which telemetry would otherwise record as its cause).
        session.CausationId = null;
        return session;
    }

    private async Task<bool> RegisterDocument(CatalogueFile catalogue, CatalogueDocument d, List<string> warnings,
        CancellationToken token)
    {
        var request = new RegisterDocument(d.Key, d.Title, d.PublishedOn, d.Venue, d.Kind, d.Url, d.Primary,
            d.PublishedPrecision, d.PublishedOnInferred);
        await Validate(request, "", token);

        await using var session = OpenSession(catalogue);
        var id = StreamIds.ForDocument(d.Key);
        if (await session.LoadAsync<DocumentView>(id, token) is { } existing)
        {
            var differing = new (string Field, bool Differs)[]
            {
                ("title", existing.Title != d.Title), ("publishedOn", existing.PublishedOn != d.PublishedOn),
                ("venue", existing.Venue != d.Venue), ("kind", existing.Kind != d.Kind), ("url", existing.Url != d.Url),
                ("primary", existing.Primary != d.Primary), ("publishedPrecision", existing.PublishedPrecision != d.PublishedPrecision),
                ("publishedOnInferred", existing.PublishedOnInferred != d.PublishedOnInferred)
            }.Where(f => f.Differs).Select(f => f.Field).ToList();
            if (differing.Count > 0)
            {
                warnings.Add($"document {d.Key} differs from the one registered ({string.Join(", ", differing)}); documents have no " +
                             "revision event yet, so the registered one stands.");
            }
            return false;
        }

        session.Events.StartStream<DocumentView>(id, new SourceDocumentRegistered(StreamIds.Normalise(d.Key), d.Title,
            d.PublishedOn, d.Venue, d.Kind, d.Url, d.Primary, d.PublishedPrecision, d.PublishedOnInferred));
        await session.SaveChangesAsync(token);
        return true;
    }

    /// <summary>
    /// Writes a batch of commitments in one transaction. An entry the rules or validators refuse is named and left out
    /// while the rest go on; when the transaction itself fails (another writer got there first, say), nothing of it was
    /// written, and each entry is written again on its own so the others land and the failing one is named.
    /// </summary>
    private async Task<(int Stated, int Appended)> ImportBatch(CatalogueFile catalogue, Listed<CatalogueCommitment>[] batch,
        List<string> failures, List<string> warnings, List<string> changes, CancellationToken token, bool stagedAgain = false)
    {
        var batchFailures = new List<string>();
        var batchWarnings = new List<string>();
        var staged = new List<Staged>();
        try
        {
            // One transaction, one time for all its events: a past as recorded shows the batch whole or not at all.
            using var oneInstant = EventStamps.OneInstant();
            await using var session = OpenSession(catalogue);
            var known = await Known(session, [.. batch.Select(listed => listed.Entry)], token);
            foreach (var (entry, named) in batch)
            {
                try
                {
                    if (await Stage(session, known, catalogue, entry, batchWarnings, token) is { } one) staged.Add(one);
                }
                catch (Exception e) when (e is InvalidDataException or ValidationException)
                {
                    batchFailures.Add($"{named}: {e.Message}");
                }
            }
            // The new commitments' names, claimed together and sorted (as a request claims its own), so the batch and a
            // request naming the same names take them in one order. A name spelled otherwise fails the batch, which is
            // then written entry by entry, where the entry it belongs to is named.
            if (staged.SelectMany(x => x.Names).ToList() is { Count: > 0 } names &&
                await NameSpellings.ClaimAsync(session, names, token) is { } spelledOtherwise)
            {
                throw new InvalidDataException(spelledOtherwise.Message);
            }
            // The events' time, fixed now that every stream is locked: the day the entries were decided on must be its day
            // (an undated fact takes effect on the day it is recorded), or the batch is decided again on the new day.
            var stampedOn = DateOnly.FromDateTime(EventStamps.HoldNow(clock).UtcDateTime);
            if (staged.Any(x => x.Today != stampedOn)) throw new StagedOnAnotherDay();
            await session.SaveChangesAsync(token);
        }
        catch (StagedOnAnotherDay) when (!stagedAgain)
        {
            return await ImportBatch(catalogue, batch, failures, warnings, changes, token, stagedAgain: true);
        }
        catch (Exception e) when (e is not OperationCanceledException && batch.Length > 1)
        {
            // An entry the rules refuse is named in the report once written alone: its message here, not a stack trace
            // (until 2026-12-07 the import's output carried one); anything else keeps its exception for the operator.
            if (e is InvalidDataException)
                logger.LogWarning("Catalogue {Catalogue}: a batch of {Count} commitments failed ({Reason}); writing them one by one",
                    catalogue.Name, batch.Length, e.Message);
            // A writer beside the import (the API creating one of its keys) took something first: a race, not a fault, and
            // each entry's own outcome is reported once written alone (until 2026-12-08 with a stack trace of 3,500 characters).
            else if (Infrastructure.OutageLogs.LostRaceIn(e) is { } race)
                logger.LogWarning("Catalogue {Catalogue}: a batch of {Count} commitments met another writer ({Race}); writing them one by one",
                    catalogue.Name, batch.Length, race);
            else
                logger.LogWarning(e, "Catalogue {Catalogue}: a batch of {Count} commitments failed; writing them one by one", catalogue.Name, batch.Length);
            var stated = 0;
            var appended = 0;
            foreach (var entry in batch)
            {
                var one = await ImportBatch(catalogue, [entry], failures, warnings, changes, token);
                stated += one.Stated;
                appended += one.Appended;
            }
            return (stated, appended);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failures.Add($"{batch[0].Named}: {e.Message}");
            return (0, 0);
        }

        failures.AddRange(batchFailures);
        warnings.AddRange(batchWarnings);
        changes.AddRange(staged.Select(x => x.Change).OfType<string>());
        await ScheduleDeadlineChecks(catalogue, staged);
        return (staged.Count(x => x.Before is null), staged.Sum(x => x.Events));
    }

    /// <summary>
    /// A commitment's new events, appended to the batch's session and not yet written; for one already in the log, what
    /// changed in it ("commitment k: progress[0]: progress-report-retracted, progress-reported").
    /// </summary>
    private sealed record Staged(CommitmentState? Before, CommitmentState After, int Events, IReadOnlyList<(string, string)> Names,
        DateOnly Today, string? Change);

    /// <summary>The day (UTC) turned between deciding a batch's entries and stamping their events.</summary>
    private sealed class StagedOnAnotherDay : Exception;

    // Not in the events' transaction (the importer also runs from the command line, outside a request); a check that is
    // lost this way is scheduled again the next time the due date changes.
    private async Task ScheduleDeadlineChecks(CatalogueFile catalogue, IReadOnlyList<Staged> staged)
    {
        using var scope = scopes.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageContext>();
        // The import's correlation id, which the passings these checks record name as their cause.
        bus.CorrelationId = catalogue.CorrelationId;
        foreach (var commitment in staged)
        {
            foreach (var check in CheckDeadline.WhenItMayFallDue(commitment.Before, commitment.After).OfType<DeliveryMessage<CheckDeadline>>())
            {
                await bus.ScheduleAsync(check.Message, PassDeadline.CheckAt(commitment.After, check.Message.DueBy));
            }
        }
    }

    /// <summary>What a batch needs to know before it decides: the documents its entries cite, and which commitments exist.</summary>
    private sealed record BatchKnowledge(IReadOnlyDictionary<string, DocumentView> Documents, IReadOnlySet<Guid> ExistingCommitments);

    private static IEnumerable<string> Referenced(CatalogueCommitment c) => Citing(c).Select(x => x.Key);

    /// <summary>Each document key an entry cites, with the field that cites it.</summary>
    private static IEnumerable<(string Key, string Field)> Citing(CatalogueCommitment c) =>
        new (string? DocumentKey, string Field)[] { (c.StatedIn?.DocumentKey, "statedIn.documentKey") }
        .Concat((c.Restatements ?? []).Select((r, i) => (r?.RestatedIn?.DocumentKey, $"restatements[{i}].restatedIn.documentKey")))
        .Concat((c.Progress ?? []).Select((p, i) => (p?.Source?.DocumentKey, $"progress[{i}].source.documentKey")))
        .Concat((c.Assessments ?? []).Select((a, i) => (a?.Source?.DocumentKey, $"assessments[{i}].source.documentKey")))
        .Concat((c.Evidence ?? []).Select((e, i) => (e?.DocumentKey, $"evidence[{i}].documentKey")))
        .Where(x => !string.IsNullOrWhiteSpace(x.Item1))
        .Select(x => (StreamIds.Normalise(x.Item1!), x.Item2));

    /// <summary>Two queries for the whole batch instead of two or three per commitment.</summary>
    private async Task<BatchKnowledge> Known(IDocumentSession session, CatalogueCommitment[] batch, CancellationToken token)
    {
        var keys = batch.SelectMany(Referenced).Distinct().ToList();
        var documents = await session.LoadManyAsync<DocumentView>(token, keys.Select(StreamIds.ForDocument));
        await using var command = database.CreateCommand($"select id from {TrackerDatabase.Schema}.mt_streams where id = any($1)");
        command.Parameters.AddWithValue(batch.Select(c => StreamIds.ForCommitment(c.Key)).ToArray());
        var existing = new HashSet<Guid>();
        await using (var reader = await command.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token)) existing.Add(reader.GetGuid(0));
        }
        return new BatchKnowledge(documents.ToDictionary(d => d.Key), existing);
    }

    private async Task<Staged?> Stage(IDocumentSession session, BatchKnowledge known, CatalogueFile catalogue,
        CatalogueCommitment c, List<string> warnings, CancellationToken token)
    {
        await CheckEntry(c, token);

        // Each named with the fields citing it (until 2026-12-07 the keys alone, which left the file's reader to search).
        var missing = Citing(c).Where(x => !known.Documents.ContainsKey(x.Key)).GroupBy(x => x.Key).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException(string.Join("; ", missing.Select(m =>
                $"{string.Join(", ", m.Select(x => x.Field))} {(m.Count() == 1 ? "cites" : "cite")} document {m.Key}, which is not registered")) +
                ": list it in the catalogue's documents or register it first (POST /api/documents).");
        }

        DocumentView Document(string key) => known.Documents[StreamIds.Normalise(key)];

        // Without a day of its own, evidence takes the day the API's evidence would (CitedDocument.EvidenceDated): its
        // document's day (until 2026-12-07 the import's day: evidence from a 2023 declaration took effect on the day of
        // the import), or, from a document dated to its month or year, that month's or year's last day (until 2026-12-08
        // the import's day, so each deployment's seed had its own history as effective).
        Evidence DatedByItsDocument(Evidence evidence) =>
            evidence.DocumentKey is { Length: > 0 } cited && known.Documents.TryGetValue(StreamIds.Normalise(cited), out var document)
                ? new Commitments.CitedDocument(document).EvidenceDated(evidence, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime))
                : evidence;

        // A source citing a registered document says what the registration says of it, as a request's source must: checked
        // where a fact is about to be recorded, so a catalogue recorded before the rule imports again as it did (what it
        // recorded stands; a corrected flag would record the evidence a second time).
        void SaysAsRegistered(CatalogueSource source, string at)
        {
            if (SaysOtherwise(source, at) is { } differs) throw new InvalidDataException(differs);
        }
        // A fact recorded before the rule stands as recorded, and is said to say otherwise (a warning).
        void RecordedSayingOtherwise(CatalogueSource source, string at)
        {
            if (SaysOtherwise(source, at) is { } differs)
                warnings.Add($"commitment {c.Key}: {differs} It was recorded so before 2026-12-06 and stands; retract it to correct it.");
        }
        string? SaysOtherwise(CatalogueSource source, string at) =>
            source.DocumentKey is { Length: > 0 } cited && Document(cited) is var document && document.Primary != source.Primary
                ? DocumentChecks.PrimaryDiffers(document.Key, document.Primary, $"{at}.primary").Message
                : null;

        // A commitment that did not exist when the batch began is started without a lock: if another writer starts it
        // meanwhile, the batch's transaction fails on the duplicate stream and each entry is written again on its own.
        var id = StreamIds.ForCommitment(c.Key);
        var stream = known.ExistingCommitments.Contains(id)
            ? await session.Events.FetchForExclusiveWriting<CommitmentProgress>(id, token)
            : null;
        var before = stream?.Aggregate?.State;
        var decisions = new List<Decision>();

        // Reconciling a catalogue entry with the log compares every report, assessment and piece of evidence, so the
        // import reads the whole stream (an administrator's batch, not a request): the decision state to decide with,
        // each event by version for the retractions a changed figure needs, and what the catalogue itself recorded to
        // compare against. Only a change of the catalogue is appended: a monitor's revision, retraction or report since
        // is theirs, and importing the same catalogue again neither undoes it nor records again what they retracted.
        var recorded = new List<object>();
        // The day each fact took effect, by version: which of the catalogue's targets and deadlines it put in force last.
        var tookEffect = new Dictionary<int, DateOnly>();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        Commitment full;
        Commitment byCatalogue;
        CommitmentState state;
        if (before is null)
        {
            if (DocumentChecks.DateRefusal(Document(c.StatedIn.DocumentKey), c.StatedOn, "statedOn") is { } undated)
            {
                throw new InvalidDataException(undated.Message);
            }
            var statedOn = c.StatedOn ?? Document(c.StatedIn.DocumentKey).PublishedOn;
            var statement = new CommitmentStated(StreamIds.Normalise(c.Key), c.Title, c.Kind, c.LineOfEffort, c.Actors,
                c.Target, c.Deadline, c.StatedIn with { DocumentKey = StreamIds.Normalise(c.StatedIn.DocumentKey) }, statedOn,
                ledger.Value.ForStatement(c.LedgerCurrency, c.Target));
            decisions.Add(Required(StateCommitment.Decide(statement)));
            state = CommitmentState.Stated(statement) with { Id = id };
            full = Commitment.Create(statement) with { Id = id };
            byCatalogue = full;
            recorded.Add(statement);
            tookEffect[1] = statedOn;
        }
        else
        {
            state = before;
            Commitment? folded = null;
            Commitment? catalogued = null;
            foreach (var e in await session.Events.FetchStreamAsync(id, token: token))
            {
                folded = CommitmentReplay.Step(folded, id, e);
                // The statement starts the catalogue's record whoever stated it; after it, the catalogue's own facts.
                // (Stepped at the event's own version, so the versions it keeps name the log's events.)
                if (catalogued is null) catalogued = CommitmentReplay.Step(null, id, e);
                // (This catalogue's, by its import's correlation id, not another catalogue's sharing the key: until
                // 2026-12-07 two catalogues listing one commitment otherwise undid each other on every import.)
                else if (e.UserName == Actor && e.CorrelationId == catalogue.CorrelationId)
                    catalogued = (catalogued with { Version = (int)e.Version - 1 }).After(e.Data);
                recorded.Add(e.Data);
                tookEffect[(int)e.Version] = e.Data is CommitmentStated stated
                    ? stated.StatedOn
                    : TrackedEvents.EffectiveOn(e.Data, CommitmentProgressProjection.RecordedOn(e)) ?? CommitmentProgressProjection.RecordedOn(e);
            }
            full = folded!;
            byCatalogue = catalogued!;
            // Each field that differs named, with both values (until 2026-12-07 "title, kind, line of effort or actors").
            var differs = new[]
            {
                full.Title != c.Title ? $"title '{c.Title}' (the log: '{full.Title}')" : null,
                full.Kind != c.Kind ? $"kind {Wording.Name(c.Kind)} (the log: {Wording.Name(full.Kind)})" : null,
                full.LineOfEffort != c.LineOfEffort ? $"line of effort '{c.LineOfEffort}' (the log: '{full.LineOfEffort}')" : null,
                !full.Actors.SequenceEqual(c.Actors) ? $"actors {string.Join(", ", c.Actors)} (the log: {string.Join(", ", full.Actors)})" : null,
                // The statement's own words and place (until 2026-12-07 a changed quote or paragraph was left out without a word).
                StreamIds.Normalise(full.StatedIn.DocumentKey) != StreamIds.Normalise(c.StatedIn.DocumentKey)
                    ? $"statedIn.documentKey {StreamIds.Normalise(c.StatedIn.DocumentKey)} (the log: {full.StatedIn.DocumentKey})" : null,
                full.StatedIn.Paragraph != c.StatedIn.Paragraph
                    ? $"statedIn.paragraph {c.StatedIn.Paragraph ?? "none"} (the log: {full.StatedIn.Paragraph ?? "none"})" : null,
                full.StatedIn.Quote != c.StatedIn.Quote ? $"statedIn.quote {Differing(c.StatedIn.Quote, full.StatedIn.Quote)}" : null,
                c.StatedOn is { } statedOn && statedOn != full.StatedOn
                    ? $"statedOn {statedOn:yyyy-MM-dd} (the log: {full.StatedOn:yyyy-MM-dd})" : null
            }.OfType<string>().ToList();
            if (differs.Count > 0)
            {
                warnings.Add($"commitment {c.Key} differs from the log in its {string.Join("; its ", differs)}; there is no event to change " +
                             "these yet, so the log stands.");
            }
            // Named at the statement only, and only where the catalogue names one: one left out keeps what the log has. The
            // entry is held to the statement's rule first (a fresh import of the same file would refuse it), then compared
            // with what its statement counts money in (a money target's currency, else the one named, else the default).
            if (StateCommitment.LedgerFitsTarget(c.Target, c.LedgerCurrency) is { } contradicts) Required(contradicts);
            var statement = (CommitmentStated)recorded[0];
            // (Nor where a monitor has named the same since: the log counts in it already.)
            if (c.LedgerCurrency is { } named && CommitmentState.LedgerCurrencyOf(statement.Target, statement.LedgerCurrency) is var counted &&
                named != counted && named != state.NamedLedger)
            {
                warnings.Add($"commitment {c.Key}: ledgerCurrency {named} differs from the {counted} its statement counts money in; " +
                             "a statement's ledger currency is named once, so the log stands.");
            }
        }

        // What each part of the entry recorded, for the report of a commitment already in the log.
        var changed = new List<(string At, List<string> Events)>();
        CommitmentState Apply(Decision decision, string at)
        {
            decisions.Add(Required(decision));
            if (decision.Events.Count > 0)
            {
                if (changed.Count == 0 || changed[^1].At != at) changed.Add((at, []));
                changed[^1].Events.AddRange(decision.Events.Select(EventNames.Of));
            }
            foreach (var e in decision.Events)
            {
                full = full.After(e);
                byCatalogue = (byCatalogue with { Version = full.Version - 1 }).After(e);
                recorded.Add(e);
                tookEffect[full.Version] = TrackedEvents.EffectiveOn(e, today) ?? today;
            }
            return decision.Events.Aggregate(state, (s, e) => s.After(e, recordedOn: today));
        }

        // A fact of the catalogue's that a monitor retracted since: the version that retracted it. The import does not record
        // it again, and says so while the file still lists it and nothing standing says the same (until 2026-12-07 it was
        // passed over without a word, and a difference in such a fact was said on every import, even once the monitor
        // had retracted it and recorded the file's).
        int? RetractedAt(int version) => full.Corrections.LastOrDefault(x => x.CorrectedVersion == version)?.Version;
        void NotRecordedAgain(string at, string what, int version) =>
            warnings.Add($"commitment {c.Key}: {at} is not recorded: the catalogue recorded {what} at version {version}, which was " +
                         $"retracted at version {RetractedAt(version)}, and an import does not record again what was retracted; " +
                         "record it through the API if it holds, or leave it out of the file.");

        foreach (var (r, at) in (c.Restatements ?? []).Select((r, i) => (r, $"restatements[{i}]")))
        {
            var key = StreamIds.Normalise(r.RestatedIn.DocumentKey);
            // Recorded by the catalogue before (and retracted since by a monitor, whose correction stands): one restatement in
            // a document, so a file that now says it otherwise is told so (until 2026-12-07 without a word).
            if (byCatalogue.Restatements.LastOrDefault(x => x.RestatedIn.DocumentKey == key) is { } recordedBefore)
            {
                if (RetractedAt(recordedBefore.Version) is not null)
                {
                    // Restated there again since (a monitor's, after the retraction): theirs stands.
                    if (!full.Restatements.Any(x => x.RestatedIn.DocumentKey == key)) NotRecordedAgain(at, $"the restatement in {key}", recordedBefore.Version);
                    continue;
                }
                var otherwise = new[]
                {
                    recordedBefore.RestatedIn.Paragraph != r.RestatedIn.Paragraph
                        ? $"paragraph {r.RestatedIn.Paragraph ?? "none"} (the log: {recordedBefore.RestatedIn.Paragraph ?? "none"})" : null,
                    recordedBefore.RestatedIn.Quote != r.RestatedIn.Quote ? $"quote {Differing(r.RestatedIn.Quote, recordedBefore.RestatedIn.Quote)}" : null,
                    r.RestatedOn is { } restatedOn && restatedOn != recordedBefore.RestatedOn
                        ? $"restatedOn {restatedOn:yyyy-MM-dd} (the log: {recordedBefore.RestatedOn:yyyy-MM-dd})" : null,
                    recordedBefore.Note != r.Note ? $"note {Differing(r.Note, recordedBefore.Note)}" : null
                }.OfType<string>().ToList();
                if (otherwise.Count > 0)
                {
                    warnings.Add($"commitment {c.Key}: {at} differs from the restatement in {key} the catalogue recorded (version " +
                                 $"{recordedBefore.Version}) in its {string.Join("; its ", otherwise)}; a document restates a commitment " +
                                 "once, so the log stands: retract it and record the file's through the API to change it.");
                }
                continue;
            }
            // Restated in that document by a monitor: theirs stands, and where the catalogue says it otherwise, that is said
            // (until 2026-12-06 the catalogue's was left out without a word).
            if (full.Restatements.FirstOrDefault(x => x.RestatedIn.DocumentKey == key) is { } standing)
            {
                if (standing.RestatedIn with { DocumentKey = key } != r.RestatedIn with { DocumentKey = key } ||
                    standing.RestatedOn != (r.RestatedOn ?? standing.RestatedOn) || standing.Note != r.Note ||
                    r.NewTarget is not null || r.NewDeadline is not null)
                {
                    warnings.Add($"commitment {c.Key}: {at} is not recorded: the commitment is restated in {key} already " +
                                 $"(version {standing.Version}, paragraph {standing.RestatedIn.Paragraph ?? "none"}), which stands; " +
                                 "retract that restatement to record the catalogue's.");
                }
                continue;
            }
            if (DocumentChecks.DateRefusal(Document(key), r.RestatedOn, $"{at}.restatedOn") is { } undated)
            {
                throw new InvalidDataException(undated.Message);
            }
            var on = r.RestatedOn ?? Document(key).PublishedOn;
            state = Apply(RestateCommitment.Decide(state,
                new CommitmentRestated(r.RestatedIn with { DocumentKey = key }, on, r.NewTarget, r.NewDeadline, r.Note)), at);
        }

        // The catalogue's current target and deadline: the stated ones, as the restatement that took effect last changed
        // them (by its day, then its place in the catalogue), as the state decides which is in force; not the one listed last.
        var restatedInOrder = (c.Restatements ?? [])
            .Select((r, place) => (Restatement: r, place, On: r.RestatedOn ?? Document(StreamIds.Normalise(r.RestatedIn.DocumentKey)).PublishedOn))
            .OrderBy(r => r.On).ThenBy(r => r.place).Select(r => r.Restatement).ToList();
        var target = restatedInOrder.Select(r => r.NewTarget).LastOrDefault(t => t is not null) ?? c.Target;
        var deadline = restatedInOrder.Select(r => r.NewDeadline).LastOrDefault(d => d is not null) ?? c.Deadline;
        // The catalogue is the tracker's own record, not an official text: a secondary source (until 2026-12-07 it was called
        // primary, in the history and the exports).
        var why = new Evidence(null, null, false, null, $"The catalogue '{catalogue.Name}' was revised.");
        // Changed in the catalogue since it last recorded them, and not already in force (a monitor may have recorded the
        // same change).
        // A change of the catalogue: one it has not recorded (its restatements listed out of date order recorded each of
        // theirs), not the one in force, and not recorded by anyone since its last (a monitor may have recorded the same
        // change and revised it again after: the catalogue's change is then in the log already).
        // What the catalogue's own facts put in force last is what it said at its last import: a catalogue that goes back
        // to an earlier target (a change undone) is a change again.
        (DateOnly, int) InForceOrder(int version) => (tookEffect.GetValueOrDefault(version), version);
        var catalogueTarget = byCatalogue.Targets.MaxBy(t => InForceOrder(t.Version));
        var catalogueDeadline = byCatalogue.Deadlines.MaxBy(d => InForceOrder(d.Version));
        var catalogueTargetAt = byCatalogue.Targets.Count == 0 ? 0 : byCatalogue.Targets[^1].Version;
        var catalogueDeadlineAt = byCatalogue.Deadlines.Count == 0 ? 0 : byCatalogue.Deadlines[^1].Version;
        var newTarget = target is not null && !SameTarget(target, catalogueTarget?.Target) && !SameTarget(target, state.Target) &&
                        !full.Targets.Any(t => t.Version > catalogueTargetAt && SameTarget(t.Target, target)) ? target : null;
        var newDeadline = deadline is not null && deadline != catalogueDeadline?.Deadline && deadline != state.Deadline &&
                          !full.Deadlines.Any(d => d.Version > catalogueDeadlineAt && d.Deadline == deadline) ? deadline : null;
        if (newTarget is not null || newDeadline is not null)
        {
            state = Apply(ReviseCommitment.Decide(state, newTarget, newDeadline, "catalogue entry revised", why),
                newTarget is null ? "deadline" : newDeadline is null ? "target" : "target and deadline");
        }
        // A target or deadline the file no longer gives is not taken away: no event withdraws one (until 2026-12-07 said by
        // nothing).
        if (target is null && catalogueTarget is not null && state.Target is { } standingTarget)
        {
            warnings.Add($"commitment {c.Key}: the file gives no target, where the catalogue recorded {Wording.Target(catalogueTarget.Target)}; " +
                         $"an import withdraws no target, so {Wording.Target(standingTarget)} stands.");
        }
        if (deadline is null && catalogueDeadline is not null && state.Deadline is { } standingDeadline)
        {
            warnings.Add($"commitment {c.Key}: the file gives no deadline, where the catalogue recorded {Wording.Deadline(catalogueDeadline.Deadline)}; " +
                         $"an import withdraws no deadline, so {Wording.Deadline(standingDeadline)} stands.");
        }

        // One claim is one figure: a second entry of the same claim is said and left out (until 2026-12-07 the two retracted
        // each other on every import).
        var claims = new Dictionary<(DateOnly, string?, string?, FigureStage?, string?), string>();
        foreach (var (p, at) in (c.Progress ?? []).Select((p, i) => (p, $"progress[{i}]")))
        {
            var evidence = p.Source!.ToEvidenceAsIn(byCatalogue.ProgressReports.Concat(full.ProgressReports).Select(x => x.Source), p.AsOf);
            if (!claims.TryAdd((p.AsOf, p.Unit?.ToLowerInvariant(), p.Currency, p.Stage, evidence.DocumentKey), at))
            {
                warnings.Add($"commitment {c.Key}: {at} is the claim of {claims[(p.AsOf, p.Unit?.ToLowerInvariant(), p.Currency, p.Stage, evidence.DocumentKey)]} " +
                             "again (the same day, unit or currency, stage and document): a claim is one figure, so only the first is imported.");
                continue;
            }
            // One claim: a figure of one stage of money (or of one unit), as of one day, from one document. Two stages
            // from one paragraph ("more than $200 million announced, about $50 million disbursed") are two claims.
            var same = byCatalogue.ProgressReports.LastOrDefault(x => x.AsOf == p.AsOf && SameUnit(x.Unit, p.Unit) &&
                                                                      x.Currency == p.Currency && x.Stage == p.Stage &&
                                                                      x.Source.DocumentKey == evidence.DocumentKey);
            if (same is not null && same.Figure == p.Figure && same.Comparator == p.Comparator)
            {
                if (RetractedAt(same.Version) is not null)
                {
                    // The same claim reported again since by a monitor: theirs stands.
                    if (!full.ProgressReports.Any(x => x.AsOf == p.AsOf && SameUnit(x.Unit, p.Unit) && x.Currency == p.Currency &&
                                                       x.Stage == p.Stage && x.Source.DocumentKey == evidence.DocumentKey))
                    {
                        NotRecordedAgain(at, $"the report of {Wording.Comparator(same.Comparator)}{Wording.Number(same.Figure)}", same.Version);
                    }
                    continue;
                }
                RecordedSayingOtherwise(p.Source, $"{at}.source");
                // The same claim in other words: a figure is recorded once, so the file's note, source or rate is said
                // (until 2026-12-07 left out without a word).
                var otherwise = new[]
                {
                    same.Note != p.Note ? $"note {Differing(p.Note, same.Note)}" : null,
                    same.Source with { Primary = evidence.Primary } != evidence ? $"source {SourceDiffers(evidence, same.Source)}" : null,
                    // A rate of 1 beside the ledger's own currency is stored as none (ReportProgress).
                    same.Rate != (same.Rate is null && p.ExchangeRate is { Rate: 1m } ? null : p.ExchangeRate) ? "exchange rate" : null
                }.OfType<string>().ToList();
                if (otherwise.Count > 0)
                {
                    warnings.Add($"commitment {c.Key}: {at} differs from the report the catalogue recorded (version {same.Version}) in its " +
                                 $"{string.Join("; its ", otherwise)}; the figure is the same, so nothing is recorded: retract it and " +
                                 "report it again through the API to change it.");
                }
                continue;
            }
            // The figure the catalogue no longer claims is retracted, whoever recorded the new one.
            if (same is not null && !state.Retracted.Contains(same.Version))
            {
                state = Apply(CorrectEvent.Decide(state, same.Version, recorded[same.Version - 1], "catalogue entry revised", why), at);
            }
            // The same figure recorded by a monitor already stands: not recorded twice.
            if (full.ProgressReports.Any(x => x.AsOf == p.AsOf && SameUnit(x.Unit, p.Unit) && x.Currency == p.Currency && x.Stage == p.Stage &&
                                              x.Source.DocumentKey == evidence.DocumentKey && x.Figure == p.Figure &&
                                              x.Comparator == p.Comparator))
            {
                RecordedSayingOtherwise(p.Source, $"{at}.source");
                continue;
            }
            SaysAsRegistered(p.Source, $"{at}.source");
            // Not as of a day after the document it cites, as the API's reports are not.
            if (evidence.DocumentKey is { Length: > 0 } citedKey &&
                (DocumentChecks.HappenedAfter(Document(citedKey), p.AsOf, $"{at}.asOf") ??
                 (p.Source.On is { } said ? DocumentChecks.HappenedAfter(Document(citedKey), said, $"{at}.source.on") : null)) is { } late)
            {
                throw new InvalidDataException(late.Message);
            }
            state = Apply(ReportProgress.Decide(state, p.Figure, p.Unit, p.Currency, p.Comparator, p.AsOf, p.ExchangeRate,
                p.Note, evidence, p.Stage), at);
        }

        foreach (var (e, at) in (c.Evidence ?? []).Select((e, i) => (e, $"evidence[{i}]")))
        {
            var evidence = e!.ToEvidenceAsIn(byCatalogue.Evidence.Concat(full.Evidence).Select(x => x.Evidence), dated: DatedByItsDocument);
            // The same evidence whatever it said of being primary: a file whose flag was put right after the rule records
            // it once, not a second time beside the first.
            // (Whatever its flag among what stands: evidence the catalogue recorded and a monitor since retracted is matched
            // as it was, so a corrected file records the corrected one.)
            if (byCatalogue.Evidence.Any(x => x.Evidence == evidence) ||
                full.Evidence.Select(x => x.Evidence).FirstOrDefault(x => x with { Primary = evidence.Primary } == evidence) is not null)
            {
                var standing = full.Evidence.Select(x => x.Evidence).FirstOrDefault(x => x with { Primary = evidence.Primary } == evidence);
                if (standing is null && byCatalogue.Evidence.LastOrDefault(x => x.Evidence == evidence) is { } retracted)
                {
                    NotRecordedAgain(at, $"this evidence from {evidence.DocumentKey ?? evidence.Url}", retracted.Version);
                }
                else if (standing is { } recordedAs && recordedAs.Primary != evidence.Primary)
                {
                    // The file against the document's registration is the file's to put right: a retraction would only
                    // make the next import refuse the entry (until 2026-12-07 the advice was to retract it).
                    warnings.Add(e.DocumentKey is { Length: > 0 } citing && Document(citing).Primary != evidence.Primary
                        ? $"commitment {c.Key}: {at} says primary {(evidence.Primary ? "true" : "false")}, but document {Document(citing).Key} " +
                          $"is registered as {(Document(citing).Primary ? "an official text (primary: true)" : "a secondary report (primary: false)")}: " +
                          "correct the file; the evidence stands as recorded."
                        : $"commitment {c.Key}: {at} is recorded with primary {(recordedAs.Primary ? "true" : "false")}, where the " +
                          $"file now says {(evidence.Primary ? "true" : "false")}; it is not recorded again: retract it to change it.");
                }
                else RecordedSayingOtherwise(e, at);
                continue;
            }
            SaysAsRegistered(e, at);
            // Not dated after the document it cites, as the API's evidence is not.
            if (e.DocumentKey is { Length: > 0 } citedKey && e.On is { } evidenceOn &&
                DocumentChecks.DateRefusal(Document(citedKey), evidenceOn, $"{at}.on") is { } late)
            {
                throw new InvalidDataException(late.Message);
            }
            state = Apply(AttachEvidence.Decide(state, evidence), at);
        }

        foreach (var (a, at) in (c.Assessments ?? []).Select((a, i) => (a, $"assessments[{i}]")))
        {
            var evidence = a.Source!.ToEvidenceAsIn(byCatalogue.StatusHistory.Concat(full.StatusHistory).Select(x => x.Source), a.AssessedOn);
            var tookEffectOn = a.EffectiveOn ?? a.AssessedOn;
            var status = AssessStatus.Timeliness(state, a.Status, tookEffectOn);
            // Achieved on time or late is the tracker's reading, not the catalogue's: an assessment stored as achieved-late
            // by the rule of the order of recording is still the same entry.
            static bool Same(CommitmentStatus x, CommitmentStatus y) =>
                x == y || x is (CommitmentStatus.Achieved or CommitmentStatus.AchievedLate) && y is (CommitmentStatus.Achieved or CommitmentStatus.AchievedLate);
            if (new[] { byCatalogue, full }.Any(record => record.StatusHistory.Any(x =>
                    x.AssessedOn == a.AssessedOn && x.EffectiveOn == tookEffectOn && Same(x.Status, status))))
            {
                if (!full.StatusHistory.Any(x => x.AssessedOn == a.AssessedOn && x.EffectiveOn == tookEffectOn && Same(x.Status, status)) &&
                    byCatalogue.StatusHistory.LastOrDefault(x => x.AssessedOn == a.AssessedOn && x.EffectiveOn == tookEffectOn &&
                                                                 Same(x.Status, status)) is { } retracted)
                {
                    NotRecordedAgain(at, $"the assessment {Wording.Name(retracted.Status)} of {Wording.Date(retracted.AssessedOn)}", retracted.Version);
                    continue;
                }
                RecordedSayingOtherwise(a.Source, $"{at}.source");
                // The catalogue's own assessment in other words is said (a monitor's is theirs).
                if (byCatalogue.StatusHistory.LastOrDefault(x => x.AssessedOn == a.AssessedOn && x.EffectiveOn == tookEffectOn &&
                                                                 Same(x.Status, status)) is { } assessed && RetractedAt(assessed.Version) is null &&
                    new[]
                    {
                        assessed.Rationale != a.Rationale ? $"rationale {Differing(a.Rationale, assessed.Rationale)}" : null,
                        assessed.Source with { Primary = evidence.Primary } != evidence ? $"source {SourceDiffers(evidence, assessed.Source)}" : null
                    }.OfType<string>().ToList() is { Count: > 0 } otherwise)
                {
                    warnings.Add($"commitment {c.Key}: {at} differs from the assessment the catalogue recorded (version {assessed.Version}) " +
                                 $"in its {string.Join("; its ", otherwise)}; the status and its days are the same, so nothing is " +
                                 "recorded: retract it and assess again through the API to change it.");
                }
                continue;
            }
            // The catalogue dates each assessment (its effectiveOn, else its assessedOn), held to the API's rules: an
            // achievement it dates anew while one stands is not recorded (until 2026-12-07 recorded beside it), and said, as
            // the other facts recorded once are; the rest of the entry goes on.
            if (state.IsAchieved && a.Status is CommitmentStatus.Achieved or CommitmentStatus.AchievedLate)
            {
                warnings.Add($"commitment {c.Key}: {at} is not recorded: the commitment is {Wording.Name(state.Status)} since " +
                             $"{state.StatusDate:yyyy-MM-dd}, and an achievement is recorded once; to date it anew, retract the " +
                             "assessment in force and import again (or assess it through the API).");
                continue;
            }
            SaysAsRegistered(a.Source, $"{at}.source");
            state = Apply(AssessStatus.Decide(state, a.Status, a.AssessedOn, a.Rationale, evidence, a.EffectiveOn ?? a.AssessedOn), at);
        }

        if (before is not null) warnings.AddRange(NoLongerListed(c, byCatalogue, full, DatedByItsDocument));

        var events = decisions.SelectMany(d => d.Events).ToList();
        if (events.Count == 0) return null;
        IReadOnlyList<(string, string)> names = [];
        if (stream is null)
        {
            // A first look, which takes no lock: the batch claims its names together before it commits (ImportBatch).
            names = NameSpellings.Of(c.LineOfEffort, c.Actors);
            if (await NameSpellings.CheckAsync(session, names, token) is { } spelledOtherwise)
            {
                throw new InvalidDataException(spelledOtherwise.Message);
            }
            session.Events.StartStream<CommitmentProgress>(id, events);
        }
        else stream.AppendMany(events);
        return new Staged(before, state, events.Count, names, today,
            before is null ? null : $"commitment {c.Key}: {string.Join("; ", changed.Select(x => $"{x.At}: {string.Join(", ", x.Events)}"))}");
    }

    /// <summary>
    /// Every mistake of an entry's parts (its statement, restatements, reports, evidence and assessments), each named by
    /// its place, before anything is decided: a file with several is told all of them at once (until 2026-12-06 only the
    /// first part's, so that each import found the next).
    /// </summary>
    private async Task CheckEntry(CatalogueCommitment c, CancellationToken token)
    {
        var mistakes = (await Mistakes(new StateCommitmentRequest(c.Key, c.Title, c.Kind, c.LineOfEffort, c.Actors, c.Target,
            c.Deadline, c.StatedIn, c.StatedOn, c.LedgerCurrency), "", token)).Select(m => m.Text).ToList();
        // An entry of a list given as null is said so (until 2026-12-06 a restatement, report or assessment that was null
        // failed the entry with the runtime's own words).
        static string Null(string at) => $"{at}: an entry is null; give it or leave it out.";
        foreach (var (r, at) in (c.Restatements ?? []).Select((r, i) => (r, $"restatements[{i}]")))
        {
            if (r is null) mistakes.Add(Null(at));
            else mistakes.AddRange((await Mistakes(new RestateCommitmentRequest(r.RestatedIn, r.RestatedOn, r.NewTarget, r.NewDeadline, r.Note), at, token)).Select(m => m.Text));
        }
        // A source the file got wrong is named as the file gives it; the request's own check of the evidence made from it
        // would name the same field again, so only its other fields are said from there.
        async Task WithItsSource<T>(CatalogueSource source, string sourceAt, T request, string at, string? filledIn = null,
            string sourcePrefix = "source.")
        {
            var sourceMistakes = await SourceMistakes(source, sourceAt, token);
            mistakes.AddRange(sourceMistakes.Select(m => m.Text));
            mistakes.AddRange((await Mistakes(request, at, token, filledIn, sourceMistakes, sourcePrefix)).Select(m => m.Text));
        }
        foreach (var (p, at) in (c.Progress ?? []).Select((p, i) => (p, $"progress[{i}]")))
        {
            if (p is null) mistakes.Add(Null(at));
            else await WithItsSource(p.Source, $"{at}.source", new ReportProgressRequest(p.Figure, p.Unit, p.Currency, p.Comparator,
                p.AsOf, p.ExchangeRate, p.Note, p.Source?.ToEvidence(p.AsOf)!, p.Stage), at, p.Source?.On is null ? "source.on" : null);
        }
        foreach (var (e, at) in (c.Evidence ?? []).Select((e, i) => (e, $"evidence[{i}]")))
        {
            if (e is null) mistakes.Add($"{at}: an entry is null; give a source or leave it out.");
            else await WithItsSource(e, at, e.ToEvidence(), at, sourcePrefix: "");
        }
        foreach (var (a, at) in (c.Assessments ?? []).Select((a, i) => (a, $"assessments[{i}]")))
        {
            if (a is null) mistakes.Add(Null(at));
            else await WithItsSource(a.Source, $"{at}.source", new AssessStatusRequest(a.Status, a.AssessedOn, a.Rationale,
                a.Source?.ToEvidence(a.AssessedOn)!, a.EffectiveOn), at, a.Source?.On is null ? "source.on" : null);
        }
        if (mistakes.Count > 0) throw new InvalidDataException(string.Join("; ", mistakes));
    }

    /// <summary>
    /// The same bounds and validators as a request body (a catalogue is input too), each mistake named by its place in the
    /// file and its path as the API's field map names it ("restatements[0].restatedIn.quote"; until 2026-12-06 by its .NET
    /// property, "RestatedIn.Quote", and without the entry's place).
    /// </summary>
    private async Task Validate<T>(T value, string place, CancellationToken token)
    {
        if (await Mistakes(value, place, token) is { Count: > 0 } mistakes) throw new InvalidDataException(string.Join("; ", mistakes.Select(m => m.Text)));
    }

    /// <summary>
    /// A value's mistakes, each with the field the validators name. A field the importer filled in from another is left
    /// out where the other is named; so is a field of the evidence a source became that the source's own check named.
    /// </summary>
    private async Task<List<(string Field, string Text)>> Mistakes<T>(T value, string place, CancellationToken token,
        string? filledIn = null, IReadOnlyList<(string Field, string Text)>? saidOfTheSource = null, string sourcePrefix = "source.")
    {
        if (await Infrastructure.Validation.RequestValidation.ErrorsOf(services.GetServices<IValidator<T>>(), value, clock, token) is not { } errors)
        {
            return [];
        }
        // A field the importer filled in from another (a source's day from the report's asOf) is not the file's
        // mistake where the other is named too (until 2026-12-06 both were); alone, it is said as it is.
        if (filledIn is not null && errors.Count > 1) errors.Remove(filledIn);
        foreach (var (field, _) in saidOfTheSource ?? []) errors.Remove(sourcePrefix + field);
        return [.. errors.Select(e => (e.Key, $"{(place.Length == 0 ? e.Key : $"{place}.{e.Key}")}: {string.Join(" ", e.Value)}"))];
    }

    /// <summary>
    /// A source as the file gives it, held to the request bodies' bounds before its words are joined into its evidence's
    /// note (until 2026-12-06 a blank note was dropped without a word, and a note within its limit was refused once the
    /// paragraph and quote were added to it, counted as though the file had written them).
    /// </summary>
    private async Task<List<(string Field, string Text)>> SourceMistakes(CatalogueSource? source, string place, CancellationToken token)
    {
        if (source is null) return [];
        var mistakes = await Mistakes(source, place, token);
        if (mistakes.Count == 0 && source.ToEvidence() is { Note: { } joined } && joined.Length > JoinedNoteLimit &&
            new System.Globalization.StringInfo(joined).LengthInTextElements > JoinedNoteLimit)
        {
            mistakes.Add(("note", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{place}: the note, the paragraph and the quote are kept together as the evidence's note, which has at most " +
                $"{JoinedNoteLimit:N0} characters; together they have {new System.Globalization.StringInfo(joined).LengthInTextElements:N0}: shorten the note or the quote.")));
        }
        return mistakes;
    }

    /// <summary>The evidence note's limit, which a source's note, paragraph and quote share.</summary>
    private const int JoinedNoteLimit = Commitments.EvidenceValidator.MaxNote;

    /// <summary>
    /// What the catalogue recorded in a commitment that still stands and that the file no longer lists: a report (by its
    /// claim), a piece of evidence, an assessment (by its status and days) or a restatement (by its document). An import
    /// retracts nothing the file leaves out, so each is said with its version for the correction that would (until
    /// 2026-12-07 without a word, and a piece of evidence whose note changed stood beside its new one unsaid).
    /// </summary>
    private static IEnumerable<string> NoLongerListed(CatalogueCommitment c, Commitment byCatalogue, Commitment full,
        Func<Evidence, Evidence> dated)
    {
        var progress = (c.Progress ?? []).Select(p => (p.AsOf, Unit: p.Unit?.ToLowerInvariant(), p.Currency, p.Stage,
            Document: p.Source.DocumentKey is { } k ? StreamIds.Normalise(k) : null)).ToHashSet();
        var evidence = (c.Evidence ?? []).Select(e => e.ToEvidenceAsIn(byCatalogue.Evidence.Select(x => x.Evidence), dated: dated)).ToList();
        var assessments = c.Assessments ?? [];
        var restated = (c.Restatements ?? []).Select(r => StreamIds.Normalise(r.RestatedIn.DocumentKey)).ToHashSet();
        static bool Standing<T>(IEnumerable<T> entries, int version, Func<T, int> versionOf) => entries.Any(x => versionOf(x) == version);
        string Said(int version, string what) =>
            $"commitment {c.Key}: the log holds {what} the catalogue recorded (version {version}) and the file no longer lists; " +
            $"an import retracts nothing, so it stands (retract it with POST /api/commitments/{byCatalogue.Key}/corrections).";

        foreach (var r in byCatalogue.ProgressReports.Where(r => Standing(full.ProgressReports, r.Version, x => x.Version)))
        {
            if (!progress.Contains((r.AsOf, r.Unit?.ToLowerInvariant(), r.Currency, r.Stage, r.Source.DocumentKey)))
            {
                var figure = r.Currency is { } currency ? $"{currency} {Wording.Number(r.Figure)}" : $"{Wording.Number(r.Figure)} {r.Unit}";
                yield return Said(r.Version, $"the report of {Wording.Comparator(r.Comparator)}{figure} as of {Wording.Date(r.AsOf)}");
            }
        }
        foreach (var e in byCatalogue.Evidence.Where(e => Standing(full.Evidence, e.Version, x => x.Version)))
        {
            if (!evidence.Any(x => x with { Primary = e.Evidence.Primary } == e.Evidence))
            {
                yield return Said(e.Version, $"evidence from {e.Evidence.DocumentKey ?? e.Evidence.Url}");
            }
        }
        foreach (var a in byCatalogue.StatusHistory.Where(a => Standing(full.StatusHistory, a.Version, x => x.Version)))
        {
            if (!assessments.Any(x => x.AssessedOn == a.AssessedOn && (x.EffectiveOn ?? x.AssessedOn) == a.EffectiveOn &&
                                      (x.Status == a.Status || x.Status is CommitmentStatus.Achieved or CommitmentStatus.AchievedLate &&
                                          a.Status is CommitmentStatus.Achieved or CommitmentStatus.AchievedLate)))
            {
                // Its day of effect too where it has one of its own: a file that dates the same assessment anew lists another.
                yield return Said(a.Version, $"the assessment {Wording.Name(a.Status)} of {Wording.Date(a.AssessedOn)}" +
                                             (a.EffectiveOn != a.AssessedOn ? $", effective {Wording.Date(a.EffectiveOn)}," : ""));
            }
        }
        foreach (var r in byCatalogue.Restatements.Where(r => Standing(full.Restatements, r.Version, x => x.Version)))
        {
            if (!restated.Contains(r.RestatedIn.DocumentKey)) yield return Said(r.Version, $"the restatement in {r.RestatedIn.DocumentKey}");
        }
    }

    /// <summary>
    /// Two texts that differ, each as a few words around where they part: "'... $400 million ...' (the log: '... $394
    /// million ...')". A quote has up to 2,000 characters, too many to say twice in a line.
    /// </summary>
    private static string Differing(string? file, string? log)
    {
        if (file is null || log is null) return $"{(file is null ? "none" : $"'{Shortened(file)}'")} (the log: {(log is null ? "none" : $"'{Shortened(log)}'")})";
        var at = 0;
        while (at < file.Length && at < log.Length && file[at] == log[at]) at++;
        string Around(string text)
        {
            var from = Math.Max(0, at - 20);
            var to = Math.Min(text.Length, at + 40);
            return $"'{(from > 0 ? "..." : "")}{text[from..to]}{(to < text.Length ? "..." : "")}'";
        }
        return $"{Around(file)} (the log: {Around(log)}; they part at character {at + 1})";
        static string Shortened(string text) => text.Length <= 60 ? text : text[..60] + "...";
    }

    /// <summary>Which of a source's parts differ from the recorded one's: "document, day, note (its paragraph and quote)".</summary>
    private static string SourceDiffers(Evidence file, Evidence log) => string.Join(", ", new[]
    {
        file.DocumentKey != log.DocumentKey ? $"document {file.DocumentKey ?? "none"} (the log: {log.DocumentKey ?? "none"})" : null,
        file.Url != log.Url ? $"url {file.Url ?? "none"} (the log: {log.Url ?? "none"})" : null,
        file.On != log.On ? $"day {(file.On is { } on ? Wording.Date(on) : "none")} (the log: {(log.On is { } was ? Wording.Date(was) : "none")})" : null,
        file.Note != log.Note ? $"note, paragraph or quote {Differing(file.Note, log.Note)}" : null
    }.OfType<string>());

    private static Decision Required(Decision decision) => decision.Violation is { } v
        ? throw new InvalidDataException($"rule '{v.Rule}' refused it: {v.Message}")
        : decision;

    /// <summary>Units are one whatever their case, as the write rules compare them.</summary>
    private static bool SameUnit(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>One target, its unit in whatever case: "100 People" is no change from "100 people".</summary>
    private static bool SameTarget(Target? a, Target? b) =>
        a is null || b is null ? a == b : a with { Unit = a.Unit?.ToLowerInvariant() } == b with { Unit = b.Unit?.ToLowerInvariant() };
}
