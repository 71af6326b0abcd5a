using Microsoft.AspNetCore.Mvc;

namespace Tracker.Api.Infrastructure;

public static class ProblemResponses
{
    /// <summary>Answers a request from middleware (before any endpoint) with a problem and its status.</summary>
    public static async Task Answer(this IProblemDetailsService problems, HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status ?? StatusCodes.Status400BadRequest;
        // Http.AnswersInJson makes every API request admit JSON; a request it leaves alone (outside /api) that admits
        // none still gets the problem in JSON rather than a 500 with an empty body.
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            // Without the writer, its customisation did not run either: the trace id and instance every problem carries.
            problem.Instance = Http.RequestLine.PathAsSent(context);
            problem.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? context.TraceIdentifier;
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}
