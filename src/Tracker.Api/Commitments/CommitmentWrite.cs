using JasperFx.Events;
using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Mvc;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Api.Documents;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Http.CodeGen;
using Tracker.Api.Commitments.Assessing;

namespace Tracker.Api.Commitments;

/// <summary>
/// The one workflow every write to an existing commitment shares, put by <see cref="CommitmentWritePolicy"/> before each
/// endpoint that takes a <see cref="CommitmentState"/>: fetch its stream, refuse an unknown commitment (404), a stale
/// If-Match (412) and unknown documents (422). The endpoints themselves are pure: they take the state and return what their
/// decision recorded (<see cref="Recorded"/>), which Wolverine appends to the fetched stream and commits with any
/// scheduled message.
/// </summary>
public static class CommitmentWrite
{
    /// <summary>
    /// Fetches the stream for writing, locked for this transaction, and the ledger row of the pledge the request names
    /// (or the highest number of the stem an announcement numbers its pledge after), in one round trip: writers racing on
    /// one commitment queue instead of failing, and a version checked against If-Match stays true until the commit. The
    /// state comes with that pledge in hand, and nothing about any other pledge. It is null for an unknown commitment,
    /// which <see cref="ValidateAsync"/> answers before any endpoint reads it. (Marten's fetch with an expected version
    /// would not lock: a writer with If-Match would fail at commit instead of waiting its turn.)
    /// </summary>
    public static async Task<(IEventStream<CommitmentProgress>, CommitmentState, PledgeNumbering)> LoadAsync<TRequest>(string key,
        TRequest request, IDocumentSession session, HttpContext http)
    {
        var id = StreamIds.ForCommitment(key);
        // The rows go through the identity map, where the inline pledge projection finds them again at commit.
        session.UseIdentityMapFor<PledgeLedgerRow>();
        // Npgsql sends BEGIN with the batch's first statement: no round trip of its own.
        await session.BeginTransactionAsync(http.RequestAborted);
        var batch = session.CreateBatchQuery();
        var fetched = batch.Events.FetchForExclusiveWriting<CommitmentProgress>(id);
        var named = NamedPledges.Of(request, http);
        Task<PledgeLedgerRow?>? one = named.Id is { } pledgeId ? batch.Load<PledgeLedgerRow>(PledgeLedgerRow.IdOf(id, pledgeId)) : null;
        // The last entry of the stem in the (stream, stem, number) index; and the ids of any rows stored before rows kept
        // their number (none once each has been written again). Numbering reads no pledge's document.
        (Task<IEnumerable<long?>> Highest, Task<IEnumerable<string>> Unnumbered)? numbering = named.NumberedAfter is { } stem
            ? (batch.Query(new HighestPledgeNumber { StreamId = id, Stem = stem }),
               batch.Query(new PledgeIdsStoredWithoutNumber { StreamId = id, Stem = stem }))
            : null;
        // An announcement with an id of its own that ends in a number: any standing pledge with that number after the same
        // stem, written otherwise ("germany-1" for "germany-01"), which the rules then refuse as the same pledge.
        var sameNumber = named is { Announces: true, Id: { } explicitId } &&
                         AnnouncePledge.NumberedStem(explicitId) is { } explicitStem && AnnouncePledge.NumberOf(explicitId) is { } number
            ? batch.Query(new PledgesNumberedAs { StreamId = id, Stem = explicitStem, Number = number })
            : null;
        await batch.Execute(http.RequestAborted);

        var stream = await fetched;
        var rows = new List<PledgeLedgerRow>();
        if (one is not null && await one is { } row) rows.Add(row);
        if (sameNumber is not null) rows.AddRange((await sameNumber).Where(r => rows.All(loaded => loaded.Id != r.Id)));
        // An announcement on a commitment that has retracted something: the ids of its retracted pledges, which are not
        // given again (their rows are gone). Read from the log at the retracted versions the state keeps, so only a
        // commitment with retractions pays for it, by how many it has, not by its length.
        IReadOnlyList<string> retractedIds = named.Announces && stream.Aggregate?.State is { Retracted.Count: > 0 } retracting
            ? await LogLookups.RetractedPledgeIds(session, id, retracting.Retracted, http.RequestAborted)
            : [];
        // The events are numbered after the stream's row (Marten's append): where the row is ahead of the model (a log
        // imported without its models, a row wound forward), the state counts from it too, so that the versions a
        // decision names (a pledge's announcement, the answer's version and ETag) are the ones the events are stored at.
        return (stream, stream.Aggregate?.State is { } state
            ? state.Stored() with
            {
                Pledges = [.. rows.Select(r => r.Ledger)],
                Version = Math.Max(state.Version, (int)(stream.CurrentVersion ?? 0))
            }
            : null!, numbering is { } read
                ? PledgeNumbering.Of(await read.Highest, (await read.Unnumbered).Select(PledgeLedgerRow.PledgeIdOf), retractedIds)
                : new PledgeNumbering(null, retractedIds));
    }

