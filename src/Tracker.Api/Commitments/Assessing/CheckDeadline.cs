using Tracker.Api.Infrastructure;
using Marten;
using Tracker.Projections.Commitments;
using Tracker.Domain.Commitments;
using Wolverine;

namespace Tracker.Api.Commitments.Assessing;

/// <summary>
/// A durable scheduled message: at the end of a commitment's due date, see whether its deadline passed with no achievement on record.
/// Scheduled whenever a write gives a commitment a new due date, or takes back what kept it from falling due (an
/// achievement or a withdrawal retracted); kept in PostgreSQL by Wolverine, so it survives restarts and fires at once for
/// dates already past.
/// </summary>
public sealed record CheckDeadline(Guid CommitmentId, DateOnly DueBy)
{
    public const string Actor = "tracker-service";

    /// <summary>
    /// The check for a state's current deadline, when a write gave it a new one, or left it neither achieved nor withdrawn
    /// where it was (an achievement retracted after the due date: the check at the due date had found it achieved).
    /// </summary>
    public static IEnumerable<object> WhenItMayFallDue(CommitmentState? before, CommitmentState after)
    {
        if (after.Deadline?.DueBy is { } dueBy && (dueBy != before?.Deadline?.DueBy || Settled(before) && !Settled(after)))
        {
            yield return new CheckDeadline(after.Id, dueBy).ScheduledAt(PassDeadline.CheckAt(after, dueBy));
        }
    }

    private static bool Settled(CommitmentState? state) => state is { IsAchieved: true } or { Status: CommitmentStatus.Withdrawn };
}

public static class CheckDeadlineHandler
{
    public static async Task<OutgoingMessages> Handle(CheckDeadline check, IDocumentSession session, TimeProvider clock,
        Envelope envelope, CancellationToken token)
    {
        // A write of its own, not the scheduling one's: its own correlation id (the message's), and the write that scheduled
        // it as its cause (until 2026-12-06 the passing carried the scheduling request's id, and read as part of that write).
        session.CausationId = envelope.CorrelationId;
        session.CorrelationId = $"deadline-check:{envelope.Id}";
        var now = clock.GetUtcNow();
        if (now < PassDeadline.CheckAt(check.DueBy))
        {
            // Delivered early (a clock set back, a message moved by hand): look again when the day is over.
            return [check.ScheduledAt(PassDeadline.CheckAt(check.DueBy))];
        }

        var stream = await session.Events.FetchForExclusiveWriting<CommitmentProgress>(check.CommitmentId, token);
        if (stream.Aggregate is null) return [];
        // A deadline in force only from a later day (set retroactively, dated ahead of UTC): look again on that day.
        if (now < PassDeadline.CheckAt(stream.Aggregate.State, check.DueBy))
        {
            return [check.ScheduledAt(PassDeadline.CheckAt(stream.Aggregate.State, check.DueBy))];
        }

        var decision = PassDeadline.Decide(stream.Aggregate.State, check.DueBy, DateOnly.FromDateTime(now.UtcDateTime));
        session.LastModifiedBy = CheckDeadline.Actor;
        stream.AppendMany(decision.Events);
        return [];
    }
}

/// <summary>
/// After the progress models are built again from the log (an upgrade at start, an admin rebuild), whose rules may put
/// another deadline in force than the one the writes scheduled checks for: each commitment whose deadline in force has
/// passed with nothing recorded is checked now, as its scheduled check would be, so the present is overdue where every
/// view as effective already says so.
/// </summary>
public static class DeadlineSweep
{
    /// <summary>
    /// Checks every commitment that may be overdue unrecorded; returns how many were recorded passed. One that cannot be
    /// checked (a model without a stream, written around the service) is logged and left to the next rebuild: the sweep
    /// never fails the rebuild it follows.
    /// </summary>
    public static async Task<int> Run(IDocumentStore store, DateOnly today, ILogger logger, CancellationToken token)
    {
        List<Guid> candidates;
        await using (var query = store.QuerySession())
        {
            candidates = [.. await query.Query<CommitmentProgress>()
                .Where(c => c.DueBy < today && !c.Overdue && c.Status != CommitmentStatus.Achieved &&
                            c.Status != CommitmentStatus.AchievedLate && c.Status != CommitmentStatus.Withdrawn)
                .Select(c => c.Id).ToListAsync(token)];
        }
        var recorded = 0;
        // Each passing its own write, named after the sweep (until 2026-12-06 they carried no correlation id).
        var sweep = $"deadline-sweep:{Guid.NewGuid()}";
        foreach (var id in candidates)
        {
            try
            {
                await using var session = store.LightweightSession();
                session.LastModifiedBy = CheckDeadline.Actor;
                session.CorrelationId = $"{sweep}:{id}";
                // A sweep's passing is caused by no write (nor by the trace it runs in, while telemetry records one).
                session.CausationId = null;
                var stream = await session.Events.FetchForExclusiveWriting<CommitmentProgress>(id, token);
                if (stream.CurrentVersion is null or 0 || stream.Aggregate?.State is not { Deadline.DueBy: { } dueBy } state) continue;
                var decision = PassDeadline.Decide(state, dueBy, today);
                if (decision.Events.Count == 0) continue;
                stream.AppendMany(decision.Events);
                await session.SaveChangesAsync(token);
                recorded++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "The deadline of commitment {Id} could not be checked by the sweep; the next sweep (or rebuild) tries again", id);
            }
        }
        return recorded;
    }
}

/// <summary>
/// The sweep (<see cref="DeadlineSweep"/>) once the host has started and every <c>Deadlines:SweepEvery</c> after (an
/// hour; 0 turns it off): a deadline whose scheduled check was lost (a log restored without Wolverine's tables, where the
/// checks wait) is recorded passed within that time after its day, rather than never. Every node sweeps; each
/// commitment's passing is decided under its stream's lock, so two sweeps, or a sweep and the scheduled check, record it once.
/// </summary>
public sealed class DeadlineSweeping(IDocumentStore store, TimeProvider clock, ILogger<DeadlineSweeping> logger,
    IHostApplicationLifetime lifetime, IConfiguration configuration) : BackgroundService
{
    public const string Setting = "Deadlines:SweepEvery";

    public static readonly TimeSpan DefaultEvery = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken token)
    {
        // Checked at start (SettingsCheck): a time span from 0 to 49 days.
        var every = configuration.GetValue<TimeSpan?>(Setting) ?? DefaultEvery;
        if (every == TimeSpan.Zero || !await Infrastructure.HostStart.Started(lifetime, token)) return;
        using var timer = new PeriodicTimer(every, clock);
        do
        {
            try
            {
                var passed = await DeadlineSweep.Run(store, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), logger, token);
                if (passed > 0) logger.LogInformation("{Passed} commitments' deadlines had passed without their check; recorded now", passed);
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                if (Infrastructure.DatabaseOutage.Is(e)) logger.LogWarning("Could not sweep the deadlines ({Problem}); trying again in {Every}", e.Message, every);
                else logger.LogError(e, "Could not sweep the deadlines; trying again in {Every}", every);
            }
        }
        while (await timer.NextTickOrStop(token));
    }
}
