using Microsoft.AspNetCore.Http.Features;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// HEAD is answered wherever GET is (RFC 9110 9.3.2): the request runs as a GET, with the same status and headers, and
/// its body is dropped. Runs before routing, so HEAD finds the GET endpoint instead of a 405.
/// </summary>
public sealed class HeadAsGet(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // HEAD as spelled: "head" is no method (KnownMethods answers it).
        if (!string.Equals(context.Request.Method, HttpMethods.Head, StringComparison.Ordinal))
        {
            await next(context);
            return;
        }
        var body = context.Response.Body;
        context.Request.Method = HttpMethods.Get;
        context.Response.Body = new DroppedBody(context.Features.Get<IHttpResponseBodyFeature>()!);
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

    /// <summary>
    /// A body that goes nowhere, but whose first bytes start the response as the GET's would (its status and headers are
    /// sent then, and the server sends no body for a HEAD): an endpoint that streams its body (the exports) would otherwise
    /// look to Wolverine like one that wrote nothing, which it answers 204.
    /// </summary>
    private sealed class DroppedBody(IHttpResponseBodyFeature response) : Stream
    {
        private bool _started;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => 0;
        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_started || buffer.IsEmpty) return;
            _started = true;
            await response.StartAsync(cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // Synchronous writes (which Kestrel refuses by default) are dropped without starting the response.
        public override void Write(byte[] buffer, int offset, int count) { }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
