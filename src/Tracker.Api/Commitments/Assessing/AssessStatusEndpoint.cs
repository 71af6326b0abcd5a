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

namespace Tracker.Api.Commitments.Assessing;

/// <summary>A status assessment with its rationale and evidence.</summary>
public sealed record AssessStatusRequest(CommitmentStatus? Status, DateOnly? AssessedOn, [property: MultiLine] string Rationale,
    Evidence Source) : ICitesItsSource
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
    [WolverinePost("/api/commitments/{key}/assessments", Name = "AssessStatus")]
    [EndpointSummary("Record a status assessment")]
    [Tags("Commitments")]
    public static (IResult, AppendToCommitment, OutgoingMessages) Post(AssessStatusRequest request, CommitmentState commitment) =>
        CommitmentWrite.Recorded(commitment, AssessStatus.Decide(commitment, request.Status!.Value,
            request.AssessedOn!.Value, request.Rationale.Trim(), request.Source.Normalised()));
}
