using System.ComponentModel.DataAnnotations;
using System.ComponentModel;
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

/// <summary>
/// A checkpoint as <c>GET /api/audit/checkpoints/latest</c> published it, kept by an auditor. Every field is required.
/// The numbers and the instant are nullable so that one left out is told apart from one sent as 0 (which a missing number
/// would otherwise read as: "number": 0 was told it is required, until 2026-12-06) and from 0001-01-01.
/// </summary>
public sealed record KeptCheckpoint(long? Number, long? AfterSequence, long? ThroughSequence, long? EventCount, string Root,
    DateTimeOffset? TakenAt, string KeyId, string Signature)
{
    public Checkpoint ToCheckpoint() => new(Given(Number), Given(AfterSequence), Given(ThroughSequence), Given(EventCount), Root,
        TakenAt ?? throw new InvalidOperationException("Validated: takenAt is given."), KeyId, Signature);

    private static long Given(long? validated) => validated ?? throw new InvalidOperationException("Validated: every number is given.");
}

public sealed class KeptCheckpointValidator : FluentValidation.AbstractValidator<KeptCheckpoint>
{
    public KeptCheckpointValidator()
    {
        // Worded as every rule of the API is: the field as JSON names it, what it must be, and "is required" when left out.
        // A number sent below 1 is told what it must be, not that it is required (until 2026-12-06 "-1" and 0 were "required").
        RuleFor(c => c.Number).Cascade(CascadeMode.Stop).NotNull().WithMessage("number is required: the checkpoint's number, 1 or more.")
            .GreaterThan(0).WithMessage("number is the checkpoint's number, 1 or more.");
        RuleFor(c => c.AfterSequence).Cascade(CascadeMode.Stop).NotNull().WithMessage("afterSequence is required: the sequence number the checkpoint starts after (0 for the first).")
            .GreaterThanOrEqualTo(0).WithMessage("afterSequence is a sequence number, 0 or more.");
        RuleFor(c => c.ThroughSequence).Cascade(CascadeMode.Stop).NotNull().WithMessage("throughSequence is required: the sequence number the checkpoint ends with.")
            .Must((c, through) => through > (c.AfterSequence ?? 0)).WithMessage(c => $"throughSequence must be greater than afterSequence ({c.AfterSequence ?? 0}): a checkpoint covers at least one event.");
        RuleFor(c => c.EventCount).Cascade(CascadeMode.Stop).NotNull().WithMessage("eventCount is required: the number of events the checkpoint covers, 1 or more.")
            .GreaterThan(0).WithMessage("eventCount is the number of events the checkpoint covers, 1 or more.");
        RuleFor(c => c.TakenAt).Cascade(CascadeMode.Stop).NotNull().WithMessage("takenAt is required: the instant the checkpoint was taken, as published.")
            // The signature covers the instant to the microsecond, as it is stored and published: a finer one would verify
            // as the published one though it is not what was published (until 2026-12-06 it did).
            .Must(taken => taken!.Value.Ticks % TimeSpan.TicksPerMicrosecond == 0)
            .WithMessage("takenAt has at most six decimal places of a second, as published.");
        RuleFor(c => c.Root).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("root is required.").Matches("^[0-9a-f]{64}$").WithMessage("root must be 64 lower-case hexadecimal digits.");
        RuleFor(c => c.KeyId).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("keyId is required.").Matches("^[0-9a-f]{16}$").WithMessage("keyId must be 16 lower-case hexadecimal digits.");
        // A signature that is not base64 is a request that cannot be what was published, not a break of the log.
        RuleFor(c => c.Signature).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("signature is required.")
            .MaximumLength(200).WithMessage("signature has at most 200 characters.")
            .Must(signature => Convert.TryFromBase64String(signature, new byte[signature.Length], out _))
            .WithMessage("signature must be base64, as published.");
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
    public static async Task<IResult> List(LogCheckpoints checkpoints, HttpContext http, [Range(typeof(long), "1", "9223372036854775807")] long? before,
        [Range(1, MaxLimit), DefaultValue(DefaultLimit)] int? limit, CancellationToken token)
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

    [WolverineGet("/api/audit/checkpoints/{number}", Name = "CheckpointByNumber")]
    [EndpointSummary("One signed checkpoint by its number: where a checkpoint taken through the API is (its Location)")]
    [Tags("Audit")]
    [ProducesResponseType<Checkpoint>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> ByNumber(long number, HttpContext http, LogCheckpoints checkpoints, CancellationToken token)
    {
        // Written in digits alone, as a number in a query is ("+5", "05" and " 5" were read as 5).
        if (http.GetRouteValue("number") is string written && written != number.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return Infrastructure.QueryProblems.Invalid(new Dictionary<string, string[]>
            {
                ["number"] = ["number is a checkpoint's number written in digits alone, without a sign or leading zeros."]
            });
        }
        return number >= 1 && number < long.MaxValue && await checkpoints.Page(number + 1, 1, token) is [{ } found] && found.Number == number
            ? Results.Ok(found)
            : Results.Problem(statusCode: 404, title: "No such checkpoint",
                detail: $"No checkpoint {number} has been taken: checkpoints are numbered from 1 (GET /api/audit/checkpoints lists them).");
    }

    [WolverineGet("/api/audit/checkpoints/key", Name = "CheckpointKey")]
    [EndpointSummary("The public key that verifies the checkpoints' signatures, and its id")]
    [Tags("Audit")]
    public static CheckpointKey Key(CheckpointSigner signer) => signer.PublicKey;

    [WolverinePost("/api/admin/checkpoints", Name = "TakeCheckpoint")]
    [EndpointSummary("Take a checkpoint now of every event up to the high-water mark (no settle time); 204 when there is nothing new")]
    [Tags("Admin")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<Checkpoint>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Take(LogCheckpoints checkpoints, HttpContext http, ILogger<LogCheckpoints> logger,
        CancellationToken token)
    {
        try
        {
            if (await checkpoints.Take(TimeSpan.Zero, token) is { } taken)
            {
                // Who asked (the log's own checkpoints are the service's): the table is the signed record, and says no actor.
                logger.LogInformation("Checkpoint {Number} of events {After} to {Through} taken at the request of {RequestedBy}",
                    taken.Number, taken.AfterSequence + 1, taken.ThroughSequence, Infrastructure.Auditing.WriteMetadata.ActorOf(http));
                return Results.Created($"/api/audit/checkpoints/{taken.Number}", taken);
            }
            // Nothing new, or another taker had this number: perhaps a duplicate of this request, sent with the same
            // Idempotency-Key, which took it a moment before or takes it a moment after (the high-water mark moving on
            // between the two); its 201, kept within about 1.5 s, is then the key's answer. A request without a key is
            // answered at once.
            http.Items[Infrastructure.Idempotency.IdempotentRequests.MayBeAnsweredByItsFirst] = true;
            return Results.NoContent();
        }
        catch (CheckpointRefused refused)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No checkpoint can be taken", detail: refused.Message);
        }
    }
}
