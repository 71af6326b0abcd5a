using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;

namespace Tracker.Api.Security;

/// <summary>Refuses request bodies over Limits:MaxRequestBodyBytes (default 1 MiB) with a 413 problem.</summary>
public sealed class RequestSizeLimit(RequestDelegate next, IConfiguration configuration, IProblemDetailsService problems)
{
    private readonly long _limit = ConfiguredLimit(configuration);

    public static long ConfiguredLimit(IConfiguration configuration) => configuration.GetValue("Limits:MaxRequestBodyBytes", 1024L * 1024);

    /// <summary>
    /// The body of a verification against a kept checkpoint (about a kilobyte as published): it is a heavy read, and holds
    /// one of the few places those have while its body arrives, so its body is small and must come at a working pace
    /// (Kestrel's least, 240 bytes a second, let a megabyte hold a place for over an hour).
    /// </summary>
    public const long KeptCheckpointLimit = 64 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var limit = _limit;
        if (IsKeptCheckpoint(context.Request))
        {
            limit = Math.Min(limit, KeptCheckpointLimit);
            // HTTP/1.1 only: HTTP/2's streams refuse any rate but none (it would throw, a 500 for every verification).
            if (HttpProtocol.IsHttp11(context.Request.Protocol) &&
                context.Features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.IHttpMinRequestBodyDataRateFeature>() is { } rate)
                rate.MinDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(bytesPerSecond: 4096, gracePeriod: TimeSpan.FromSeconds(2));
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength > limit)
        {
            await problems.Answer(context, new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Type = ProblemTypes.BodyTooLarge,
                Title = "The request body is too large",
                Detail = TooLargeDetail(context.Request, _limit)
            });
            return;
        }
        await next(context);
    }

    /// <summary>A verification against a kept checkpoint (POST /api/audit/verify).</summary>
    public static bool IsKeptCheckpoint(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) &&
        request.Path.StartsWithSegments("/api/audit/verify", StringComparison.OrdinalIgnoreCase, out var rest) &&
        (rest.Value ?? "").Trim('/').Length == 0;

    /// <summary>What a 413 says for a request, under the configured limit.</summary>
    public static string TooLargeDetail(HttpRequest request, long configured) =>
        IsKeptCheckpoint(request) && KeptCheckpointLimit < configured
            ? $"A kept checkpoint is at most {KeptCheckpointLimit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes; send it as published."
            : TooLargeDetail(configured);

    /// <summary>What a 413 says, whether the length was declared or counted as a chunked body arrived.</summary>
    public static string TooLargeDetail(long limit) =>
        $"Request bodies are limited to {limit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes (Limits:MaxRequestBodyBytes).";
}
