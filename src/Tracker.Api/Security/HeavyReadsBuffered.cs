using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace Tracker.Api.Security;

/// <summary>
/// A heavy read (an export, a trend, a history, a past view, a verification) is answered into a buffer, in memory up to
/// <see cref="InMemoryUpTo"/> and then in a temporary file deleted with it, and sent only once its place among the few
/// that run at once (<see cref="RateLimits.HeavyReadsAtOnce"/>) is given back: those places are for the database and
/// the cores, not for a client's network. Until 2026-12-08 a download kept its place until the client had read it all:
/// two clients that stopped reading a 4 MB IATI file held both places of a 2-core node, and every trend (the public
/// commitment page's chart), export and past view waited behind them for as long as they stayed connected. Placed
/// before the rate limiter, whose lease ends when the answer has been produced. The answer then also says its length.
/// </summary>
public sealed class HeavyReadsBuffered(RequestDelegate next)
{
    /// <summary>A trend, a page of history or a past view stays in memory; an export goes to a file past this.</summary>
    public const int InMemoryUpTo = 256 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!RateLimits.IsHeavyRead(context.Request))
        {
            await next(context);
            return;
        }
        var body = context.Response.Body;
        var response = context.Features.GetRequiredFeature<IHttpResponseFeature>();
        await using var buffer = new FileBufferingWriteStream(InMemoryUpTo);
        context.Response.Body = buffer;
        context.Features.Set<IHttpResponseFeature>(new Buffered(response, buffer));
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(response);
            context.Response.Body = body;
        }
        // Nothing buffered says no length: a refusal written as the response starts (the past views' 403) comes then.
        if (buffer.Length > 0 && !context.Response.HasStarted && context.Response.ContentLength is null &&
            !context.Response.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.TransferEncoding) &&
            !HttpMethods.IsHead(context.Request.Method) &&
            context.Response.StatusCode is not (StatusCodes.Status204NoContent or StatusCodes.Status304NotModified))
        {
            context.Response.ContentLength = buffer.Length;
        }
        await buffer.DrainBufferAsync(body, context.RequestAborted);
    }

    /// <summary>
    /// The response as the endpoint sees it: begun once it has written a byte, as it would be unbuffered (Wolverine
    /// answers an endpoint that wrote its own body and returned nothing 204 when the response has not begun).
    /// </summary>
    private sealed class Buffered(IHttpResponseFeature response, FileBufferingWriteStream buffer) : IHttpResponseFeature
    {
        public int StatusCode { get => response.StatusCode; set => response.StatusCode = value; }
        public string? ReasonPhrase { get => response.ReasonPhrase; set => response.ReasonPhrase = value; }
        public IHeaderDictionary Headers { get => response.Headers; set => response.Headers = value; }
        [Obsolete("Use IHttpResponseBodyFeature.Stream, as the framework does.")]
        public Stream Body { get => buffer; set => throw new NotSupportedException("The body of a heavy read is its buffer."); }
        public bool HasStarted => response.HasStarted || buffer.Length > 0;
        public void OnStarting(Func<object, Task> callback, object state) => response.OnStarting(callback, state);
        public void OnCompleted(Func<object, Task> callback, object state) => response.OnCompleted(callback, state);
    }
}
