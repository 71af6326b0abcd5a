using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>
/// Steps the model by one event with the decision state's own step (CommitmentState.After), so the totals can never
/// disagree with what the write rules decided against, and keeps the latest report and assessment. Only a retraction of
/// the latest report or assessment, a correction stored before retractions, and a revision or retraction of a pledge
/// stored before those carried the amounts they change, read the log (the event they name, the reports left, or that
/// pledge's facts): rare, and never more than that stream's reports or pledge facts.
/// </summary>
public sealed class CommitmentProgressProjection : SingleStreamProjection<CommitmentProgress, Guid>
{
    public const string ProjectionName = "CommitmentProgress";

    public CommitmentProgressProjection() => Name = ProjectionName;

    /// <summary>The day an event was recorded (UTC), which dates a revision whose source gives no day.</summary>
    public static DateOnly RecordedOn(IEvent e) => DateOnly.FromDateTime(e.Timestamp.UtcDateTime);

    public override async ValueTask<CommitmentProgress?> EvolveAsync(CommitmentProgress? snapshot, Guid id,
        IQuerySession session, IEvent e, CancellationToken cancellation)
    {
        var changedAt = Timestamps.AsStored(e.Timestamp);
        if (e.Data is CommitmentStated stated) return CommitmentProgress.Started(id, stated, changedAt);
        if (snapshot is null) return null;
        if (snapshot.Shape == StagesKeptSince - 1) snapshot = await WithStagesFromLog(snapshot, id, session, cancellation);
        return snapshot.With(await Step(snapshot.Parts, id, session, e.Data, e.Version, RecordedOn(e), cancellation), changedAt);
    }

    /// <summary>The shape since which models keep the latest money figure of each stage.</summary>
    private const int StagesKeptSince = 5;

    /// <summary>
    /// A model kept before the latest money figure of each stage was (shape 4: a checkpoint a past read steps from, a
    /// model stepped before the start's upgrade rebuilt it) with those figures read from the log, so that the events
    /// stepped after it are measured by today's rule on everything reported, not on the latest figure alone. Its other
    /// parts are today's already; a model of an older shape is left as it is (the start rebuilds those it stores).
    /// </summary>
    private static async Task<CommitmentProgress> WithStagesFromLog(CommitmentProgress kept, Guid id, IQuerySession session,
        CancellationToken token)
    {
        if (kept.LatestMoneyReport is null) return kept with { Shape = StagesKeptSince };
        var (_, _, _, stages) = await LogLookups.LatestReports(session, id, kept.State.Retracted, kept.Version, token);
        return kept with { Shape = StagesKeptSince, LatestMoneyInOtherStages = stages.Count == 0 ? null : stages };
    }

    /// <summary>
    /// The parts of a commitment's model after one more event of its stream (not its statement): what each step of the
    /// projection summarises, and what a rebuild steps, summarising only the models it keeps.
    /// </summary>
    public static async ValueTask<ProgressParts> Step(ProgressParts parts, Guid id, IQuerySession session, object fact, long version,
        DateOnly recordedOn, CancellationToken cancellation)
    {
        var data = fact is EventCorrected legacy ? await LogLookups.RetractionFor(session, id, legacy, cancellation) : fact;
        // The model's own count of versions (an event appended without fetching its stream has none yet), unless the
        // event's is further on: a stream whose row was ahead of its model numbers its events after the row, and the
        // entries they record keep those numbers, which their answers gave and a retraction names.
        var at = version > parts.State.Version + 1 ? (int)version : parts.State.Version + 1;
        if (data is null) return parts with { State = parts.State with { Version = at } };

        var before = parts.State;
        if (before.PledgeNeeded(data) is { } pledgeId)
        {
            before = before with { Pledges = [.. before.Pledges, await LogLookups.PledgeBefore(session, id, pledgeId, at, cancellation)] };
        }
        // The stored state keeps no pledge in hand: each has its ledger row (PledgeLedgerProjection).
        var state = before.After(data, version: at, recordedOn: recordedOn).Stored();
        switch (data)
        {
            case ProgressReportRetracted retracted when retracted.RetractedVersion == parts.Latest?.Version ||
                                                        retracted.RetractedVersion == parts.LatestMoney?.Version ||
                                                        parts.OtherUnits.Any(r => r.Version == retracted.RetractedVersion) ||
                                                        parts.OtherStages.Any(r => r.Version == retracted.RetractedVersion):
                var (latest, latestMoney, others, stages) = await LogLookups.LatestReports(session, id, state.Retracted, version, cancellation);
                return new(state, latest, latestMoney, parts.Assessment, others.Count == 0 ? null : others, stages.Count == 0 ? null : stages);
            case AssessmentRetracted retracted when retracted.RetractedVersion == parts.Assessment?.Version:
                var assessment = state.Assessments.Count == 0
                    ? null
                    : await LogLookups.AssessmentAt(session, id, state.Assessments[^1].Version, cancellation);
                return parts with { State = state, Assessment = assessment };
            default:
                return parts.Applied(state, data);
        }
    }

