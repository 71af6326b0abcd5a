using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;

namespace Tracker.Api.Security;

/// <summary>Refuses request bodies over Limits:MaxRequestBodyBytes (default 1 MiB) with a 413 problem.</summary>
public sealed class RequestSizeLimit(RequestDelegate next, IConfiguration configuration, IProblemDetailsService problems)
{
    private readonly long _limit = configuration.GetValue("Limits:MaxRequestBodyBytes", 1024L * 1024);

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = _limit;
        }

        if (context.Request.ContentLength > _limit)
        {
            await problems.Answer(context, new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Type = ProblemTypes.BodyTooLarge,
                Title = "The request body is too large",
                Detail = $"Request bodies are limited to {_limit} bytes."
            });
            return;
        }
        await next(context);
    }
}
