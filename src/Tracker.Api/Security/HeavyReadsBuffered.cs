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
/// Bounded: at most <see cref="HeldAtOnce"/> heavy answers are produced or sent at once (each holds up to
/// <see cref="InMemoryUpTo"/> of memory and its file), and at most <see cref="HeldPerClient"/> of them for one client (a
/// key, or an address without one), so that one client's stalled downloads cannot take the others' (the public
/// commitment page's trend among them); more are refused as too many heavy reads. A client must read at least
/// <see cref="SlowestReader"/> (after a few seconds' grace), where Kestrel's default of 240 bytes a second let one hold a
/// 4 MB answer for hours. An answer is never sent while it is produced: a proxy in front waits for the whole of a very
/// large export before its first byte (tried and dropped the same day: sending what remained as it came once production
/// had run 10 s kept the place while a stalled client read, the fault this fixes).
/// </para>
/// <para>
/// An answer produced and then not delivered (its client went away, or read slower than the floor and was cut off) is
/// logged, with its size and route: the work was done for nobody, and a client cut off often is one to look at.
/// </para>
/// </summary>
public sealed class HeavyReadsBuffered(RequestDelegate next, ILogger<HeavyReadsBuffered> logger)
{
    /// <summary>A trend, a page of history or a past view stays in memory; an export goes to a file past this.</summary>
    public const int InMemoryUpTo = 256 * 1024;

    /// <summary>Heavy answers produced or being sent at once, across all clients.</summary>
    public const int HeldAtOnce = 64;

    /// <summary>Heavy answers produced or being sent at once for one client.</summary>
    public const int HeldPerClient = 16;

    /// <summary>The slowest a client may read a heavy answer (bytes a second), after <see cref="SlowestReaderGrace"/>.</summary>
    public const double SlowestReader = 1024;

    public static readonly TimeSpan SlowestReaderGrace = TimeSpan.FromSeconds(10);

    private int _held;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _heldFor = new();

    public async Task InvokeAsync(HttpContext context)
    {
        if (!RateLimits.IsHeavyRead(context.Request))
        {
            await next(context);
            return;
        }
        var client = context.User.Identity?.IsAuthenticated == true && context.User.Identity.Name is { } name
            ? $"user:{name}"
            : $"address:{RateLimits.ClientAddress(context)}";
        var forClient = _heldFor.AddOrUpdate(client, 1, (_, held) => held + 1);
        var all = Interlocked.Increment(ref _held);
        try
        {
            if (forClient > HeldPerClient || all > HeldAtOnce)
            {
                await RateLimits.Refuse(context, "Too many heavy reads at once",
                    forClient > HeldPerClient
                        ? $"At most {HeldPerClient} past views, exports, trends, histories and verifications are produced or sent at once " +
                          "for one client (its key, or its address without one); read those first, or retry {RetryIn}."
                        : $"At most {HeldAtOnce} past views, exports, trends, histories and verifications are produced or sent at once; retry {{RetryIn}}.",
                    TimeSpan.FromSeconds(2));
                return;
            }
            await Answer(context);
        }
        finally
        {
            Interlocked.Decrement(ref _held);
            // Gone once none is held, so the clients kept are those holding answers now, not every one ever.
            if (_heldFor.AddOrUpdate(client, 0, (_, held) => held - 1) == 0) _heldFor.TryRemove(new KeyValuePair<string, int>(client, 0));
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
        // Nothing buffered says no length: a refusal written as the response starts (the past views' 403) comes then.
        if (held.Buffered > 0 && !context.Response.HasStarted && context.Response.ContentLength is null &&
            !context.Response.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.TransferEncoding) &&
            context.Response.StatusCode is not (StatusCodes.Status204NoContent or StatusCodes.Status304NotModified))
        {
            context.Response.ContentLength = held.Buffered;
        }
        try
        {
            await held.Send(context.RequestAborted);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested &&
                                  e is OperationCanceledException or IOException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            // Until 2026-12-08 said nowhere (Kestrel's own line on a reader below the floor is at Information in a category
            // most deployments keep at Warning).
            logger.LogInformation("A heavy answer of {Bytes} bytes to {Method} {Path} was produced and not delivered: its client went away, " +
                                  "or read slower than {Floor} bytes a second after {Grace} s and was cut off",
                held.Buffered, context.Request.Method, context.Request.Path.Value, SlowestReader, SlowestReaderGrace.TotalSeconds);
        }
    }

    /// <summary>The answer's body, buffered until it is produced, then sent.</summary>
    private sealed class HeldAnswer(Stream body) : Stream
    {
        private readonly FileBufferingWriteStream _buffer = new(InMemoryUpTo);

        public bool Written { get; private set; }

        public long Buffered => _buffer.Length;

        public Task Send(CancellationToken token) => _buffer.DrainBufferAsync(body, token);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken token = default)
        {
            Written |= buffer.Length > 0;
            return _buffer.WriteAsync(buffer, token);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken token) =>
            WriteAsync(buffer.AsMemory(offset, count), token).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Written |= count > 0;
            _buffer.Write(buffer, offset, count);
        }

        public override Task FlushAsync(CancellationToken token) => Task.CompletedTask;

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
