using Microsoft.AspNetCore.Mvc;

namespace Tracker.Api.Infrastructure.Http;

/// <summary>
/// A method's name is case-sensitive (RFC 9110 9.1): "head" or "post" is no method this service knows, and neither is
/// one it has never heard of; each is a 501 (RFC 9110 15.6.2) saying which methods there are. Until 2026-12-07 routing
/// took "post" as POST (a write was recorded, and its idempotency key compared as another method's), and "head" was
/// answered as HEAD with a length and no body, which the server then failed on and logged as an error. So is a transfer
/// coding other than chunked.
/// </summary>
public sealed class KnownMethods(RequestDelegate next, IProblemDetailsService problems)
{
    private static readonly string[] Methods =
    [
        HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch,
        HttpMethods.Options, HttpMethods.Trace, HttpMethods.Connect
    ];

    /// <summary>The methods the service's routes answer, HEAD for every GET and OPTIONS for a browser's preflight.</summary>
    public const string RoutesAnswer = "GET, HEAD, POST, OPTIONS";

    public Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if (Array.IndexOf(Methods, method) >= 0)
        {
            // "OPTIONS *" asks about the server, not a resource (RFC 9110 9.3.7): the methods its routes answer. Until
            // 2026-12-07 it was a 404 problem whose instance was empty (the target has no path).
            if (HttpMethods.IsOptions(method) && context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget == "*")
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                context.Response.Headers.Allow = RoutesAnswer;
                return Task.CompletedTask;
            }
            // A transfer coding the server does not undo (only chunked is; RFC 9112 6.1): the body as read is not the body
            // sent, and where it ends is in doubt, so the connection is closed after the answer (until 2026-12-07 "gzip,
            // chunked" was read as chunked alone, the gzip dropped).
            var transfer = context.Request.Headers.TransferEncoding;
            if (transfer.Count == 0 || transfer.All(value => value is not null && value.Split(',').All(coding =>
                    coding.Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase))))
            {
                return next(context);
            }
            context.Response.Headers.Connection = "close";
            return problems.Answer(context, new ProblemDetails
            {
                Status = StatusCodes.Status501NotImplemented,
                Type = ProblemTypes.NotImplemented,
                Title = "The request's transfer coding is not one this service knows",
                Detail = $"Transfer-Encoding: {Printable(transfer.ToString())} is not taken: send the body as it is, or chunked alone."
            });
        }

        var meant = Methods.FirstOrDefault(m => string.Equals(m, method, StringComparison.OrdinalIgnoreCase));
        return problems.Answer(context, new ProblemDetails
        {
            Status = StatusCodes.Status501NotImplemented,
            Type = ProblemTypes.NotImplemented,
            Title = "The request's method is not one this service knows",
            Detail = meant is null
                ? $"{Printable(method)} is not a method this service knows; its routes answer {RoutesAnswer}."
                : $"{Printable(method)} is not a method this service knows: a method's name is case-sensitive, so send it as {meant}."
        });
    }

    // A method is a token (RFC 9110 5.6.2) as the server parsed it, but bounded: it is said back, not echoed whole.
    private static string Printable(string method) => method.Length <= 32 ? $"'{method}'" : $"'{method[..32]}…'";
}
