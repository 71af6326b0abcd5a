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

/// <summary>A pledge's new total, in its own currency, with the reason: the only way a pledge's amount changes.</summary>
public sealed record RevisePledgeRequest(Money Amount, ExchangeRate? ExchangeRate, [property: MultiLine] string Reason,
    Evidence Source)
{
    public sealed class Validator : AbstractValidator<RevisePledgeRequest>
    {
        public Validator()
        {
            RuleFor(x => x.Amount).NotNull().SetValidator(new MoneyValidator());
            RuleFor(x => x.ExchangeRate!).SetValidator(new ExchangeRateValidator()).When(x => x.ExchangeRate is not null);
            RuleFor(x => x.Reason).NotEmpty().MaximumLength(2000);
            RuleFor(x => x.Source).NotNull().SetValidator(new EvidenceValidator());
        }
    }
}

public static class RevisePledgeEndpoint
{
    public static Task<IEventStream<CommitmentProgress>> LoadAsync(string key, IDocumentSession session, HttpContext http) =>
        CommitmentWrite.Fetch(key, session, http);

    public static Task<ProblemDetails> ValidateAsync(string key, RevisePledgeRequest request,
        IEventStream<CommitmentProgress> stream, IDocumentSession session, RegisteredDocuments registered) =>
        CommitmentWrite.Check(stream, key, session, registered, request.Source.DocumentKey);

    [WolverinePost("/api/commitments/{key}/pledges/{pledgeId}/revisions", Name = "RevisePledge")]
    [EndpointSummary("Revise a pledge's amount")]
    [Tags("Pledges")]
    public static (IResult, OutgoingMessages) Post(string pledgeId, RevisePledgeRequest request, IEventStream<CommitmentProgress> stream) =>
        CommitmentWrite.Append(stream, RevisePledge.Decide(stream.Aggregate!.State, pledgeId, request.Amount,
            request.ExchangeRate, request.Reason.Trim(), request.Source.Normalised()));
}
