using Microsoft.AspNetCore.Mvc;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>
/// Query parameters and the headers the service records or keys on (X-Correlation-Id, Idempotency-Key, If-Match) are
/// text a client sends, like a body's fields: a control character in a query value, or a recorded header that is not
/// printable ASCII or is too long, is a 400 naming it, before anything reads it. Nothing is trimmed or cut silently.
/// </summary>
public sealed class RequestTextGuard(RequestDelegate next, IProblemDetailsService problems)
{
    public const int MaxHeaderLength = 200;
    private static readonly string[] RecordedHeaders = ["X-Correlation-Id", "Idempotency-Key", "If-Match"];

    public async Task InvokeAsync(HttpContext context)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, values) in context.Request.Query)
        {
            if (InputBounds.TextProblem(name, multiLine: false) is { } badName)
            {
                errors["query"] = [$"A query parameter name {badName}"];
                continue;
            }
            foreach (var value in values)
            {
                if (value is not null && InputBounds.TextProblem(value, multiLine: false) is { } problem) errors[name] = [$"{name} {problem}"];
            }
        }
        foreach (var header in RecordedHeaders)
        {
            if (!context.Request.Headers.TryGetValue(header, out var values)) continue;
            var value = values.ToString();
            if (value.Any(c => c is < ' ' or > '~'))
            {
                errors[header] = [$"{header} must be printable ASCII (letters, digits and punctuation; a UUID is a good choice)."];
            }
            else if (value.Length > MaxHeaderLength)
            {
                errors[header] = [$"{header} has at most {MaxHeaderLength} characters."];
            }
        }
        if (errors.Count == 0)
        {
            await next(context);
            return;
        }
        await problems.Answer(context, new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Type = ProblemTypes.Validation,
            Title = "The request is not valid",
            Detail = $"Check {string.Join(", ", errors.Keys)}."
        });
    }
}