    /// <summary>
    /// 404 for an unknown commitment; 412 when If-Match names another version; 422 naming any cited document that is not
    /// registered.
    /// </summary>
    public static async Task<IResult> ValidateAsync<TRequest>(string key, IEventStream<CommitmentProgress> stream,
        TRequest request, IDocumentSession session, RegisteredDocuments registered, HttpContext http)
        where TRequest : ICitesDocuments
    {
        var ifMatch = Versions.TryReadIfMatch(http.Request, out var condition);
        // Read here, so that a malformed one is a 400 before anything else is said, as a malformed If-Match is.
        var ifNoneMatch = IfNoneMatch.Read(http.Request);
        if (stream.Aggregate is null) return NoSuchCommitment.Problem(key);
        // The stream's row and its model are written in one transaction: a row behind its model was deleted or wound back
        // outside the service, and a write would fail as a lost race forever or be numbered where no answer could say.
        // (A row ahead of its model is also what a log imported without its models, or an event the model could not
        // apply, leaves: those writes go on.)
        if ((stream.CurrentVersion ?? 0) < stream.Aggregate.Version)
        {
            return Results.Problem(ExceptionProblems.LogDamaged(
                $"The commitment's stream row says version {stream.CurrentVersion ?? 0}, its model version {stream.Aggregate.Version}: " +
                "the row was changed outside the service, and nothing can be recorded to it until it is put right."));
        }
        if (ifMatch && !condition.Matches(stream.CurrentVersion ?? 0))
        {
            http.Response.Headers.ETag = $"\"{stream.CurrentVersion ?? 0}\"";
            return Results.Problem(ExceptionProblems.PreconditionFailed(stream.CurrentVersion ?? 0));
        }
        // Under the stream's lock too, so the version it compares is the one the write would follow.
        if (ifNoneMatch is not null && ifNoneMatch.Matches(stream.CurrentVersion ?? 0))
        {
            return Results.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status412PreconditionFailed,
                Type = ProblemTypes.PreconditionFailed,
                Title = "If-None-Match holds of the commitment as it is",
                Detail = $"Nothing was done: the commitment is at version {stream.CurrentVersion ?? 0}, and If-None-Match " +
                         (ifNoneMatch.Anything ? "* asks that it not exist." : $"({http.Request.Headers.IfNoneMatch}) names that version.")
            });
        }
        var problem = await DocumentChecks.AllRegistered(session, registered, [.. request.CitedDocuments()]);
        if (!ReferenceEquals(problem, WolverineContinue.NoProblems)) return Results.Problem(problem);
        return DocumentChecks.PrimaryRefusal(registered, request) is { } differs
            ? RuleProblems.For(differs)
            : WolverineContinue.Result();
    }

    /// <summary>
    /// What a write answers for a decision: the events to append (Wolverine runs the operation on the fetched stream, in
    /// the write's transaction), the response, and the deadline check a new due date needs; or the rule it broke.
    /// The clock is the one Marten stamps the events with (TrackerDatabase), so the day an undated revision takes effect
    /// here is the day the stored model gives it from the event's timestamp.
    /// </summary>
    public static (IResult, AppendToCommitment, OutgoingMessages) Recorded(CommitmentState before, TimeProvider clock,
        Decision decision, Func<CommitmentState, object>? body = null, string? location = null)
    {
        var stream = StreamIds.ForCommitment(before.Key);
        if (decision.Violation is { } violation) return (RuleProblems.For(violation), new AppendToCommitment(stream, []), []);

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var state = decision.Events.Aggregate(before, (s, e) => s.After(e, recordedOn: today));
        var answer = new WriteAccepted(
            body?.Invoke(state) ?? new Recorded(state.Key, state.Version, decision.Events.Select(EventNames.Of).ToList()),
            state.Version, location);
        return (answer, new AppendToCommitment(stream, decision.Events), [.. CheckDeadline.WhenItMayFallDue(before, state)]);
    }
}

