using Microsoft.Net.Http.Headers;

namespace Tracker.Api.Infrastructure.Http;

/// <summary>
/// The API answers in JSON, and its errors as RFC 9457 problems in JSON, whatever the request's Accept says (RFC 9110
/// 12.5.1 lets a server disregard Accept rather than answer 406); the exports answer their file type. Until 2026-12-06
/// an Accept that admitted no JSON (text/plain, application/xml) made every error raised before an endpoint a 500 with
/// an empty body (the problem writer found no writer for it), the framework's 401, 403, 404 and 405 plain text, and a
/// write a 406 that hid what was wrong with it, while reads answered JSON anyway.
/// </summary>
public sealed class AnswersInJson(RequestDelegate next)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeHeaderValue Problem = new("application/problem+json");

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.Accept.Count > 0 && request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) &&
            !AdmitsJson(request.Headers.Accept))
        {
            request.Headers.Accept = "application/json, application/problem+json";
        }
        return next(context);
    }

    // A header that does not parse admits nothing the problem writer could match either.
    private static bool AdmitsJson(Microsoft.Extensions.Primitives.StringValues accept) =>
        MediaTypeHeaderValue.TryParseList(accept, out var accepted) &&
        accepted.Any(type => type.Quality is not 0 && (Json.IsSubsetOf(type) || Problem.IsSubsetOf(type)));
}
