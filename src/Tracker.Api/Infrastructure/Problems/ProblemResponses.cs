using Microsoft.AspNetCore.Mvc;

namespace Tracker.Api.Infrastructure;

public static class ProblemResponses
{
    /// <summary>Answers a request from middleware (before any endpoint) with a problem and its status.</summary>
    public static async Task Answer(this IProblemDetailsService problems, HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status ?? StatusCodes.Status400BadRequest;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
