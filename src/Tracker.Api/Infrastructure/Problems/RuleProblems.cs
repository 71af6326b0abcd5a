using Tracker.Domain.Commitments;

namespace Tracker.Api.Infrastructure;

/// <summary>A broken domain rule as a problem: 409, 422 or 404, and the rule's name in "rule" and in the type URI.</summary>
public static class RuleProblems
{
    public static IResult For(RuleViolation violation)
    {
        Telemetry.TrackerMetrics.RuleRefused(violation.Rule);
        var status = violation.Kind switch
        {
            ViolationKind.Conflict => StatusCodes.Status409Conflict,
            ViolationKind.NotFound => StatusCodes.Status404NotFound,
            _ => StatusCodes.Status422UnprocessableEntity
        };
        return Results.Problem(
            statusCode: status,
            type: ProblemTypes.Rule(violation.Rule),
            title: $"Rule '{violation.Rule}' refused the change",
            detail: violation.Message,
            extensions: new Dictionary<string, object?> { ["rule"] = violation.Rule });
    }
}
