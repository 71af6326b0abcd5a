using System.Diagnostics;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// Every 400 that names fields has one shape, whichever check found it (the query guard, a route's own range check, the
/// framework's parsing, a body's validators): the field map in `errors`, a `detail` that says what is wrong (the message
/// itself when there is one, else the first few), and the title "The query is not valid" when every field named is a
/// query parameter, "A request header is not valid" when every one is a header, "The request is not valid" otherwise (a body that cannot be read, or none sent, keeps its own). Until 2026-12-06
/// three shapes answered the same mistake, some without a detail.
/// </summary>
public static class InputProblems
{
    private const int MessagesInDetail = 3;

    public static void Shape(Microsoft.AspNetCore.Mvc.ProblemDetails problem, HttpContext http)
    {
        if (problem.Status != StatusCodes.Status400BadRequest) return;
        var errors = problem is Microsoft.AspNetCore.Http.HttpValidationProblemDetails { Errors.Count: > 0 } validation
            ? validation.Errors
            : problem.Extensions.TryGetValue("errors", out var map) && map is IDictionary<string, string[]> { Count: > 0 } named ? named : null;
        if (errors is null) return;
        // The framework's own name for the parameter it could not read; the field map names it already.
        problem.Extensions.Remove("parameter");
        if (problem.Title is "The query is not valid" or "The request is not valid")
        {
            // ("query" is the guard's key for a parameter name or escapes it cannot name.) A header the guard refused is
            // titled as a header, as one the service could not read is (ExceptionProblems).
            problem.Title = errors.Keys.All(field => field == "query" || http.Request.Query.ContainsKey(field)) ? "The query is not valid"
                : errors.Keys.All(field => !http.Request.Query.ContainsKey(field) && http.Request.Headers.ContainsKey(field)) ? "A request header is not valid"
                : "The request is not valid";
        }
        var messages = errors.SelectMany(field => field.Value).Distinct().ToList();
        if (problem.Detail is null || problem.Detail.StartsWith("Check ", StringComparison.Ordinal))
        {
            problem.Detail = string.Join(" ", messages.Take(MessagesInDetail)) +
                             (messages.Count > MessagesInDetail ? $" ({messages.Count - MessagesInDetail} more in errors.)" : "");
        }
    }
}

