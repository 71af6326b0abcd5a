using Tracker.Api.Infrastructure.Validation;
using Tracker.Domain;
using FluentValidation;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Projections.Commitments;
using Tracker.Api.Documents;
using Tracker.Domain.Commitments;
using Wolverine;
using Wolverine.Http;

namespace Tracker.Api.Commitments.Pledging;

/// <summary>Part of a pledge committed (firm) or disbursed (paid), in the pledge's currency, on a date.</summary>
public sealed record RecordPledgeStageRequest(
    PledgeStage? Stage,
    Money Amount,
    [property: Happened] DateOnly? On,
    ExchangeRate? ExchangeRate,
    Evidence Source) : ICitesItsSource, IHappenedOnADay
{
    (DateOnly? Day, string Field) IHappenedOnADay.Happened => (On, "on");

    public sealed class Validator : AbstractValidator<RecordPledgeStageRequest>
    {
        public Validator()
        {
            RuleFor(x => x.Stage).NotNull().IsDefined();
            RuleFor(x => x.Amount).NotNull().SetValidator(new MoneyValidator());
            RuleFor(x => x.On).NotNull();
            RuleFor(x => x.ExchangeRate!).SetValidator(new ExchangeRateValidator()).When(x => x.ExchangeRate is not null);
            RuleFor(x => x.Source).NotNull().SetValidator(new EvidenceValidator());
        }
    }
}

public static class RecordPledgeStageEndpoint
{
    [WolverinePost("/api/commitments/{key}/pledges/{pledgeId}/stages", Name = "RecordPledgeStage")]
    [EndpointSummary("Record part of a pledge as committed or disbursed")]
    [Tags("Pledges")]
    public static (IResult, AppendToCommitment, OutgoingMessages) Post(string pledgeId, RecordPledgeStageRequest request, CommitmentState commitment,
        RegisteredDocuments registered, TimeProvider clock) =>
        CommitmentWrite.Recorded(commitment, clock, DocumentChecks.DatedWithin(RecordPledgeStage.Decide(commitment, pledgeId, request.Stage!.Value,
            request.Amount, request.On!.Value, request.ExchangeRate, request.Source.Normalised()), registered, request));
}
