using Microsoft.AspNetCore.Routing;

namespace Tracker.Api.Infrastructure.Http;

/// <summary>
/// If-Match on a write that has no version to compare it with: creating a commitment, registering a document, starting a
/// rebuild. Only a commitment's writes compare If-Match with the commitment's version
/// (<see cref="Commitments.CommitmentWritePolicy"/> marks them with <see cref="ComparesIfMatch"/>). Elsewhere the header
/// was ignored until 2026-12-06, so a client that sent If-Match: "3" to POST /api/commitments believing it guarded a
/// write got a write it had not guarded. RFC 9110 13.1.1: a list of entity tags matches only a current representation
/// with one of them, and these resources have no such version, so the condition is false (412) and nothing is done;
/// "*" (the target exists) holds, and a malformed value is a 400 as on any write.
/// </summary>
public sealed class IfMatchOnOtherWrites(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        // If-None-Match on such a write (RFC 9110 13.1.2): "*" asks that the target not exist, and the collection it adds to
        // (or the log it reads) does; a list of tags names no version here, so it holds. A malformed one is a 400. Until
        // 2026-12-07 the header was ignored on every write.
        if (context.Request.Headers.IfNoneMatch.Count > 0 && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) &&
            !HttpMethods.IsOptions(method) && context.GetEndpoint() is { } target && target.Metadata.GetMetadata<ComparesIfMatch>() is null &&
            target.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(method, StringComparer.OrdinalIgnoreCase) == true &&
            IfNoneMatch.Read(context.Request) is { Anything: true })
        {
            await problems.Answer(context, new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status412PreconditionFailed,
                Type = ProblemTypes.PreconditionFailed,
                Title = "If-None-Match: * holds of what this request writes to",
                Detail = "Nothing was done. If-None-Match: * asks that the target not exist, and the collection this request adds " +
                         "to exists (a key that is taken is a 409 anyway). Send it without If-None-Match."
            });
            return;
        }
        // A write's route, or a read an auditor sends by POST (/api/audit/verify, whose answer has no version either: until
        // 2026-12-06 its If-Match was ignored); not a GET, and not a method the path does not answer (routing's own endpoint
        // for a 405, which is then answered as such). (Without the header, as nearly every write comes, nothing more is looked at.)
        if (context.Request.Headers.IfMatch.Count == 0 ||
            HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) ||
            context.GetEndpoint() is not { } endpoint || endpoint.Metadata.GetMetadata<ComparesIfMatch>() is not null ||
            endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(method, StringComparer.OrdinalIgnoreCase) != true ||
            !Versions.TryReadIfMatch(context.Request, out var condition) || condition.Versions.Count == 0)
        {
            await next(context);
            return;
        }

        await problems.Answer(context, new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status412PreconditionFailed,
            Type = ProblemTypes.PreconditionFailed,
            Title = "If-Match names a version this request has none of",
            Detail = $"Nothing was done. If-Match ({context.Request.Headers.IfMatch}) names versions of a commitment, and this " +
                     (context.Request.Path.StartsWithSegments(Auditing.WriteMetadata.ReadOnlyPrefix.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
                         ? "verification reads the whole log, which has no version"
                         : "request writes to no existing commitment") +
                     ", so none can match. Send it without If-Match (or with If-Match: *)."
        });
    }
}

/// <summary>An endpoint that compares If-Match with the version of what it writes.</summary>
public sealed record ComparesIfMatch;

/// <summary>
/// A write that answers the version it leaves its resource at in ETag without comparing one first (a commitment's
/// statement, version 1): the OpenAPI document lists the header on its success.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AnswersVersionAttribute : Attribute;