    /// <summary>
    /// In the write's own transaction: a checkpoint of the model when the write takes the stream past a multiple of
    /// ProgressCheckpoint.Interval, so a read of the past never writes and never folds more than an interval of events.
    /// </summary>
    public override ValueTask RaiseSideEffects(IDocumentOperations operations, IEventSlice<CommitmentProgress> slice)
    {
        if (slice.Snapshot is { } progress && slice.Events().FirstOrDefault() is { } first &&
            progress.Version / ProgressCheckpoint.Interval > (first.Version - 1) / ProgressCheckpoint.Interval)
        {
            operations.Store(ProgressCheckpoint.Of(progress));
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The model at a version: from the nearest checkpoint at or before it, the events after it stepped as above. Writes
    /// keep a checkpoint at least every <see cref="ProgressCheckpoint.Interval"/> versions, so the checkpoint and the
    /// events that can follow it are read in one round trip; a stream without such a checkpoint near the version (a log
    /// imported without its checkpoints) reads the rest in a second.
    /// </summary>
    /// <param name="orLastBefore">
    /// When the version is missing from the log (an event deleted behind the service's back), the model after the last
    /// event before it, stepped over the gap (a page of the history starting there), instead of null.
    /// </param>
    public static async Task<CommitmentProgress?> AtVersion(IQuerySession session, Guid id, int version, CancellationToken token,
        bool orLastBefore = false)
    {
        var window = Math.Max(1, version - ProgressCheckpoint.Interval + 1);
        var batch = session.CreateBatchQuery();
        var nearest = batch.Query<ProgressCheckpoint>()
            .Where(c => c.StreamId == id && c.Version <= version)
            .OrderByDescending(c => c.Version)
            .FirstOrDefault();
        var recent = batch.Events.FetchStream(id, version: version, fromVersion: window);
        await batch.Execute(token);
        var checkpoint = await nearest;
        var from = checkpoint?.Version ?? 0;
        var events = from + 1 >= window
            ? (await recent).Where(e => e.Version > from).ToList()
            : await session.Events.FetchStreamAsync(id, version: version, fromVersion: from + 1, token: token);
        // A version the log does not hold is not answered, unless asked for the last one before it; one after a version
        // missing from the log is stepped to over the gap (a past view of it answered 404 until 2026-12-05).
        if (events.Count == 0 ? checkpoint is null || (from < version && !orLastBefore) : events[^1].Version != version && !orLastBefore) return null;

        var progress = checkpoint?.Progress;
        foreach (var e in events)
        {
            var before = progress;
            progress = await DamagedEventException.GuardAsync(e, () => Stepper.EvolveAsync(before, id, session, e, token));
        }
        return progress;
    }

    /// <summary>
    /// One instance to step models outside the event store (reads of the past): EvolveAsync keeps no state, and building
    /// a projection instance costs far more than the few steps a read takes.
    /// </summary>
    public static readonly CommitmentProgressProjection Stepper = new();
}

/// <summary>The few reads of the log a step needs, each one indexed lookup or one stream's reports.</summary>
public static class LogLookups
{
    /// <summary>A correction stored before retractions, as the retraction it stands for (null if it names nothing retractable).</summary>
    public static async Task<IRetraction?> RetractionFor(IQuerySession session, Guid id, EventCorrected legacy, CancellationToken token)
    {
        var corrected = await session.Events.QueryAllRawEvents()
            .Where(x => x.StreamId == id && x.Version == legacy.CorrectedVersion)
            .FirstOrDefaultAsync(token);
        return corrected is null ? null : Retraction.Of(legacy, corrected.Data);
    }

    /// <summary>
    /// A disbursement's retraction stored before retractions carried the retracted stage's date, with that date, from the
    /// event it names (unchanged if that is not a stage).
    /// </summary>
    public static async Task<PledgeStageRetracted> Dated(IQuerySession session, Guid id, PledgeStageRetracted undated, CancellationToken token)
    {
        var retracted = await session.Events.QueryAllRawEvents()
            .Where(x => x.StreamId == id && x.Version == undated.RetractedVersion)
            .FirstOrDefaultAsync(token);
        return retracted?.Data is PledgeStageRecorded stage ? undated with { On = stage.On } : undated;
    }

    /// <summary>The latest report, the latest money report, the latest count in each other unit and the latest money figure of
    /// each other stage, among those recorded up to a version and not retracted (a past read steps a model whose stream has
    /// gone on since).</summary>
    public static async Task<(LatestReport? Latest, LatestReport? LatestMoney, IReadOnlyList<LatestReport> OtherUnits,
        IReadOnlyList<LatestReport> OtherStages)> LatestReports(
        IQuerySession session, Guid id,
        IReadOnlyList<int> retracted, long throughVersion, CancellationToken token)
    {
        var reports = await session.Events.QueryAllRawEvents()
            .Where(x => x.StreamId == id && x.EventTypeName == "progress_reported" && x.Version <= throughVersion)
            .ToListAsync(token);
        return ProgressParts.Kept(reports.Where(r => !retracted.Contains((int)r.Version))
            .Select(r => LatestReport.Of((int)r.Version, (ProgressReported)r.Data)));
    }

    /// <summary>
    /// The ids of the pledges whose announcements stand among a commitment's retracted versions: one probe of the log's
    /// (stream, version) index per retracted version, so it costs what the retractions number, not the stream's length.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RetractedPledgeIds(IQuerySession session, Guid id, IReadOnlyList<int> retracted,
        CancellationToken token)
    {
        var versions = retracted.Select(v => (long)v).ToArray();
        var announcements = await session.Events.QueryAllRawEvents()
            .Where(x => x.StreamId == id && x.Version.IsOneOf(versions) && x.EventTypeName.IsOneOf(Announcements))
            .ToListAsync(token);
        return [.. announcements.Select(x => Pledges.PledgeLedgerProjection.PledgeOf(x.Data)).OfType<string>()];
    }

    /// <summary>A pledge's announcement, by its stored names (the first pledge shape's included).</summary>
    private static readonly string[] Announcements = ["pledge_announced", "pledge_made"];

    /// <summary>The facts that change a pledge, by their stored names (the first pledge shape's included).</summary>
    private static readonly string[] PledgeFacts =
    [
        "pledge_announced", "pledge_made", "pledge_revised", "pledge_stage_recorded", "pledge_retracted",
        "pledge_revision_retracted", "pledge_stage_retracted", "event_corrected"
    ];

    /// <summary>
    /// A pledge as it stood before a version, folded from its facts in the log: for events stored before revisions and
    /// retractions carried the amounts they change, stepped from a state that keeps no pledge in hand.
    /// </summary>
    public static async Task<PledgeLedger> PledgeBefore(IQuerySession session, Guid id, string pledgeId, long version,
        CancellationToken token)
    {
        var facts = await session.Events.QueryAllRawEvents()
            .Where(x => x.StreamId == id && x.Version < version && x.EventTypeName.IsOneOf(PledgeFacts))
            .OrderBy(x => x.Version)
            .ToListAsync(token);
        var recorded = facts.ToDictionary(x => x.Version, x => x.Data);
        bool Named(string other) => string.Equals(other, pledgeId, StringComparison.OrdinalIgnoreCase);
        PledgeLedger? pledge = null;
        foreach (var x in facts)
        {
            var data = x.Data is EventCorrected legacy
                ? recorded.TryGetValue(legacy.CorrectedVersion, out var corrected) ? Retraction.Of(legacy, corrected) : null
                : x.Data;
            pledge = data switch
            {
                PledgeAnnounced a when Named(a.PledgeId) => PledgeLedger.Announced(a, (int)x.Version),
                PledgeRetracted r when Named(r.PledgeId) => null,
                PledgeRevised r when pledge is not null && Named(r.PledgeId) => Pledges.PledgeLedgerProjection.Stepped(pledge, r, (int)x.Version, CommitmentProgressProjection.RecordedOn(x)),
                PledgeStageRecorded r when pledge is not null && Named(r.PledgeId) => Pledges.PledgeLedgerProjection.Stepped(pledge, r, (int)x.Version, CommitmentProgressProjection.RecordedOn(x)),
                IPledgeRetraction r when pledge is not null && Named(r.PledgeId) => Pledges.PledgeLedgerProjection.Stepped(pledge, r, (int)x.Version, CommitmentProgressProjection.RecordedOn(x)),
                _ => pledge
            };
        }
        return pledge ?? throw new InvalidOperationException($"Pledge '{pledgeId}' does not stand before version {version}.");
    }

    public static async Task<CurrentAssessment?> AssessmentAt(IQuerySession session, Guid id, int version, CancellationToken token)
    {
        var e = await session.Events.QueryAllRawEvents()
            .Where(x => x.StreamId == id && x.Version == version)
            .FirstOrDefaultAsync(token);
        return e?.Data is StatusAssessed a ? CurrentAssessment.Of(version, a) : null;
    }
}
