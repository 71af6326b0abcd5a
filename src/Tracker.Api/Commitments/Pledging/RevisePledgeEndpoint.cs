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

namespace Tracker.Api.Commitments.Pledging;

/// <summary>A pledge's new total, in its own currency, with the reason: the only way a pledge's amount changes.</summary>
public sealed record RevisePledgeRequest(Money Amount, ExchangeRate? ExchangeRate, [property: MultiLine] string Reason,
    Evidence Source) : ICitesItsSource
{
    public sealed class Validator : AbstractValidator<RevisePledgeRequest>
    {
        public Validator()
        {
            RuleFor(x => x.Amount).NotNull().SetValidator(new MoneyValidator());
            RuleFor(x => x.ExchangeRate!).SetValidator(new ExchangeRateValidator()).When(x => x.ExchangeRate is not null);
            RuleFor(x => x.Reason).NotEmpty().MaximumCharacters(2000);
            RuleFor(x => x.Source).NotNull().SetValidator(new EvidenceValidator());
        }
    }
}

public static class RevisePledgeEndpoint
{
    public static Task<CitedDocument> LoadAsync(RevisePledgeRequest request, IDocumentSession session, CancellationToken token) =>
        CitedDocument.LoadAsync(request.Source.Normalised(), session, token);

    [WolverinePost("/api/commitments/{key}/pledges/{pledgeId}/revisions", Name = "RevisePledge")]
    [EndpointSummary("Revise a pledge's amount")]
    [Tags("Pledges")]
    public static (IResult, AppendToCommitment, OutgoingMessages) Post(string pledgeId, RevisePledgeRequest request,
        CommitmentState commitment, CitedDocument cited, TimeProvider clock)
    {
        Decision Decide(Evidence source) => RevisePledge.Decide(commitment, pledgeId, request.Amount, request.ExchangeRate,
            request.Reason.Trim(), source, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        var (dated, dayNeeded) = cited.Dating(request.Source.Normalised());
        return CommitmentWrite.Recorded(commitment, clock, dayNeeded is null ? Decide(dated) : CitedDocument.Refusal(Decide(dated), dayNeeded));
    }
}
