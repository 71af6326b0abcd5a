using FluentValidation;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Projections.Commitments;
using Tracker.Api.Documents;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Wolverine;
using Wolverine.Http;

namespace Tracker.Api.Commitments;

/// <summary>Retracts the fact recorded at Version. To replace it, record the right fact after the retraction.</summary>
public sealed record CorrectEventRequest(int? Version, [property: MultiLine] string Reason, Evidence Source)
{
    public sealed class Validator : AbstractValidator<CorrectEventRequest>
    {
        public Validator()
        {
            RuleFor(x => x.Version).NotNull().GreaterThan(0);
            RuleFor(x => x.Reason).NotEmpty().MaximumLength(2000);
            RuleFor(x => x.Source).NotNull().SetValidator(new EvidenceValidator());
        }
    }
}

/// <summary>The event a correction names, as recorded (null when the stream has no such version).</summary>
public sealed record NamedFact(object? Data);

public static class CorrectEventEndpoint
{
    public static async Task<(IEventStream<CommitmentProgress>, NamedFact)> LoadAsync(string key, CorrectEventRequest request,
        IDocumentSession session, HttpContext http)
    {
        var stream = await CommitmentWrite.Fetch(key, session, http);
        var named = stream.Aggregate is null || request.Version is not { } version
            ? null
            : await session.Events.QueryAllRawEvents()
                .Where(e => e.StreamId == stream.Id && e.Version == version)
                .FirstOrDefaultAsync(http.RequestAborted);
        return (stream, new NamedFact(named?.Data));
    }

    public static Task<ProblemDetails> ValidateAsync(string key, CorrectEventRequest request,
        IEventStream<CommitmentProgress> stream, IDocumentSession session, RegisteredDocuments registered) =>
        CommitmentWrite.Check(stream, key, session, registered, request.Source.DocumentKey);

    [WolverinePost("/api/commitments/{key}/corrections", Name = "CorrectEvent")]
    [EndpointSummary("Retract an earlier fact by its version")]
    [Tags("Commitments")]
    public static (IResult, OutgoingMessages) Post(CorrectEventRequest request, IEventStream<CommitmentProgress> stream,
        NamedFact named) =>
        CommitmentWrite.Append(stream, CorrectEvent.Decide(stream.Aggregate!.State, request.Version!.Value, named.Data,
            request.Reason.Trim(), request.Source.Normalised()));
}