/// <summary>
/// The events a decision recorded, appended to the commitment's stream. The stream was fetched for writing in the same
/// session, so they join it: its expected version (If-Match) or its lock still holds at commit.
/// </summary>
public sealed record AppendToCommitment(Guid StreamId, IReadOnlyList<object> Events) : IMartenOp
{
    public void Execute(IDocumentSession session)
    {
        if (Events.Count > 0) session.Events.Append(StreamId, Events);
    }
}

/// <summary>
/// What a write answers by default: the commitment, its new version, and the events recorded; a revision also says the
/// target and deadline in force after it, which are not its own when it took effect before a later one.
/// </summary>
public sealed record Recorded(string Key, int Version, IReadOnlyList<string> Events, InForceNow? InForce = null);

/// <summary>The target, the deadline and the ledger currency in force now.</summary>
public sealed record InForceNow(Target? Target, Deadline? Deadline, string? LedgerCurrency = null);

/// <summary>
/// Puts <see cref="CommitmentWrite"/>'s steps before every endpoint that takes a <see cref="CommitmentState"/>, the
/// document check closed over the endpoint's request type (code generation resolves variables by their exact type), and
/// describes in the OpenAPI document the answers every such write can give.
/// </summary>
public sealed class CommitmentWritePolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.Method.Method.GetParameters().Any(p => p.ParameterType == typeof(CommitmentState))))
        {
            if (chain.RequestType is not { } requestType || !typeof(ICitesDocuments).IsAssignableFrom(requestType))
            {
                throw new InvalidOperationException(
                    $"{chain.Method.HandlerType.Name}: a commitment write's request must say which documents it cites (ICitesDocuments).");
            }
            var creates = chain.Method.Method.GetCustomAttributes(typeof(ProducesResponseTypeAttribute), true)
                .OfType<ProducesResponseTypeAttribute>().Any(a => a.StatusCode == StatusCodes.Status201Created);
            if (!creates) chain.Metadata.Produces<Recorded>(StatusCodes.Status200OK);
            chain.Metadata
                .WithMetadata(new Tracker.Api.Infrastructure.Http.ComparesIfMatch())
                .Produces<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")
                .Produces<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")
                .Produces<ProblemDetails>(StatusCodes.Status412PreconditionFailed, "application/problem+json")
                .Produces<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json");

            var load = new MethodCall(typeof(CommitmentWrite),
                typeof(CommitmentWrite).GetMethod(nameof(CommitmentWrite.LoadAsync))!.MakeGenericMethod(requestType))
            {
                CommentText = "Fetch the commitment for writing, with the pledges the request names"
            };
            var validate = new MethodCall(typeof(CommitmentWrite),
                typeof(CommitmentWrite).GetMethod(nameof(CommitmentWrite.ValidateAsync))!.MakeGenericMethod(requestType))
            {
                CommentText = "An unknown commitment or document ends the request"
            };
            // Before the endpoint's own loading steps (the fact a correction names, a restating document), which may
            // then rely on the commitment and the documents being there.
            var own = chain.Middleware.FindIndex(frame => frame is MethodCall call && call.HandlerType == chain.Method.HandlerType);
            chain.Middleware.InsertRange(own < 0 ? chain.Middleware.Count : own,
                [load, validate, new MaybeEndWithResultFrame(validate.ReturnVariable!)]);
        }
    }
}

