using Microsoft.AspNetCore.Http.Features;

namespace Tracker.Api.Infrastructure.Http;

/// <summary>The request's path as its client wrote it on the request line.</summary>
public static class RequestLine
{
    /// <summary>
    /// The path as sent, its percent-escapes as written: the server's decoded path holds a '%' a client escaped (%25E9
    /// reads as %E9) as if it were an escape, and re-escaped it names another resource. The decoded path where the server
    /// gives no request line (a target in absolute form, a host without one).
    /// </summary>
    public static string PathAsSent(this HttpContext context) =>
        context.Features.Get<IHttpRequestFeature>()?.RawTarget is ['/', ..] target
            ? target.Split('?', 2)[0]
            : context.Request.PathBase.Add(context.Request.Path).ToUriComponent();
}
