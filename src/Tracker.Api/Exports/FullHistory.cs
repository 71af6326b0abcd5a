using Marten;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;

namespace Tracker.Api.Exports;

/// <summary>
/// What an export lists record by record (every amount and stage of every pledge) comes from the log itself, folded
/// in full: exports are auditors' reads of everything, and no stored model keeps whole histories.
/// </summary>
public static class FullHistory
{
    /// <summary>
    /// The pledges, and the day each revision took effect: its source's day, or the day it was recorded (as the history
    /// says), which only the log knows.
    /// </summary>
    public static async Task<(IReadOnlyList<Pledge> Pledges, IReadOnlyDictionary<int, DateOnly> RevisedOn)> PledgesWithDays(
        IQuerySession session, Guid commitmentId, CancellationToken token)
    {
        Commitment? state = null;
        var revisedOn = new Dictionary<int, DateOnly>();
        foreach (var e in await session.Events.FetchStreamAsync(commitmentId, token: token))
        {
            state = CommitmentReplay.Step(state, commitmentId, e);
            // The day the history gives it: the one place that knows each event's effective date.
            if (e.Data is PledgeRevised &&
                TrackedEvents.EffectiveOn(e.Data, DateOnly.FromDateTime(e.Timestamp.UtcDateTime)) is { } effective)
                revisedOn[(int)e.Version] = effective;
        }
        return (state?.Pledges ?? [], revisedOn);
    }
}
