using Tracker.Api.Infrastructure;

namespace Tracker.Api.Commitments;

/// <summary>200 (or 201 with a Location) with the new stream version as the ETag, so the next write can send If-Match.</summary>
public sealed record WriteAccepted(object Body, int Version, string? Location) : IResult
{
    public Task ExecuteAsync(HttpContext http)
    {
        http.Response.Headers.ETag = Versions.ToETag(Version);
        if (Location is null) return Results.Ok(Body).ExecuteAsync(http);
        return Results.Created(Location, Body).ExecuteAsync(http);
    }
}