public static class ProblemDetailsSetup
{
    /// <summary>Every error, ours or the framework's (404, 405, 415, 500), is an RFC 9457 problem with a trace id.</summary>
    public static IServiceCollection AddTrackerProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var http = context.HttpContext;
            JsonReadProblems.Rewrite(problem, http.GetEndpoint()?.Metadata.GetMetadata<RequestBody>()?.Type,
                http.Features.Get<Validation.SentJsonBody>() is { } sent
                    ? new SentBody(sent.Bytes, http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions,
                        request => Validation.RequestValidation.ErrorsOf(request, http.RequestServices))
                    : null);
            QueryReadProblems.Rewrite(problem, context.HttpContext);
            InputProblems.Shape(problem, context.HttpContext);
            if (problem.Status == StatusCodes.Status413PayloadTooLarge)
            {
                // The server's own limit on a chunked body says so in its words; said as RequestSizeLimit says it, with
                // the limit it set on the request (until 2026-12-06 the two 413s read differently).
                problem.Type = ProblemTypes.BodyTooLarge;
                problem.Title = "The request body is too large";
                problem.Detail = Tracker.Api.Security.RequestSizeLimit.TooLargeDetail(context.HttpContext.Request,
                    Tracker.Api.Security.RequestSizeLimit.ConfiguredLimit(context.HttpContext.RequestServices.GetRequiredService<IConfiguration>()));
            }
            if (problem.Status == StatusCodes.Status405MethodNotAllowed &&
                context.HttpContext.Response.Headers.Allow.ToString().Split(',', StringSplitOptions.TrimEntries) is var allowed &&
                allowed.Contains("GET") && !allowed.Contains("HEAD"))
            {
                // HEAD is answered wherever GET is (HeadAsGet, before routing), which routing's own list does not know.
                context.HttpContext.Response.Headers.Allow = string.Join(", ", [.. allowed, "HEAD"]);
            }
            if (problem.Status == StatusCodes.Status401Unauthorized)
            {
                // A bearer token's refusal carries its own challenge (JwtBearer's); a key's, or none, carries ours.
                if (context.HttpContext.Response.Headers.WWWAuthenticate.Count == 0)
                {
                    context.HttpContext.Response.Headers.WWWAuthenticate = Security.ApiKeyAuthentication.Challenges;
                }
                problem.Detail ??= context.HttpContext.Items[Security.ApiKeyAuthentication.RefusedBecause] as string ??
                                   Security.Refusals.Unauthenticated(context.HttpContext);
            }
            if (problem.Status == StatusCodes.Status403Forbidden)
            {
                problem.Detail ??= Security.Refusals.Forbidden(context.HttpContext);
                // Who was refused what: the framework's own line names neither the caller nor the route (until 2026-12-07
                // an operator could not tell which key kept asking for what its role does not allow).
                context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Security.Refusals))
                    .LogInformation("{Actor} was refused {Method} {Path}: {Detail}", Auditing.WriteMetadata.ActorOf(context.HttpContext),
                        context.HttpContext.Request.Method, Http.RequestLine.PathAsSent(context.HttpContext), problem.Detail);
            }
            // The framework's own 404 (no route) and 405 say nothing; every other problem of the API does.
            // An endpoint that answered 404 without a word has a route: what the path names is not there.
            if (problem.Status == StatusCodes.Status404NotFound)
                problem.Detail ??= context.HttpContext.GetEndpoint() is null
                    ? "No route of the API is at this path: the OpenAPI document (/openapi/v1.json) lists them."
                    : "Nothing is at this path: the route exists, but what the path names does not.";
            if (problem.Status == StatusCodes.Status405MethodNotAllowed)
                problem.Detail ??= $"This path answers {context.HttpContext.Response.Headers.Allow} only.";
            // The framework's 415, for a route that reads a JSON body and was sent an empty one without a JSON type, in the
            // words of every other 415 (until 2026-12-07 its title alone, "Unsupported Media Type").
            if (problem.Status == StatusCodes.Status415UnsupportedMediaType && problem.Detail is null)
            {
                problem.Title = "The request body must be JSON";
                problem.Detail = "This route reads a JSON object: send it with Content-Type: application/json.";
                problem.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = ["Content-Type must be application/json."] };
            }
            // The path as sent (until 2026-12-07 as decoded, so that a '%' escaped as %25 read as an escape of its own),
            // also where the framework set it already (a body it could not read), decoded.
            problem.Instance = Http.RequestLine.PathAsSent(context.HttpContext);
            problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
            if (problem.Type is null or "about:blank" || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal)
                || problem.Type.StartsWith("https://httpstatuses.com/", StringComparison.Ordinal))
            {
                problem.Type = problem.Status switch
                {
                    StatusCodes.Status404NotFound => ProblemTypes.NotFound,
                    StatusCodes.Status409Conflict => ProblemTypes.Conflict,
                    StatusCodes.Status400BadRequest => ProblemTypes.Validation,
                    StatusCodes.Status405MethodNotAllowed => ProblemTypes.MethodNotAllowed,
                    StatusCodes.Status415UnsupportedMediaType => ProblemTypes.UnsupportedMediaType,
                    StatusCodes.Status401Unauthorized => ProblemTypes.Unauthorized,
                    StatusCodes.Status403Forbidden => ProblemTypes.Forbidden,
                    _ => problem.Type
                };
            }
        });
        services.AddExceptionHandler<ExceptionProblems>();
        return services;
    }

    public static WebApplication UseTrackerProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
