using Tracker.Api.Infrastructure.Validation;
using FluentValidation;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Tracker.Api.Documents;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Wolverine;
using Wolverine.Http;

namespace Tracker.Api.Commitments.Revising;

/// <summary>Retracts the fact recorded at Version. To replace it, record the right fact after the retraction.</summary>
public sealed record CorrectEventRequest(int? Version, [property: MultiLine] string Reason, Evidence Source) : ICitesItsSource
{
    public sealed class Validator : AbstractValidator<CorrectEventRequest>
    {
        public Validator()
        {
            RuleFor(x => x.Version).NotNull().GreaterThan(0);
            RuleFor(x => x.Reason).NotEmpty().MaximumCharacters(2000);
            RuleFor(x => x.Source).NotNull().SetValidator(new EvidenceValidator());
        }
    }
}

/// <summary>The event a correction names, as recorded (null when the stream has no such version), and the ledger of
/// the pledge it is about, if it is about one.</summary>
public sealed record NamedFact(object? Data, PledgeLedger? Pledge = null);

public static class CorrectEventEndpoint
{
    /// <summary>
    /// The fact the correction names, read after the shared workflow fetched and checked the commitment, and the ledger
    /// row of its pledge (through the identity map, where the inline pledge projection finds it again).
    /// </summary>
    public static async Task<NamedFact> LoadAsync(string key, CorrectEventRequest request, IDocumentSession session,
        CancellationToken token)
    {
        var id = StreamIds.ForCommitment(key);
        var named = request.Version is not { } version
            ? null
            : await session.Events.QueryAllRawEvents()
                .Where(e => e.StreamId == id && e.Version == version)
                .FirstOrDefaultAsync(token);
        var row = named?.Data is IPledgeFact fact
            ? await session.LoadAsync<PledgeLedgerRow>(PledgeLedgerRow.IdOf(id, fact.PledgeId), token)
            : null;
        return new NamedFact(named?.Data, row?.Ledger);
    }

    [WolverinePost("/api/commitments/{key}/corrections", Name = "CorrectEvent")]
    [EndpointSummary("Retract an earlier fact by its version")]
    [Tags("Commitments")]
    public static (IResult, AppendToCommitment, OutgoingMessages) Post(CorrectEventRequest request, CommitmentState commitment,
        NamedFact named, TimeProvider clock)
    {
        var state = named.Pledge is { } pledge ? commitment with { Pledges = [pledge] } : commitment;
        return CommitmentWrite.Recorded(state, clock, CorrectEvent.Decide(state, request.Version!.Value, named.Data,
            request.Reason.Trim(), request.Source.Normalised()));
    }
}
