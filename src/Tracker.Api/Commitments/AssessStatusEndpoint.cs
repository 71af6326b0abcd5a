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

/// <summary>A status assessment with its rationale and evidence.</summary>
public sealed record AssessStatusRequest(CommitmentStatus? Status, DateOnly? AssessedOn, [property: MultiLine] string Rationale,
    Evidence Source)
{
    public sealed class Validator : AbstractValidator<AssessStatusRequest>
    {
        public Validator()
        {
            RuleFor(x => x.Status).NotNull().IsInEnum();
            RuleFor(x => x.AssessedOn).NotNull();
            RuleFor(x => x.Rationale).NotEmpty().MaximumLength(4000);
            RuleFor(x => x.Source).NotNull().SetValidator(new EvidenceValidator());
        }
    }
}

public static class AssessStatusEndpoint
{
    public static Task<IEventStream<CommitmentProgress>> LoadAsync(string key, IDocumentSession session, HttpContext http) =>
        CommitmentWrite.Fetch(key, session, http);

    public static Task<ProblemDetails> ValidateAsync(string key, AssessStatusRequest request,
        IEventStream<CommitmentProgress> stream, IDocumentSession session, RegisteredDocuments registered) =>
        CommitmentWrite.Check(stream, key, session, registered, request.Source.DocumentKey);

    [WolverinePost("/api/commitments/{key}/assessments", Name = "AssessStatus")]
    [EndpointSummary("Record a status assessment")]
    [Tags("Commitments")]
    public static (IResult, OutgoingMessages) Post(AssessStatusRequest request, IEventStream<CommitmentProgress> stream) =>
        CommitmentWrite.Append(stream, AssessStatus.Decide(stream.Aggregate!.State, request.Status!.Value,
            request.AssessedOn!.Value, request.Rationale.Trim(), request.Source.Normalised()));
}
