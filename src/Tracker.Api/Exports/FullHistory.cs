using Marten;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;

namespace Tracker.Api.Exports;

/// <summary>
/// What an export lists record by record (every amount and stage of every pledge) comes from the log itself, folded
/// in full: exports are auditors' reads of everything, and no stored model keeps whole histories.
/// </summary>
public static class FullHistory
{
    public static async Task<IReadOnlyList<Pledge>> Pledges(IQuerySession session, Guid commitmentId, CancellationToken token)
    {
        Commitment? state = null;
        foreach (var e in await session.Events.FetchStreamAsync(commitmentId, token: token))
        {
            state = CommitmentReplay.Step(state, commitmentId, e);
        }
        return state?.Pledges ?? [];
    }
}
