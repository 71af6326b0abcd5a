using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Wolverine.Http;
using Tracker.Projections.Commitments.Timeline;

namespace Tracker.Api.Admin;

public static class RebuildEndpoints
{
    /// <summary>
    /// Projections of our own that only Marten keeps and its `projections rebuild` command rebuilds: the effective timeline
    /// (its daemon's), and the documents' views (inline; a start also rebuilds them when a document has none).
    /// </summary>
    private static readonly string[] MartenRebuilds =
        [EffectiveTimelineProjection.ProjectionName, Tracker.Projections.Documents.DocumentViewProjection.ProjectionName];

    /// <summary>
    /// Starts rebuilding a read model (CommitmentProgress, which includes the pledges' rows; "all" is the same) from the
    /// log, or counting the dashboard rollup again from what it counts (DashboardRollup); 202 with where to follow it, or
    /// 409 naming the rebuild that already runs somewhere in the cluster.
    /// </summary>
    [WolverinePost("/api/admin/projections/{name}/rebuild", Name = "RebuildProjection")]
    [EndpointSummary("Rebuild a read model from the event log, or count the dashboard rollups again, while the current ones keep serving")]
    [Tags("Admin")]
    [ProducesResponseType<RebuildProgress>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Start(string name, ProjectionRebuilds rebuilds, HttpContext http, CancellationToken token)
    {
        var projection = ProjectionRebuilds.Supported.Append(ProjectionRebuilds.All).Concat(ProjectionRebuilds.Recounted)
            .FirstOrDefault(p => p.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (MartenRebuilds.FirstOrDefault(p => p.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } marten)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.Conflict,
                title: $"{marten} is rebuilt by Marten",
                detail: $"Run `dotnet run -- projections rebuild -p {marten}` with the service stopped" +
                        (ProjectionCheck.Verifiable.Contains(marten)
                            ? $"; GET /api/admin/projections/{marten}/verify compares it with what it is built from."
                            : "; a start rebuilds it by itself when a document has no view (a log restored without its read models)."));
        }
        if (projection is null) return NoSuchReadModel();

        var (started, running) = await rebuilds.TryStart(projection, Infrastructure.Auditing.WriteMetadata.ActorOf(http),
            Infrastructure.Telemetry.CorrelationScope.Of(http), token);
        // The one running may be the one this request's Idempotency-Key started a moment ago (IdempotentRequests).
        if (started is null) http.Items[Infrastructure.Idempotency.IdempotentRequests.MayBeAnsweredByItsFirst] = true;
        return started is not null
            ? Results.Accepted($"/api/admin/rebuilds/{started.Id}", started)
            : Results.Problem(statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.Conflict,
                title: "A rebuild is already running", detail: $"One rebuild runs at a time in the cluster: {running}.");
    }

    /// <summary>
    /// Compares the stored models with a fresh rebuild from the log (nothing is written): the invariant the fault tests
    /// check. An event the projection cannot apply is a 409 problem naming it.
    /// </summary>
    [WolverineGet("/api/admin/projections/{name}/verify", Name = "VerifyProjection")]
    [EndpointSummary("Compare a read model with a fresh rebuild from the event log")]
    [Tags("Admin")]
    [ProducesResponseType<ProjectionCheckReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Verify(string name, ProjectionCheck check, CancellationToken token)
    {
        var projection = ProjectionCheck.Verifiable.FirstOrDefault(p => p.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (projection is null) return NoSuchReadModel();
        try
        {
            return Results.Ok(await check.Run(projection, token));
        }
        catch (PoisonEventException poison)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.Conflict,
                title: "The log holds an event the read model cannot apply", detail: poison.Message);
        }
    }

    private static IResult NoSuchReadModel() => Results.Problem(statusCode: StatusCodes.Status404NotFound,
        type: ProblemTypes.NotFound, title: "No such read model",
        detail: $"Read models that can be rebuilt here: {string.Join(", ", ProjectionRebuilds.Supported)} " +
                $"(\"{ProjectionRebuilds.All}\" rebuilds them all in one pass); rebuilt by Marten's `projections rebuild -p <name>` " +
                $"with the service stopped: {string.Join(", ", MartenRebuilds)}; counted again from what they count: " +
                $"{string.Join(", ", ProjectionRebuilds.Recounted)}; verified: {string.Join(", ", ProjectionCheck.Verifiable)}.");

    [WolverineGet("/api/admin/rebuilds/{id}", Name = "GetRebuild")]
    [EndpointSummary("How far a rebuild has come")]
    [Tags("Admin")]
    [ProducesResponseType<RebuildProgress>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(Guid id, ProjectionRebuilds rebuilds, CancellationToken token) =>
        await rebuilds.Find(id, token) is { } progress
            ? Results.Ok(progress)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound,
                title: "No such rebuild", detail: "No rebuild with that id was started (rebuilds are kept for 90 days).");
}
