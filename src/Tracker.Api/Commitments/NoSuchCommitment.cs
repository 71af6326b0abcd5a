using Tracker.Api.Audit;
using Tracker.Api.Infrastructure;

namespace Tracker.Api.Commitments;

/// <summary>The one answer every route gives for a commitment key it cannot find, now or in a past.</summary>
public static class NoSuchCommitment
{
    public static IResult Problem(string key, TimeTravel? past = null) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound, title: "No such commitment",
        // A version of a commitment that exists is answered by its route (past the last: a 400), so one asked here names a
        // key that never was, which is said as the present says it.
        detail: past is null || past.IsPresent || past.Version is not null
            ? $"No commitment has key '{key}'."
            : $"Commitment '{key}' did not exist in that past ({past.Describe()}).");
}
