using Tracker.Api.Infrastructure.Validation;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Documents;
using Tracker.Projections.Documents;
using Wolverine.Http;
using Wolverine.Marten;

namespace Tracker.Api.Documents;

/// <summary>Registers a source document: a communiqué, roadmap or report that commitments and evidence cite.</summary>
public sealed record RegisterDocument(
    string Key,
    string Title,
    [property: Happened] DateOnly? PublishedOn,
    string? Venue,
    string Kind,
    string? Url,
    bool? Primary,
    DatePrecision? PublishedPrecision = null,
    bool? PublishedOnInferred = null)
{
    public sealed class Validator : AbstractValidator<RegisterDocument>
    {
        public Validator()
        {
            RuleFor(x => x.Key).NotEmpty().MaximumCharacters(100).Slug("key");
            RuleFor(x => x.Title).NotEmpty().MaximumCharacters(500);
            RuleFor(x => x.PublishedOn).NotNull();
            RuleFor(x => x.PublishedPrecision).IsDefined();
            RuleFor(x => x.PublishedOn).Must((x, on) => (x.PublishedPrecision ?? DatePrecision.Day).Starts(on!.Value))
                .When(x => x.PublishedOn is not null)
                .WithMessage(x => $"A date known only to the {Wording.Name(x.PublishedPrecision!.Value)} is written as its first day " +
                                  $"({x.PublishedPrecision!.Value.Written(x.PublishedOn!.Value)} is " +
                                  $"{(x.PublishedPrecision == DatePrecision.Month ? "the 1st of the month" : "1 January")}): the tracker never invents a day.");
            RuleFor(x => x.Venue).MaximumCharacters(200);
            RuleFor(x => x.Kind).NotEmpty().OneOf(DocumentKind.All, "kind");
            RuleFor(x => x.Url).HttpAddress();
            RuleFor(x => x.Primary).NotNull()
                .WithMessage("primary is required: true for an official text, false for a secondary report.");
        }
    }
}

public static class RegisterDocumentEndpoint
{
    public static async Task<ProblemDetails> ValidateAsync(RegisterDocument command, IQuerySession session)
    {
        var existing = await session.LoadAsync<DocumentView>(StreamIds.ForDocument(command.Key));
        return existing is null
            ? WolverineContinue.NoProblems
            : new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Type = ProblemTypes.DuplicateKey,
                Title = "The key is already taken",
                Detail = $"A document with key '{existing.Key}' is already registered."
            };
    }

    [WolverinePost("/api/documents", Name = "RegisterDocument")]
    [EndpointSummary("Register a source document")]
    [Tags("Documents")]
    [ProducesResponseType<CreationResponse<string>>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static (IResult, IStartStream) Post(RegisterDocument command)
    {
        var key = StreamIds.Normalise(command.Key);
        var registered = new SourceDocumentRegistered(key, command.Title.Trim(), command.PublishedOn!.Value,
            command.Venue?.Trim(), command.Kind, command.Url, command.Primary!.Value,
            command.PublishedPrecision ?? DatePrecision.Day, command.PublishedOnInferred ?? false);

        var start = MartenOps.StartStream<DocumentView>(StreamIds.ForDocument(key), registered);
        // An IResult (the same 201, Location and body as Wolverine's CreationResponse), so an Idempotency-Key's response is
        // kept in the registration's own transaction (IdempotentWrite).
        var location = $"/api/documents/{key}";
        return (Results.Created(location, new CreationResponse<string>(location, key)), start);
    }
}
