using Microsoft.AspNetCore.Mvc;
using Tracker.Domain.Commitments;

namespace Tracker.Api.Infrastructure;

/// <summary>A broken domain rule as a problem: 409, 422 or 404, and the rule's name in "rule" and in the type URI.</summary>
public static class RuleProblems
{
    public static IResult For(RuleViolation violation) => Results.Problem(Details(violation));

    /// <summary>The same problem, for a step that answers with <see cref="ProblemDetails"/> (a Validate method).</summary>
    public static ProblemDetails Details(RuleViolation violation)
    {
        Telemetry.TrackerMetrics.RuleRefused(violation.Rule);
        var status = violation.Kind switch
        {
            ViolationKind.Conflict => StatusCodes.Status409Conflict,
            ViolationKind.NotFound => StatusCodes.Status404NotFound,
            _ => StatusCodes.Status422UnprocessableEntity
        };
        return new ProblemDetails
        {
            Status = status,
            Type = ProblemTypes.Rule(violation.Rule),
            Title = $"Rule '{violation.Rule}' refused the change",
            Detail = violation.Message,
            Extensions = { ["rule"] = violation.Rule }
        };
    }
}
