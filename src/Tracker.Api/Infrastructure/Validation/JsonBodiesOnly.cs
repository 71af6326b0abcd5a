using Microsoft.AspNetCore.Mvc;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>
/// A write with a body must say it is JSON (application/json, or a +json type): a body without a Content-Type is a 415
/// problem, not read as JSON on a guess. Bodyless POSTs (starting a rebuild) pass.
/// </summary>
public sealed class JsonBodiesOnly(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody && !HttpMethods.IsGet(request.Method) && request.Path.StartsWithSegments("/api") && !IsJson(request.ContentType))
        {
            await problems.Answer(context, new ProblemDetails
            {
                Status = StatusCodes.Status415UnsupportedMediaType,
                Type = ProblemTypes.UnsupportedMediaType,
                Title = "The request body must be JSON",
                Detail = "Send the body with Content-Type: application/json.",
                Extensions = { ["errors"] = new Dictionary<string, string[]> { ["body"] = ["Content-Type must be application/json."] } }
            });
            return;
        }
        await next(context);
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
}
