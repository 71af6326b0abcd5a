using FluentValidation;
using JasperFx.Events;
using Marten;
using Tracker.Api.Commitments;
using Tracker.Api.Documents;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Domain.Documents;
using Tracker.Projections.Documents;
using Wolverine;

namespace Tracker.Api.Catalogue;

/// <summary>What an import did, and what it could not do.</summary>
public sealed record ImportReport(string Catalogue, int DocumentsRegistered, int CommitmentsStated, int EventsAppended,
    IReadOnlyList<string> Failures, IReadOnlyList<string> Warnings)
{
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>
/// Turns a catalogue into events through the same validators and domain decisions as the API, with the documents'
/// historical dates as the effective dates. Idempotent: what the log already holds is not appended again. A catalogue
/// entry changed later is applied as new events (a revision, a correction and a new report), never as a rewrite.
/// </summary>
public sealed class CatalogueImporter(IDocumentStore store, IServiceScopeFactory scopes, IServiceProvider services,
    ILogger<CatalogueImporter> logger)
{
    public const string Actor = "catalogue-import";

    public async Task<ImportReport> Import(CatalogueFile catalogue, CancellationToken token)
    {
        var failures = new List<string>();
        var warnings = new List<string>();
        var documents = 0;
        var stated = 0;
        var appended = 0;

        foreach (var document in catalogue.Documents)
        {
            try
            {
                if (await RegisterDocument(catalogue, document, warnings, token)) { documents++; appended++; }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add($"document {document.Key}: {e.Message}");
            }
        }

        foreach (var entry in catalogue.Commitments)
        {
            try
            {
                var (isNew, count) = await ImportCommitment(catalogue, entry, warnings, token);
                if (isNew) stated++;
                appended += count;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add($"commitment {entry.Key}: {e.Message}");
            }
        }

        foreach (var failure in failures) logger.LogError("Catalogue {Catalogue}: {Failure}", catalogue.Name, failure);
        foreach (var warning in warnings) logger.LogWarning("Catalogue {Catalogue}: {Warning}", catalogue.Name, warning);
        return new ImportReport(catalogue.Name, documents, stated, appended, failures, warnings);
    }

    private IDocumentSession OpenSession(CatalogueFile catalogue)
    {
        var session = store.LightweightSession();
        session.LastModifiedBy = Actor;
        session.CorrelationId = $"catalogue:{Slug.From(catalogue.Name)}";
        return session;
    }

    private async Task<bool> RegisterDocument(CatalogueFile catalogue, CatalogueDocument d, List<string> warnings,
        CancellationToken token)
    {
        var request = new RegisterDocument(d.Key, d.Title, d.PublishedOn, d.Venue, d.Kind, d.Url, d.Primary);
        await Validate(request, token);

        await using var session = OpenSession(catalogue);
        var id = StreamIds.ForDocument(d.Key);
        if (await session.LoadAsync<DocumentView>(id, token) is { } existing)
        {
            if (existing.Title != d.Title || existing.PublishedOn != d.PublishedOn || existing.Kind != d.Kind ||
                existing.Url != d.Url || existing.Primary != d.Primary)
            {
                warnings.Add($"document {d.Key} differs from the one registered; documents have no revision event yet, so the registered one stands.");
            }
            return false;
        }

        session.Events.StartStream<DocumentView>(id, new SourceDocumentRegistered(StreamIds.Normalise(d.Key), d.Title,
            d.PublishedOn, d.Venue, d.Kind, d.Url, d.Primary));
        await session.SaveChangesAsync(token);
        return true;
    }

    private async Task<(bool IsNew, int Appended)> ImportCommitment(CatalogueFile catalogue, CatalogueCommitment c,
        List<string> warnings, CancellationToken token)
    {
        await Validate(new StateCommitmentRequest(c.Key, c.Title, c.Kind, c.LineOfEffort, c.Actors, c.Target, c.Deadline,
            c.StatedIn, c.StatedOn), token);

        await using var session = OpenSession(catalogue);
        var referenced = new[] { c.StatedIn.DocumentKey }
            .Concat((c.Restatements ?? []).Select(r => r.RestatedIn.DocumentKey))
            .Concat((c.Progress ?? []).Select(p => p.Source.DocumentKey))
            .Concat((c.Assessments ?? []).Select(a => a.Source.DocumentKey))
            .Concat((c.Evidence ?? []).Select(e => e.DocumentKey))
            .ToArray();
        if ((await DocumentChecks.AllRegistered(session, referenced)).Detail is { } missing)
        {
            throw new InvalidDataException(missing);
        }

        var id = StreamIds.ForCommitment(c.Key);
        var stream = await session.Events.FetchForExclusiveWriting<Commitment>(id, token);
        var before = stream.Aggregate;
        var decisions = new List<Decision>();

        Commitment state;
        if (before is null)
        {
            var statedOn = c.StatedOn ?? (await Document(session, c.StatedIn.DocumentKey, token)).PublishedOn;
            var statement = new CommitmentStated(StreamIds.Normalise(c.Key), c.Title, c.Kind, c.LineOfEffort, c.Actors,
                c.Target, c.Deadline, c.StatedIn with { DocumentKey = StreamIds.Normalise(c.StatedIn.DocumentKey) }, statedOn);
            decisions.Add(Required(StateCommitment.Decide(statement)));
            state = Commitment.Create(statement) with { Id = id };
        }
        else
        {
            state = before;
            if (state.Title != c.Title || state.Kind != c.Kind || state.LineOfEffort != c.LineOfEffort ||
                !state.Actors.SequenceEqual(c.Actors))
            {
                warnings.Add($"commitment {c.Key}: title, kind, line of effort or actors differ from the log; there is no event to change them yet, so the log stands.");
            }
        }

        Commitment Apply(Decision decision)
        {
            decisions.Add(Required(decision));
            return decision.Events.Aggregate(state, (s, e) => s.After(e));
        }

        foreach (var r in c.Restatements ?? [])
        {
            await Validate(new RestateCommitmentRequest(r.RestatedIn, r.RestatedOn, r.NewTarget, r.NewDeadline, r.Note), token);
            var key = StreamIds.Normalise(r.RestatedIn.DocumentKey);
            if (state.Restatements.Any(x => x.RestatedIn.DocumentKey == key)) continue;
            var on = r.RestatedOn ?? (await Document(session, key, token)).PublishedOn;
            state = Apply(RestateCommitment.Decide(state,
                new CommitmentRestated(r.RestatedIn with { DocumentKey = key }, on, r.NewTarget, r.NewDeadline, r.Note)));
        }

        // The catalogue's current target and deadline: the stated ones, as later restatements changed them.
        var target = (c.Restatements ?? []).Select(r => r.NewTarget).LastOrDefault(t => t is not null) ?? c.Target;
        var deadline = (c.Restatements ?? []).Select(r => r.NewDeadline).LastOrDefault(d => d is not null) ?? c.Deadline;
        var why = new Evidence(null, null, true, null, $"The catalogue '{catalogue.Name}' was revised.");
        var newTarget = target is not null && target != state.Target ? target : null;
        var newDeadline = deadline is not null && deadline != state.Deadline ? deadline : null;
        if (newTarget is not null || newDeadline is not null)
        {
            state = Apply(ReviseCommitment.Decide(state, newTarget, newDeadline, "catalogue entry revised", why));
        }

        foreach (var p in c.Progress ?? [])
        {
            var evidence = p.Source.ToEvidence(p.AsOf);
            await Validate(new ReportProgressRequest(p.Figure, p.Unit, p.Currency, p.Comparator, p.AsOf, p.ExchangeRate, p.Note,
                evidence), token);
            var same = state.ProgressReports.FirstOrDefault(x => x.AsOf == p.AsOf && x.Unit == p.Unit &&
                                                                 x.Currency == p.Currency &&
                                                                 x.Source.DocumentKey == evidence.DocumentKey);
            if (same is not null && same.Figure == p.Figure && same.Comparator == p.Comparator) continue;
            if (same is not null)
            {
                state = Apply(CorrectEvent.Decide(state, same.Version, "catalogue entry revised", why));
            }
            state = Apply(ReportProgress.Decide(state, p.Figure, p.Unit, p.Currency, p.Comparator, p.AsOf, p.ExchangeRate,
                p.Note, evidence));
        }

        foreach (var e in c.Evidence ?? [])
        {
            var evidence = e.ToEvidence();
            await Validate(evidence, token);
            if (state.Evidence.Any(x => x.Evidence == evidence)) continue;
            state = Apply(AttachEvidence.Decide(state, evidence));
        }

        foreach (var a in c.Assessments ?? [])
        {
            var evidence = a.Source.ToEvidence(a.AssessedOn);
            await Validate(new AssessStatusRequest(a.Status, a.AssessedOn, a.Rationale, evidence), token);
            var status = AssessStatus.Timeliness(state, a.Status, a.AssessedOn);
            if (state.StatusHistory.Any(x => x.AssessedOn == a.AssessedOn && x.Status == status)) continue;
            state = Apply(AssessStatus.Decide(state, a.Status, a.AssessedOn, a.Rationale, evidence));
        }

        var events = decisions.SelectMany(d => d.Events).ToList();
        if (events.Count == 0) return (false, 0);
        if (before is null) session.Events.StartStream<Commitment>(id, events);
        else stream.AppendMany(events);
        await session.SaveChangesAsync(token);

        // Not in the events' transaction (the importer also runs from the command line, outside a request); a check
        // that is lost this way is scheduled again the next time the due date changes.
        using var scope = scopes.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        foreach (var check in CheckDeadline.WhenDueDateChanged(before, state).OfType<DeliveryMessage<CheckDeadline>>())
        {
            await bus.ScheduleAsync(check.Message, PassDeadline.CheckAt(check.Message.DueBy));
        }

        return (before is null, events.Count);
    }

    private static async Task<DocumentView> Document(IQuerySession session, string key, CancellationToken token) =>
        await session.LoadAsync<DocumentView>(StreamIds.ForDocument(key), token)
        ?? throw new InvalidDataException($"document '{key}' is not registered; list it under documents.");

    private async Task Validate<T>(T value, CancellationToken token)
    {
        foreach (var validator in services.GetServices<IValidator<T>>())
        {
            var result = await validator.ValidateAsync(value, token);
            if (!result.IsValid)
            {
                throw new InvalidDataException(string.Join("; ", result.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}")));
            }
        }
    }

    private static Decision Required(Decision decision) => decision.Violation is { } v
        ? throw new InvalidDataException($"rule '{v.Rule}' refused it: {v.Message}")
        : decision;
}
