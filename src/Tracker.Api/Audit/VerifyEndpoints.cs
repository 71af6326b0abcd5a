using FluentValidation;
using Tracker.Api.Commitments;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Audit.Checkpoints;
using Tracker.Domain;
using Wolverine.Http;

namespace Tracker.Api.Audit;

public static class VerifyEndpoints
{
    [WolverineGet("/api/audit/commitments/{key}/verify", Name = "VerifyCommitmentLog")]
    [EndpointSummary("Recompute a commitment's hash chain, compare it with the signed checkpoints and report every event that does not match")]
    [Tags("Audit")]
    [ProducesResponseType<VerificationReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> VerifyCommitment(string key, LogVerifier verifier, CancellationToken token)
    {
        var report = await verifier.VerifyStream(StreamIds.ForCommitment(key), token);
        // A commitment whose events are all gone is not unknown when a checkpoint or a hash recorded them.
        return report is { EventsChecked: 0, BreakCount: 0 }
            ? NoSuchCommitment.Problem(key)
            : Results.Ok(report);
    }

    [WolverineGet("/api/audit/verify", Name = "VerifyWholeLog")]
    [EndpointSummary("Recompute every event's hash and compare the whole log with every signed checkpoint; report every break")]
    [Tags("Audit")]
    public static Task<VerificationReport> VerifyAll(LogVerifier verifier, CancellationToken token) =>
        verifier.VerifyAll(null, token);

    [WolverinePost("/api/audit/verify", Name = "VerifyWholeLogAgainstKeptCheckpoint")]
    [EndpointSummary("Verify the whole log, also against a signed checkpoint kept outside the database (as published)")]
    [Tags("Audit")]
    [ProducesResponseType<VerificationReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> VerifyAgainst(KeptCheckpoint kept, LogVerifier verifier, CancellationToken token) =>
        Results.Ok(await verifier.VerifyAll(kept.ToCheckpoint(), token));
}

/// <summary>A checkpoint as <c>GET /api/audit/checkpoints/latest</c> published it, kept by an auditor.</summary>
public sealed record KeptCheckpoint(long Number, long AfterSequence, long ThroughSequence, long EventCount, string Root,
    DateTimeOffset TakenAt, string KeyId, string Signature)
{
    public Checkpoint ToCheckpoint() => new(Number, AfterSequence, ThroughSequence, EventCount, Root, TakenAt, KeyId, Signature);
}

public sealed class KeptCheckpointValidator : FluentValidation.AbstractValidator<KeptCheckpoint>
{
    public KeptCheckpointValidator()
    {
        RuleFor(c => c.Number).GreaterThan(0);
        RuleFor(c => c.AfterSequence).GreaterThanOrEqualTo(0);
        RuleFor(c => c.ThroughSequence).GreaterThan(c => c.AfterSequence);
        RuleFor(c => c.EventCount).GreaterThan(0);
        RuleFor(c => c.Root).NotEmpty().Matches("^[0-9a-f]{64}$").WithMessage("root must be 64 lower-case hexadecimal digits.");
        RuleFor(c => c.KeyId).NotEmpty().Matches("^[0-9a-f]{16}$").WithMessage("keyId must be 16 lower-case hexadecimal digits.");
        RuleFor(c => c.Signature).NotEmpty().MaximumLength(200);
    }
}

public static class CheckpointEndpoints
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 200;

    [WolverineGet("/api/audit/checkpoints", Name = "ListCheckpoints")]
    [EndpointSummary("The signed checkpoints of the whole log, newest first; pass the last number as 'before' for the next page")]
    [Tags("Audit")]
    [ProducesResponseType<IReadOnlyList<Checkpoint>>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> List(LogCheckpoints checkpoints, HttpContext http, long? before, int? limit, CancellationToken token)
    {
        var size = limit ?? DefaultLimit;
        var errors = new Dictionary<string, string[]>();
        if (before is < 1) errors["before"] = ["before is a checkpoint number, 1 or more."];
        if (size is < 1 or > MaxLimit) errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        if (errors.Count > 0) return Infrastructure.QueryProblems.Invalid(errors);
        var page = await checkpoints.Page(before, size, token);
        // A full page may have older ones after it (RFC 8288, as every page of the API links its next).
        if (page.Count == size && page[^1].Number > 1)
        {
            http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}?limit={size}&before={page[^1].Number}>; rel=\"next\"";
        }
        return Results.Ok(page);
    }

    [WolverineGet("/api/audit/checkpoints/latest", Name = "LatestCheckpoint")]
    [EndpointSummary("The latest signed checkpoint: keep a copy outside the database")]
    [Tags("Audit")]
    [ProducesResponseType<Checkpoint>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Latest(LogCheckpoints checkpoints, CancellationToken token) =>
        await checkpoints.Latest(token) is { } latest
            ? Results.Ok(latest)
            : Results.Problem(statusCode: 404, title: "No checkpoint yet",
                detail: "No checkpoint has been taken: the service takes one every Audit:Checkpoints:Interval once events have settled.");

    [WolverineGet("/api/audit/checkpoints/key", Name = "CheckpointKey")]
    [EndpointSummary("The public key that verifies the checkpoints' signatures, and its id")]
    [Tags("Audit")]
    public static CheckpointKey Key(CheckpointSigner signer) => signer.PublicKey;

    [WolverinePost("/api/admin/checkpoints", Name = "TakeCheckpoint")]
    [EndpointSummary("Take a checkpoint now of every event up to the high-water mark (no settle time); 204 when there is nothing new")]
    [Tags("Admin")]
    [ProducesResponseType<Checkpoint>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Take(LogCheckpoints checkpoints, CancellationToken token)
    {
        try
        {
            return await checkpoints.Take(TimeSpan.Zero, token) is { } taken
                ? Results.Created("/api/audit/checkpoints/latest", taken)
                : Results.NoContent();
        }
        catch (CheckpointRefused refused)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No checkpoint can be taken", detail: refused.Message);
        }
    }
}
