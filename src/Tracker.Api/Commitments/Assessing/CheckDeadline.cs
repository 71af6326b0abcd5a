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
            yield return new CheckDeadline(after.Id, dueBy).ScheduledAt(PassDeadline.CheckAt(dueBy));
        }
    }

    private static bool Settled(CommitmentState? state) => state is { IsAchieved: true } or { Status: CommitmentStatus.Withdrawn };
}

public static class CheckDeadlineHandler
{
    public static async Task<OutgoingMessages> Handle(CheckDeadline check, IDocumentSession session, TimeProvider clock,
        CancellationToken token)
    {
        var now = clock.GetUtcNow();
        if (now < PassDeadline.CheckAt(check.DueBy))
        {
            // Delivered early (a clock set back, a message moved by hand): look again when the day is over.
            return [check.ScheduledAt(PassDeadline.CheckAt(check.DueBy))];
        }

        var stream = await session.Events.FetchForExclusiveWriting<CommitmentProgress>(check.CommitmentId, token);
        if (stream.Aggregate is null) return [];

        var decision = PassDeadline.Decide(stream.Aggregate.State, check.DueBy, DateOnly.FromDateTime(now.UtcDateTime));
        session.LastModifiedBy = CheckDeadline.Actor;
        stream.AppendMany(decision.Events);
        return [];
    }
}
