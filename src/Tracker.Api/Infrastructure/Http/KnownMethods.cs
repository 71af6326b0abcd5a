using Microsoft.AspNetCore.Mvc;

namespace Tracker.Api.Infrastructure.Http;

/// <summary>
/// A method's name is case-sensitive (RFC 9110 9.1): "head" or "post" is no method this service knows, and neither is
/// one it has never heard of; each is a 501 (RFC 9110 15.6.2) saying which methods there are. Until 2026-12-07 routing
/// took "post" as POST (a write was recorded, and its idempotency key compared as another method's), and "head" was
/// answered as HEAD with a length and no body, which the server then failed on and logged as an error.
/// </summary>
public sealed class KnownMethods(RequestDelegate next, IProblemDetailsService problems)
{
    private static readonly string[] Methods =
    [
        HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch,
        HttpMethods.Options, HttpMethods.Trace, HttpMethods.Connect
    ];

    public Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if (Array.IndexOf(Methods, method) >= 0) return next(context);

        var meant = Methods.FirstOrDefault(m => string.Equals(m, method, StringComparison.OrdinalIgnoreCase));
        return problems.Answer(context, new ProblemDetails
        {
            Status = StatusCodes.Status501NotImplemented,
            Type = ProblemTypes.MethodNotImplemented,
            Title = "The request's method is not one this service knows",
            Detail = meant is null
                ? $"{Printable(method)} is not a method this service knows; its routes answer GET, HEAD, POST and OPTIONS."
                : $"{Printable(method)} is not a method this service knows: a method's name is case-sensitive, so send it as {meant}."
        });
    }

    // A method is a token (RFC 9110 5.6.2) as the server parsed it, but bounded: it is said back, not echoed whole.
    private static string Printable(string method) => method.Length <= 32 ? $"'{method}'" : $"'{method[..32]}…'";
}
