using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;

namespace Tracker.Api.Security;

/// <summary>Refuses request bodies over Limits:MaxRequestBodyBytes (default 1 MiB) with a 413 problem.</summary>
public sealed class RequestSizeLimit(RequestDelegate next, IConfiguration configuration, IProblemDetailsService problems)
{
    private readonly long _limit = ConfiguredLimit(configuration);

    public static long ConfiguredLimit(IConfiguration configuration) => configuration.GetValue("Limits:MaxRequestBodyBytes", 1024L * 1024);

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
                Detail = TooLargeDetail(_limit)
            });
            return;
        }
        await next(context);
    }

    /// <summary>What a 413 says, whether the length was declared or counted as a chunked body arrived.</summary>
    public static string TooLargeDetail(long limit) =>
        $"Request bodies are limited to {limit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes (Limits:MaxRequestBodyBytes).";
}
