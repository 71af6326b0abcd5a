namespace Tracker.Api.Infrastructure;

/// <summary>
/// HEAD is answered wherever GET is (RFC 9110 9.3.2): the request runs as a GET, with the same status and headers, and
/// its body is dropped. Runs before routing, so HEAD finds the GET endpoint instead of a 405.
/// </summary>
public sealed class HeadAsGet(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }
        var body = context.Response.Body;
        context.Request.Method = HttpMethods.Get;
        context.Response.Body = Stream.Null;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
            context.Request.Method = HttpMethods.Head;
        }
    }
}
