using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Tracker.Api.Infrastructure.Http;

/// <summary>
/// Conditional GETs and page links for every JSON read of the API (RFC 9110 8.8.3 and 13.1.2, RFC 8288):
/// - every 200 carries an ETag: the one the endpoint set (a commitment's version, "7"), else a strong tag of the body's
///   SHA-256 ("h-..."); an If-None-Match that matches it is answered 304 with no body;
/// - a page carries Link headers: first, prev, next and last for the lists paged by number (page and pageCount in the
///   body), next for those paged by a cursor (after and next: the history, changelog, timeline and event feed);
/// - the public read models may be kept by the client and revalidated (Cache-Control: private, no-cache); the auditors',
///   the administrators' and one's own identity stay no-store.
/// - an If-Match that names no tag the answer has (strong comparison, RFC 9110 13.1.1) is answered 412 with nothing of
///   the body, and a malformed one is a 400, as on a write (until 2026-12-06 a GET ignored it);
/// The body is held to hash it (the API's pages are bounded), unless the endpoint tagged it itself; the exports, written
/// row by row (and held apart, as heavy reads, by HeavyReadsBuffered), are not hashed, and answer only "If-None-Match: *"
/// (with a 304).
/// </summary>
public sealed class ConditionalGets(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // The exports are known by the endpoint that answers (tagged Exports), not by the path's spelling, which routing
        // takes in any case and with a trailing slash (history.CSV was held here until 2026-12-06, and Wolverine, seeing
        // nothing written, made it a 204 that the copy then failed on: a 500).
        if (!HttpMethods.IsGet(context.Request.Method) || !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }
        // A malformed If-None-Match is a 400, as on a write and as a malformed If-Match is (until 2026-12-07 a read ignored
        // "abc or 12, and took W/* and w/"3" as tags, which they are not: RFC 9110 8.8.3).
        IfNoneMatch.Read(context.Request);
        if (context.GetEndpoint()?.Metadata.GetMetadata<ITagsMetadata>()?.Tags.Contains("Exports") == true)
        {
            await Export(context);
            return;
        }

        var ifMatch = context.Request.Headers.IfMatch;
        var anyTag = ifMatch.Count == 0 || ifMatch.ToString().Trim() == "*";
        // ("*" inside a list is no tag, as on a write: the framework's reader takes it as Any.)
        if (!anyTag && (string.IsNullOrWhiteSpace(ifMatch.ToString()) || !EntityTagHeaderValue.TryParseList(ifMatch, out var listed) ||
                        listed.Any(tag => tag.Equals(EntityTagHeaderValue.Any))))
        {
            throw new HeaderProblem("If-Match", $"If-Match must be \"*\" or ETags this API returned, such as \"3\" (with its quotes); got {ifMatch}.");
        }

        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        var deciding = new DecidingBody(context, original, buffer, comparesIfMatch: !anyTag);
        context.Response.Body = deciding;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        // An endpoint that set its own ETag before writing (a commitment's version) was answered as it wrote.
        if (deciding.Answered) return;

        var response = context.Response;
        if (response.StatusCode != StatusCodes.Status200OK)
        {
            await Copy(buffer, response, original, context.RequestAborted);
            return;
        }

        var etag = response.Headers.ETag.ToString();
        if (etag.Length == 0)
        {
            etag = $"\"h-{Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))[..32]}\"";
            response.Headers.ETag = etag;
        }
        if (!anyTag && !MatchesStrongly(ifMatch, etag))
        {
            // The answer's ETag stays (the tag If-Match missed); what described the body not sent goes.
            response.ContentLength = null;
            response.Headers.Remove(Audit.TimeTravel.ViewHeader);
            await problems.Answer(context, new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status412PreconditionFailed,
                Type = ProblemTypes.PreconditionFailed,
                Title = "If-Match names no tag of this answer",
                Detail = $"If-Match ({ifMatch}) names no tag of what is here now, {etag} (the ETag of this answer): read it again without If-Match."
            });
            return;
        }
        MayBeKept(context);
        if (response.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true) AddPageLinks(context, buffer);

        if (Matches(context.Request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            response.ContentLength = null;
            response.Headers.ContentType = StringValues.Empty;
            return;
        }
        await Copy(buffer, response, original, context.RequestAborted);
    }

    /// <summary>
    /// An export has no ETag (it is streamed, not held to be hashed), so only "If-None-Match: *" can hold of it, and does
    /// whenever there is a file (RFC 9110 13.1.2): its 200 becomes a 304 and nothing of the file is sent (until 2026-12-07
    /// the file was sent).
    /// </summary>
    private async Task Export(HttpContext context)
    {
        if (context.Request.Headers.IfNoneMatch.ToString().Trim() != "*")
        {
            await next(context);
            return;
        }
        var original = context.Response.Body;
        context.Response.Body = new UnchangedExport(context, original);
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
    }

    private static void MayBeKept(HttpContext context)
    {
        if (!Private(context)) context.Response.Headers.CacheControl = "private, no-cache";
    }

    /// <summary>
    /// Decides at the first write: when the endpoint has already set an ETag (and the status is 200), the response goes
    /// straight out (or, if If-None-Match matches it, becomes a 304 and its body is dropped), with no buffer and no copy;
    /// otherwise it is held for <see cref="ConditionalGets"/> to tag and link.
    /// </summary>
    private sealed class DecidingBody(HttpContext context, Stream original, MemoryStream buffer, bool comparesIfMatch) : DecidedAtFirstWrite
    {
        private Stream? _target;

        public bool Answered { get; private set; }

        protected override Stream Target()
        {
            if (_target is not null) return _target;
            var response = context.Response;
            var etag = response.Headers.ETag.ToString();
            // (A GET with If-Match is held too, so that a condition that fails answers 412 instead of the body.)
            if (response.StatusCode != StatusCodes.Status200OK || etag.Length == 0 || comparesIfMatch) return _target = buffer;
            Answered = true;
            MayBeKept(context);
            if (!Matches(context.Request.Headers.IfNoneMatch, etag)) return _target = original;
            response.StatusCode = StatusCodes.Status304NotModified;
            response.ContentLength = null;
            response.Headers.ContentType = StringValues.Empty;
            return _target = Null;
        }

        protected override Stream? Decided => _target;
    }

    /// <summary>An export's body under "If-None-Match: *": a 200 becomes a 304 at its first write, and the rest goes nowhere.</summary>
    private sealed class UnchangedExport(HttpContext context, Stream original) : DecidedAtFirstWrite
    {
        private Stream? _target;

        protected override Stream? Decided => _target;

        protected override Stream Target()
        {
            if (_target is not null) return _target;
            var response = context.Response;
            if (response.StatusCode != StatusCodes.Status200OK) return _target = original;
            response.StatusCode = StatusCodes.Status304NotModified;
            response.ContentLength = null;
            response.Headers.ContentType = StringValues.Empty;
            response.Headers.ContentDisposition = StringValues.Empty;
            return _target = Null;
        }
    }

    /// <summary>A response body that chooses where its bytes go when the first of them is written.</summary>
    private abstract class DecidedAtFirstWrite : Stream
    {
        protected abstract Stream Target();

        protected abstract Stream? Decided { get; }

        public override void Write(byte[] data, int offset, int count) => Target().Write(data, offset, count);
        public override void Write(ReadOnlySpan<byte> data) => Target().Write(data);
        public override Task WriteAsync(byte[] data, int offset, int count, CancellationToken token) => Target().WriteAsync(data, offset, count, token);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken token = default) => Target().WriteAsync(data, token);
        public override void Flush() => Decided?.Flush();
        public override Task FlushAsync(CancellationToken token) => Decided?.FlushAsync(token) ?? Task.CompletedTask;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] data, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    // What only auditors and administrators may read (by the policy of the endpoint that answered, whatever the path's
    // spelling), the past views, and one's own identity.
    private static bool Private(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
            .Any(a => a.Policy is Security.Policies.Audit or Security.Policies.Administer) != false ||
        context.Request.Path.StartsWithSegments("/api/me", StringComparison.OrdinalIgnoreCase) ||
        context.Request.Query.ContainsKey("recordedAsOf") || context.Request.Query.ContainsKey("effectiveAsOf") ||
        context.Request.Query.ContainsKey("version");

    private static async Task Copy(MemoryStream buffer, HttpResponse response, Stream to, CancellationToken token)
    {
        if (buffer.Length == 0) return;
        response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(to, token);
    }

    // Weak comparison (RFC 9110 13.1.2): W/"x" matches "x"; * matches anything.
    private static bool Matches(StringValues ifNoneMatch, string etag)
    {
        if (StringValues.IsNullOrEmpty(ifNoneMatch)) return false;
        if (!EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags) || !EntityTagHeaderValue.TryParse(etag, out var current)) return false;
        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(current, useStrongComparison: false));
    }

    // Strong comparison (RFC 9110 13.1.1, for If-Match): a weak tag matches nothing.
    private static bool MatchesStrongly(StringValues ifMatch, string etag) =>
        EntityTagHeaderValue.TryParseList(ifMatch, out var tags) && EntityTagHeaderValue.TryParse(etag, out var current) &&
        tags.Any(t => t.Compare(current, useStrongComparison: true));

    private static void AddPageLinks(HttpContext context, MemoryStream buffer)
    {
        // Only a page is parsed: a body without either field (a commitment, the dashboard) costs a scan, not a parse.
        var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (body.IndexOf("\"pageCount\":"u8) < 0 && body.IndexOf("\"next\":"u8) < 0) return;
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return;
        }
        if (root.ValueKind != JsonValueKind.Object) return;

        var links = new List<string>();
        if (root.TryGetProperty("page", out var page) && page.ValueKind == JsonValueKind.Number &&
            root.TryGetProperty("pageCount", out var count) && count.ValueKind == JsonValueKind.Number)
        {
            var (prev, next, last) = Paging.Neighbours(page.GetInt64(), count.GetInt64());
            links.Add(Link(context, "page", "1", "first"));
            if (prev is not null) links.Add(Link(context, "page", prev.Value.ToString(), "prev"));
            if (next is not null) links.Add(Link(context, "page", next.Value.ToString(), "next"));
            if (last is not null) links.Add(Link(context, "page", last.Value.ToString(), "last"));
        }
        else if (root.TryGetProperty("next", out var cursor) && cursor.ValueKind == JsonValueKind.Number &&
                 root.TryGetProperty("after", out var after) && after.ValueKind == JsonValueKind.Number &&
                 cursor.GetInt64() != after.GetInt64() &&
                 // The event feed's last page: nothing past its high-water mark yet.
                 !(root.TryGetProperty("highWaterMark", out var high) && high.ValueKind == JsonValueKind.Number &&
                   cursor.GetInt64() >= high.GetInt64()))
        {
            links.Add(Link(context, "after", cursor.GetInt64().ToString(), "next"));
        }
        if (links.Count > 0) context.Response.Headers.Link = string.Join(", ", links);
    }

    // The request's own path and query, with one parameter set: relative, so it holds behind any proxy.
    private static string Link(HttpContext context, string parameter, string value, string relation)
    {
        var query = QueryHelpers.ParseQuery(context.Request.QueryString.Value)
            .Where(q => !string.Equals(q.Key, parameter, StringComparison.OrdinalIgnoreCase))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .Append(new KeyValuePair<string, string?>(parameter, value));
        return $"<{QueryHelpers.AddQueryString(context.Request.PathBase + context.Request.Path, query)}>; rel=\"{relation}\"";
    }
}
