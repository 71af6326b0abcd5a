using Microsoft.AspNetCore.Mvc;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>
/// A write with a body must say it is JSON (application/json, or a +json type) in UTF-8: a body without a Content-Type,
/// or with another charset, is a 415 problem, not read as JSON on a guess. Media types are case-insensitive (RFC 9110),
/// so "APPLICATION/JSON" is JSON: it is passed on spelled as the endpoints expect. Bodyless POSTs (a rebuild) pass.
/// A JSON body is read whole here (the size limit, set before, still answers 413) and kept as sent (<see cref="SentJsonBody"/>):
/// the endpoint reads it from memory, a retry reads it again, and a body the JSON reader refuses can be said of as a
/// whole (not UTF-8, cut short, fields left out beside other mistakes: JsonReadProblems).
/// </summary>
public sealed class JsonBodiesOnly(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var hasBody = MayHaveBody(context);
        if (hasBody && !HttpMethods.IsGet(request.Method) && request.Path.StartsWithSegments("/api"))
        {
            // A body of unknown length (chunked) is read first: an empty one, which some clients send for an empty POST,
            // is no body, whatever its type says (until 2026-12-06 a 415 or a 400).
            byte[]? read = null;
            if (request.ContentLength is null)
            {
                read = await ReadWhole(request.BodyReader, context.RequestAborted);
                request.Body = new MemoryStream(read, writable: false);
                if (read.Length == 0)
                {
                    await next(context);
                    return;
                }
            }
            // A body in a content coding (gzip) is not read as what it decodes to: refused with the coding it may have
            // (RFC 9110 15.5.16), never read as JSON as sent (until 2026-12-07 a gzip body was a 400 about UTF-8, and
            // plain JSON labelled gzip was recorded).
            if (request.Headers.ContentEncoding.Any(coding => !string.IsNullOrWhiteSpace(coding) &&
                                                            coding!.Split(',').Any(c => !c.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase))))
            {
                context.Response.Headers.AcceptEncoding = "identity";
                await Refuse(context, "The request body must not be encoded",
                    $"The body was sent with Content-Encoding: {request.Headers.ContentEncoding}; send it as it is, with no Content-Encoding.",
                    "Content-Encoding must be left out (or identity).");
                return;
            }
            if (!TryParseJson(request.ContentType, out var media))
            {
                await Refuse(context, "The request body must be JSON", "Send the body with Content-Type: application/json.",
                    "Content-Type must be application/json.");
                return;
            }
            // A patch document (RFC 7396, RFC 6902) asks for a partial change, which no route here makes: read as a whole
            // request, its fields left out would be refused one by one, or a JSON Patch's list of operations as a body of
            // the wrong shape, instead of the one thing wrong (until 2026-12-07 both were taken as JSON like any +json type).
            if (PatchDocuments.Contains(media.MediaType.Value!))
            {
                var patch = media.MediaType.Value!.ToLowerInvariant();
                await Refuse(context, "The request body must be the whole request",
                    $"{patch} asks for a partial change, which this API does not make: send the whole request as application/json.",
                    "Content-Type must be application/json (no route takes a patch document).");
                return;
            }
            // A charset named twice says two things of one body (until 2026-12-07 the first was believed).
            if (media.Parameters.Count(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)) > 1)
            {
                await Refuse(context, "The request body must be UTF-8", "Content-Type names its charset more than once; name it once, utf-8.",
                    "Content-Type's charset must be utf-8 (or left out), named once.");
                return;
            }
            // A charset named with no value says nothing of the body ("charset=", or "charset" alone).
            if (media.Parameters.Any(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase) &&
                                          Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(p.Value).Length == 0))
            {
                await Refuse(context, "The request body must be UTF-8", "Content-Type names a charset with no value; name utf-8, or leave it out.",
                    "Content-Type's charset must be utf-8 (or left out).");
                return;
            }
            // A parameter's value may be quoted (RFC 9110 5.6.6): charset="utf-8" is utf-8.
            var charset = Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(media.Charset);
            if (charset.HasValue && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            {
                await Refuse(context, "The request body must be UTF-8", $"The body was sent as {charset}; JSON is read as UTF-8 only.",
                    "Content-Type's charset must be utf-8 (or left out).");
                return;
            }
            request.ContentType = media.MediaType.Value!.ToLowerInvariant() + (media.Charset.HasValue ? "; charset=utf-8" : "");
            var sent = read ?? await ReadWhole(request.BodyReader, context.RequestAborted);
            request.Body = new MemoryStream(sent, writable: false);
            context.Features.Set(new SentJsonBody(sent));
        }
        await next(context);
    }

    /// <summary>
    /// Whether a request may carry content: a length above zero, or none given where the server says content may follow
    /// (chunked, or HTTP/2 and later, where a body needs no length). One answer for the JSON check here and for the
    /// routes that read no body (RequestTextGuard): until 2026-12-06 this one missed an HTTP/2 body sent without a length.
    /// </summary>
    public static bool MayHaveBody(HttpContext context)
    {
        var request = context.Request;
        return request.ContentLength > 0 || request.ContentLength is null &&
            context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true &&
            (request.Headers.TransferEncoding.Count > 0 || !HttpProtocol.IsHttp11(request.Protocol) && !HttpProtocol.IsHttp10(request.Protocol));
    }

    private static async Task<byte[]> ReadWhole(System.IO.Pipelines.PipeReader reader, CancellationToken token)
    {
        while (true)
        {
            var read = await reader.ReadAsync(token);
            if (read.IsCanceled) throw new OperationCanceledException(token);
            if (read.IsCompleted)
            {
                var bytes = System.Buffers.BuffersExtensions.ToArray(read.Buffer);
                reader.AdvanceTo(read.Buffer.End);
                return bytes;
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static readonly HashSet<string> PatchDocuments =
        new(["application/merge-patch+json", "application/json-patch+json"], StringComparer.OrdinalIgnoreCase);

    private Task Refuse(HttpContext context, string title, string detail, string error) =>
        problems.Answer(context, new ProblemDetails
        {
            Status = StatusCodes.Status415UnsupportedMediaType,
            Type = ProblemTypes.UnsupportedMediaType,
            Title = title,
            Detail = detail,
            Extensions = { ["errors"] = new Dictionary<string, string[]> { ["body"] = [error] } }
        });

    private static bool TryParseJson(string? contentType, out Microsoft.Net.Http.Headers.MediaTypeHeaderValue media)
    {
        media = null!;
        return contentType is not null && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out media!)
            && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                // A +json type names a type before its suffix ("application/+json" names none).
                || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase) && media.SubTypeWithoutSuffix.Length > 0);
    }
}

/// <summary>A request's JSON body as it was sent, kept by <see cref="JsonBodiesOnly"/>.</summary>
public sealed record SentJsonBody(byte[] Bytes);
