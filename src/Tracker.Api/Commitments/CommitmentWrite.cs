using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Tracker.Projections.Commitments;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Api.Documents;
using Wolverine;
using Wolverine.Http;

namespace Tracker.Api.Commitments;

/// <summary>
/// The steps every write to an existing commitment shares: fetch its stream (checking If-Match), refuse unknown
/// commitments and unknown documents, then append what the pure decision returned, or answer the rule it broke.
/// </summary>
public static class CommitmentWrite
{
    /// <summary>
    /// Fetches the stream for writing. With If-Match, a stale version fails here (412), before any decision. Without it,
    /// the stream is locked for this transaction, so writers racing on one commitment queue instead of failing.
    /// </summary>
    public static async Task<IEventStream<CommitmentProgress>> Fetch(string key, IDocumentSession session, HttpContext http)
    {
        var id = StreamIds.ForCommitment(key);
        return Versions.TryReadIfMatch(http.Request, out var expected)
            ? await session.Events.FetchForWriting<CommitmentProgress>(id, expected, http.RequestAborted)
            : await session.Events.FetchForExclusiveWriting<CommitmentProgress>(id, http.RequestAborted);
    }

    /// <summary>404 for an unknown commitment; 422 naming any referenced document that is not registered.</summary>
    public static async Task<ProblemDetails> Check(IEventStream<CommitmentProgress> stream, string key, IQuerySession session,
        RegisteredDocuments registered,
        params string?[] documentKeys)
    {
        if (stream.Aggregate is null)
        {
            return new ProblemDetails
            {
                Status = StatusCodes.Status404NotFound,
                Type = ProblemTypes.NotFound,
                Title = "No such commitment",
                Detail = $"No commitment has key '{key}'."
            };
        }
        return await DocumentChecks.AllRegistered(session, registered, documentKeys);
    }

    /// <summary>
    /// Appends the decision's events and schedules the deadline check a new due date needs (Wolverine commits both in one
    /// transaction), or turns the decision's violation into a problem.
    /// </summary>
    public static (IResult, OutgoingMessages) Append(IEventStream<CommitmentProgress> stream, Decision decision,
        Func<CommitmentState, object>? body = null, string? location = null)
    {
        if (decision.Violation is { } violation) return (RuleProblems.For(violation), []);

        stream.AppendMany(decision.Events);
        var before = stream.Aggregate!.State;
        var state = decision.Events.Aggregate(before, (s, e) => s.After(e));
        var answer = new WriteAccepted(
            body?.Invoke(state) ?? new Recorded(state.Key, state.Version, decision.Events.Select(EventNames.Of).ToList()),
            state.Version, location);
        return (answer, [.. CheckDeadline.WhenDueDateChanged(before, state)]);
    }
}

/// <summary>What a write answers by default: the commitment, its new version, and the events recorded.</summary>
public sealed record Recorded(string Key, int Version, IReadOnlyList<string> Events);