/// <summary>
/// The pledges a write names, loaded with the commitment: one by its id (its ledger row), or the highest number among
/// the pledges numbered after a stem ("germany": germany-1, germany-2, ..., after which an announcement numbers its own).
/// The route's pledge (a stage, a revision) is named by the route; a request names others itself
/// (<see cref="INamesPledges"/>). A correction names its pledge through the fact it retracts, which it reads after the
/// fetch (<see cref="Revising.CorrectEventEndpoint"/>).
/// </summary>
public readonly record struct NamedPledges(string? Id, string? NumberedAfter, bool Announces = false)
{
    public static NamedPledges Of<TRequest>(TRequest request, HttpContext http) =>
        http.Request.RouteValues.TryGetValue("pledgeId", out var routed) && routed is string id ? new(id, null)
        : request is INamesPledges names ? names.PledgesNamed
        : default;
}

/// <summary>
/// The highest number among a commitment's pledges numbered after a stem, as a compiled query (Marten plans it once): the
/// last entry of the stem in the (stream, stem, number) index.
/// </summary>
public sealed class HighestPledgeNumber : ICompiledListQuery<PledgeLedgerRow, long?>
{
    public Guid StreamId { get; init; }
    public string Stem { get; init; } = "";

    public System.Linq.Expressions.Expression<Func<IMartenQueryable<PledgeLedgerRow>, IEnumerable<long?>>> QueryIs() =>
        rows => rows.Where(r => r.StreamId == StreamId && r.IdStem == Stem && r.IdNumber != null)
            .OrderByDescending(r => r.IdNumber).Select(r => r.IdNumber).Take(1);
}

/// <summary>The standing pledges numbered after a stem with one number: one probe of the (stream, stem, number) index.</summary>
public sealed class PledgesNumberedAs : ICompiledListQuery<PledgeLedgerRow>
{
    public Guid StreamId { get; init; }
    public string Stem { get; init; } = "";
    public long Number { get; init; }

    public System.Linq.Expressions.Expression<Func<IMartenQueryable<PledgeLedgerRow>, IEnumerable<PledgeLedgerRow>>> QueryIs() =>
        rows => rows.Where(r => r.StreamId == StreamId && r.IdStem == Stem && r.IdNumber == Number);
}

/// <summary>
/// The ids of a stem's rows stored before rows kept their number as a column (null there): their numbers count too.
/// One probe of the same index; empty once every such row has been written again.
/// </summary>
public sealed class PledgeIdsStoredWithoutNumber : ICompiledListQuery<PledgeLedgerRow, string>
{
    public Guid StreamId { get; init; }
    public string Stem { get; init; } = "";

    public System.Linq.Expressions.Expression<Func<IMartenQueryable<PledgeLedgerRow>, IEnumerable<string>>> QueryIs() =>
        rows => rows.Where(r => r.StreamId == StreamId && r.IdStem == Stem && r.IdNumber == null).Select(r => r.Id);
}

/// <summary>
/// What an announcement numbers its pledge after: the highest number among the standing pledges numbered after the stem
/// an announcement without an id numbers its pledge after (null for any other write, or when there is none); and the ids
/// of the commitment's retracted pledges, which no announcement takes again.
/// </summary>
public sealed record PledgeNumbering(long? Highest, IReadOnlyList<string> RetractedIds)
{
    public PledgeNumbering(long? highest) : this(highest, []) { }

    public static PledgeNumbering Of(IEnumerable<long?> highest, IEnumerable<string> storedWithoutNumber,
        IReadOnlyList<string> retractedIds) =>
        new(highest.Concat(storedWithoutNumber.Select(AnnouncePledge.NumberOf)).Max(), retractedIds);

    /// <summary>The id an announcement without one gets (<see cref="AnnouncePledge.NextPledgeId(long?, string, IEnumerable{string}?)"/>).</summary>
    public string? Next(string pledgerKey) => AnnouncePledge.NextPledgeId(Highest, pledgerKey, RetractedIds);
}

/// <summary>A write's request that names pledges its decision needs, other than the route's.</summary>
public interface INamesPledges
{
    NamedPledges PledgesNamed { get; }
}
