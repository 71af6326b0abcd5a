using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
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
/// <para>
/// Bounded three ways: at most <see cref="HeldAtOnce"/> heavy answers are produced or sent at once (each holds up to
/// <see cref="InMemoryUpTo"/> of memory and its file; more are refused as too many heavy reads); an answer whose
/// production runs past <see cref="StreamAfter"/> (an export of a very large tracker) is sent as it goes from then on,
/// keeping its place as before, so a proxy waiting for its first byte (60 s in nginx's and AWS's defaults) never times
/// out; and a client must read at least <see cref="SlowestReader"/> (after a few seconds' grace), where Kestrel's
/// default of 240 bytes a second let one hold a 4 MB answer for hours.
/// </para>
/// </summary>
public sealed class HeavyReadsBuffered(RequestDelegate next)
{
    /// <summary>A trend, a page of history or a past view stays in memory; an export goes to a file past this.</summary>
    public const int InMemoryUpTo = 256 * 1024;

    /// <summary>Heavy answers produced or being sent at once, across all clients.</summary>
    public const int HeldAtOnce = 64;

    /// <summary>How long an answer is produced into its buffer before what follows is sent as it comes.</summary>
    public static readonly TimeSpan StreamAfter = TimeSpan.FromSeconds(10);

    /// <summary>The slowest a client may read a heavy answer (bytes a second), after <see cref="SlowestReaderGrace"/>.</summary>
    public const double SlowestReader = 1024;

    public static readonly TimeSpan SlowestReaderGrace = TimeSpan.FromSeconds(10);

    private int _held;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!RateLimits.IsHeavyRead(context.Request))
        {
            await next(context);
            return;
        }
        if (Interlocked.Increment(ref _held) > HeldAtOnce)
        {
            Interlocked.Decrement(ref _held);
            await RateLimits.Refuse(context, "Too many heavy reads at once",
                $"At most {HeldAtOnce} past views, exports, trends, histories and verifications are produced or sent at once; retry {{RetryIn}}.",
                TimeSpan.FromSeconds(2));
            return;
        }
        try
        {
            await Answer(context);
        }
        finally
        {
            Interlocked.Decrement(ref _held);
        }
    }

    private async Task Answer(HttpContext context)
    {
        try
        {
            // Not offered over HTTP/2, where the connection's flow control bounds what a stalled reader holds.
            if (context.Features.Get<IHttpMinResponseDataRateFeature>() is { } rate)
                rate.MinDataRate = new MinDataRate(SlowestReader, SlowestReaderGrace);
        }
        catch (NotSupportedException)
        {
        }
        var body = context.Response.Body;
        var response = context.Features.GetRequiredFeature<IHttpResponseFeature>();
        await using var held = new HeldAnswer(body);
        context.Response.Body = held;
        context.Features.Set<IHttpResponseFeature>(new Buffered(response, held));
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(response);
            context.Response.Body = body;
        }
        if (held.Sending) return;
        // Nothing buffered says no length: a refusal written as the response starts (the past views' 403) comes then.
        if (held.Buffered > 0 && !context.Response.HasStarted && context.Response.ContentLength is null &&
            !context.Response.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.TransferEncoding) &&
            context.Response.StatusCode is not (StatusCodes.Status204NoContent or StatusCodes.Status304NotModified))
        {
            context.Response.ContentLength = held.Buffered;
        }
        await held.Send(context.RequestAborted);
    }

    /// <summary>
    /// The answer's body: buffered until it is produced, or, once its production has run past <see cref="StreamAfter"/>,
    /// what was buffered sent and the rest written through.
    /// </summary>
    private sealed class HeldAnswer(Stream body) : Stream
    {
        private readonly FileBufferingWriteStream _buffer = new(InMemoryUpTo);
        private readonly long _started = Environment.TickCount64;

        public bool Sending { get; private set; }

        public bool Written { get; private set; }

        public long Buffered => _buffer.Length;

        public Task Send(CancellationToken token) => _buffer.DrainBufferAsync(body, token);

        private async ValueTask<Stream> Target(CancellationToken token)
        {
            if (!Sending && Environment.TickCount64 - _started > (long)StreamAfter.TotalMilliseconds)
            {
                await _buffer.DrainBufferAsync(body, token);
                Sending = true;
            }
            return Sending ? body : _buffer;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken token = default)
        {
            Written |= buffer.Length > 0;
            await (await Target(token)).WriteAsync(buffer, token);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken token) =>
            WriteAsync(buffer.AsMemory(offset, count), token).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Written |= count > 0;
            (Sending ? body : _buffer).Write(buffer, offset, count);
        }

        public override async Task FlushAsync(CancellationToken token)
        {
            if (Sending) await body.FlushAsync(token);
        }

        public override void Flush()
        {
        }

        public override async ValueTask DisposeAsync()
        {
            await _buffer.DisposeAsync();
            await base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _buffer.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>
    /// The response as the endpoint sees it: begun once it has written a byte, as it would be unbuffered (Wolverine
    /// answers an endpoint that wrote its own body and returned nothing 204 when the response has not begun).
    /// </summary>
    private sealed class Buffered(IHttpResponseFeature response, HeldAnswer held) : IHttpResponseFeature
    {
        public int StatusCode { get => response.StatusCode; set => response.StatusCode = value; }
        public string? ReasonPhrase { get => response.ReasonPhrase; set => response.ReasonPhrase = value; }
        public IHeaderDictionary Headers { get => response.Headers; set => response.Headers = value; }
        [Obsolete("Use IHttpResponseBodyFeature.Stream, as the framework does.")]
        public Stream Body { get => held; set => throw new NotSupportedException("The body of a heavy read is its buffer."); }
        public bool HasStarted => response.HasStarted || held.Written;
        public void OnStarting(Func<object, Task> callback, object state) => response.OnStarting(callback, state);
        public void OnCompleted(Func<object, Task> callback, object state) => response.OnCompleted(callback, state);
    }
}
