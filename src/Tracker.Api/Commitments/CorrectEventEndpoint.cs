using FluentValidation;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Wolverine;
using Wolverine.Http;

namespace Tracker.Api.Commitments;

/// <summary>Reverses the event at Version. To replace it, record the right fact after the correction.</summary>
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

public static class CorrectEventEndpoint
{
    public static Task<IEventStream<Commitment>> LoadAsync(string key, IDocumentSession session, HttpContext http) =>
        CommitmentWrite.Fetch(key, session, http);

    public static Task<ProblemDetails> ValidateAsync(string key, CorrectEventRequest request,
        IEventStream<Commitment> stream, IDocumentSession session) =>
        CommitmentWrite.Check(stream, key, session, request.Source.DocumentKey);

    [WolverinePost("/api/commitments/{key}/corrections", Name = "CorrectEvent")]
    [EndpointSummary("Reverse an earlier event by its version")]
    [Tags("Commitments")]
    public static (IResult, OutgoingMessages) Post(CorrectEventRequest request, IEventStream<Commitment> stream) =>
        CommitmentWrite.Append(stream, CorrectEvent.Decide(stream.Aggregate!, request.Version!.Value,
            request.Reason.Trim(), request.Source.Normalised()));
}
