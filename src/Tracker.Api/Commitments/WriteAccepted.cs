using Tracker.Api.Infrastructure;

namespace Tracker.Api.Commitments;

/// <summary>200 (or 201 with a Location) with the new stream version as the ETag, so the next write can send If-Match.</summary>
public sealed class WriteAccepted(object body, int version, string? location) : IResult
{
    public Task ExecuteAsync(HttpContext http)
    {
        http.Response.Headers.ETag = Versions.ToETag(version);
        if (location is null) return Results.Ok(body).ExecuteAsync(http);
        return Results.Created(location, body).ExecuteAsync(http);
    }
}
