using Tracker.Api.Infrastructure.Validation;
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

/// <summary>
/// A status assessment with its rationale and evidence: judged on <see cref="AssessedOn"/>, about a state of affairs in
/// effect since <see cref="EffectiveOn"/> (the achievement's day, the day it stalled; by default the day of judgement).
/// </summary>
public sealed record AssessStatusRequest(CommitmentStatus? Status, [property: Happened] DateOnly? AssessedOn, [property: MultiLine] string Rationale,
    Evidence Source, [property: Happened] DateOnly? EffectiveOn = null) : ICitesItsSource
{
    public sealed class Validator : AbstractValidator<AssessStatusRequest>
    {
        public Validator()
        {
            RuleFor(x => x.Status).NotNull().IsDefined();
            RuleFor(x => x.AssessedOn).NotNull();
            RuleFor(x => x.EffectiveOn).LessThanOrEqualTo(x => x.AssessedOn).When(x => x.AssessedOn is not null)
                .WithMessage("'effectiveOn' is the day the assessed state of affairs took effect: on or before 'assessedOn', the day it was judged.");
            RuleFor(x => x.Rationale).NotEmpty().MaximumCharacters(4000);
            RuleFor(x => x.Source).NotNull().SetValidator(new EvidenceValidator());
        }
    }
}

public static class AssessStatusEndpoint
{
    [WolverinePost("/api/commitments/{key}/assessments", Name = "AssessStatus")]
    [EndpointSummary("Record a status assessment")]
    [Tags("Commitments")]
    public static (IResult, AppendToCommitment, OutgoingMessages) Post(AssessStatusRequest request, CommitmentState commitment, TimeProvider clock) =>
        CommitmentWrite.Recorded(commitment, clock, AssessStatus.Decide(commitment, request.Status!.Value,
            request.AssessedOn!.Value, request.Rationale.Trim(), request.Source.Normalised(), request.EffectiveOn));
}
