using System.Net.Sockets;
using JasperFx.Events;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// Turns every exception that escapes an endpoint into an RFC 9457 problem: the failures a client can act on get their
/// own status (409 for a lost race, 503 while the database is away); anything else is a 500 that names no internals.
/// </summary>
public sealed class ExceptionProblems(IProblemDetailsService problems, ILogger<ExceptionProblems> logger, NpgsqlDataSource database)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken token)
    {
        var problem = Classify(exception) == Failure.LostRace && await EventsPastItsRow(context, exception, token) is { } damaged
            ? LogDamaged(damaged)
            : Describe(exception, Versions.NamesVersions(context.Request), HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method));
        // A damaged event is logged with its cause: if the log verifies intact, the fault is the service's own.
        if (problem.Status >= 500 && problem.Status != StatusCodes.Status503ServiceUnavailable ||
            Classify(exception) == Failure.UnreadableEvent)
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", context.Request.Method, context.Request.Path);
        }
        else
        {
            // A client's own mistake (a malformed header, 400) is information, as a body's 400 is not logged at all; a lost
            // race or the database away (409, 503) is the service's to watch (until 2026-12-06 every one was a warning).
            logger.Log(problem.Status is >= 400 and < 500 and not StatusCodes.Status409Conflict ? LogLevel.Information : LogLevel.Warning,
                "{Method} {Path} answered {Status}: {Reason}", context.Request.Method, context.Request.Path, problem.Status,
                // The cause in words (until 2026-12-07 the exception's .NET type, "NpgsqlException").
                OutageLogs.OutageIn(exception) is { } outage ? DatabaseOutage.Said(outage) : problem.Title);
        }

        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception
        });
    }

    internal static ProblemDetails Describe(Exception exception, bool hadIfMatch, bool read = false) => Classify(exception) switch
    {
        Failure.LostRace when hadIfMatch => PreconditionFailed(),
        // PostgreSQL ended this transaction to break a cycle of waits (a rebuild's batch and a request naming the same
        // pledger, PledgerRollup): nothing was recorded, and the same request may well succeed at once.
        Failure.Deadlocked => new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Type = ProblemTypes.ConcurrencyConflict,
            Title = "Another write was waiting on this one",
            Detail = "Nothing was recorded. Send the request again."
        },
        Failure.DuplicateKey => new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Type = ProblemTypes.DuplicateKey,
            Title = "The key is already taken",
            Detail = "Another request registered the same key first."
        },
        Failure.LostRace => new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Type = ProblemTypes.ConcurrencyConflict,
            Title = "Another write changed this resource first",
            Detail = "Nothing was recorded. Read the resource again and retry."
        },
        // A body that stopped arriving (Kestrel's least rate): Kestrel's own words name its setting (until 2026-12-07 they
        // were the detail, typed as a validation problem).
        Failure.BadRequest when ((BadHttpRequestException)exception).StatusCode == StatusCodes.Status408RequestTimeout => new ProblemDetails
        {
            Status = StatusCodes.Status408RequestTimeout,
            Type = ProblemTypes.RequestTimeout,
            Title = "The request body arrived too slowly",
            Detail = "The body stopped arriving, or came slower than the service waits for. Nothing was recorded: send the request again."
        },
        Failure.BadRequest => new ProblemDetails
        {
            Status = ((BadHttpRequestException)exception).StatusCode,
            Type = ProblemTypes.Validation,
            // A header the service reads (If-Match, Idempotency-Key) said wrong is named as a header; until 2026-12-06 it
            // was titled as a request that "could not be read", like a broken body.
            Title = exception is HeaderProblem ? "A request header is not valid" : "The request could not be read",
            Detail = exception.Message,
            Extensions = exception is HeaderProblem header
                ? new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [header.Header] = [exception.Message] } }
                : new Dictionary<string, object?>()
        },
        Failure.TooLargeToAddUp => new ProblemDetails
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Type = ProblemTypes.Conflict,
            Title = "Figures too large to add up",
            Detail = "An amount recorded before amounts were bounded (10^15) is too large to add up with the others. " +
                     "Revise or correct the event that recorded it; the figures then add up again."
        },
        // Rows changed behind the service's back (nothing it writes does this): the auditor's verification names them.
        Failure.UnreadableEvent => LogDamaged((Unwrap<Marten.Exceptions.EventDeserializationFailureException>(exception) is { } marten
                ? (marten.Sequence, marten.EventTypeName)
                : Unwrap<EventDeserializationFailureException>(exception) is { } jasper ? (jasper.Sequence, jasper.EventTypeName)
                : Unwrap<Tracker.Projections.DamagedEventException>(exception) is { } damaged ? (damaged.Sequence, damaged.TypeName)
                : default) is
            (var sequence and > 0, var type)
            ? $"The event at sequence {sequence}{(type is null ? "" : $" ({type})")} does not read as the kind of event it " +
              "says it is: its stored row was changed outside the service."
            : "An event's stored row was changed outside the service and does not read."),
        Failure.ArchivedStream => LogDamaged(
            "The commitment's stream is marked archived in the database, which the service never does: its row was " +
            "changed outside the service, and nothing can be recorded to it."),
        Failure.DatabaseUnavailable => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Type = ProblemTypes.DatabaseUnavailable,
            Title = "The database is unavailable",
            // A read recorded nothing to begin with (until 2026-12-06 it was told so).
            Detail = read ? "Retry after the delay in the Retry-After header." : "Nothing was recorded. Retry after the delay in the Retry-After header."
        },
        _ => new ProblemDetails
        {
            Status = StatusCodes.Status500InternalServerError,
            Type = ProblemTypes.Unexpected,
            Title = "An unexpected error occurred",
            Detail = "The error was logged with the trace id below."
        }
    };

    /// <summary>409: the log itself does not hold what the service wrote, and cannot answer this request.</summary>
    public static ProblemDetails LogDamaged(string detail) => new()
    {
        Status = StatusCodes.Status409Conflict,
        Type = ProblemTypes.LogDamaged,
        Title = "The event log was changed outside the service",
        Detail = detail + " GET /api/audit/verify names every such change; nothing was recorded."
    };

    /// <summary>
    /// A lost race on a stream whose log holds events past the version its row counts: events appended outside the
    /// service (through the log's triggers, which hash whatever they are given). Every write to it would lose the same
    /// race, so it is not one to retry. Looked up only when a write has lost a race, which is rare.
    /// </summary>
    private async Task<string?> EventsPastItsRow(HttpContext context, Exception exception, CancellationToken token)
    {
        // Marten's append names no stream in the exception; the route does (the handler sees it as it was).
        var failed = context.Features.Get<IExceptionHandlerFeature>();
        // The exception's id may be a document's (the model's is the stream's own); the route's key names the stream.
        Guid?[] candidates =
        [
            failed is { Path: var path, RouteValues: { } route } && path.StartsWith("/api/commitments/", StringComparison.OrdinalIgnoreCase) &&
            route["key"] is string key ? Tracker.Domain.StreamIds.ForCommitment(key) : null,
            Unwrap<JasperFx.ConcurrencyException>(exception)?.Id as Guid?
        ];
        foreach (var stream in candidates.Where(c => c is not null).Distinct())
        {
            if (await EventsPastItsRow(stream!.Value, token) is { } damaged) return damaged;
        }
        return null;
    }

    private async Task<string?> EventsPastItsRow(Guid stream, CancellationToken token)
    {
        try
        {
            await using var command = database.CreateCommand($"""
                select s.version, (select max(e.version) from {TrackerDatabase.Schema}.mt_events e where e.stream_id = s.id)
                  from {TrackerDatabase.Schema}.mt_streams s where s.id = $1
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = stream });
            await using var reader = await command.ExecuteReaderAsync(token);
            if (!await reader.ReadAsync(token) || reader.IsDBNull(1) || reader.GetInt64(1) <= reader.GetInt64(0)) return null;
            return $"Its log holds events after version {reader.GetInt64(0)}, the version its stream row counts (its last event is version " +
                   $"{reader.GetInt64(1)}): they were appended outside the service, and every write to it would fail the same way until that is put right.";
        }
        catch (Exception lookup) when (lookup is NpgsqlException or OperationCanceledException)
        {
            return null;
        }
    }

    private static T? Unwrap<T>(Exception exception) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found) return found;
        }
        return null;
    }

    /// <summary>
    /// 412: the version in If-Match is not the resource's version any more; the version it is at, where known, said (and
    /// sent as the answer's ETag by the caller), so the client need not read it again to learn it (until 2026-12-07 the
    /// write's 412 said neither, where a read's said both).
    /// </summary>
    public static ProblemDetails PreconditionFailed(long? current = null) => new()
    {
        Status = StatusCodes.Status412PreconditionFailed,
        Type = ProblemTypes.PreconditionFailed,
        Title = "The resource changed since the version in If-Match",
        Detail = current is { } version
            ? $"Nothing was recorded: the commitment is at version {version} (ETag \"{version}\"), not one If-Match names. Read it again and decide anew."
            : "Nothing was recorded. Read the resource again (its ETag is the current version) and decide anew."
    };

    public enum Failure
    {
        DuplicateKey, LostRace, Deadlocked, BadRequest, TooLargeToAddUp, UnreadableEvent, ArchivedStream, DatabaseUnavailable,
        Unexpected
    }

    // Marten and Npgsql wrap their failures; the meaningful one may be any link of the chain.
    public static Failure Classify(Exception exception)
    {
        if (exception is BadHttpRequestException) return Failure.BadRequest;
        // Only amounts stored before every input was bounded can overflow a sum now (InputBounds).
        if (exception is OverflowException) return Failure.TooLargeToAddUp;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Marten.Exceptions.ExistingStreamIdCollisionException or ExistingStreamIdCollisionException:
                    return Failure.DuplicateKey;
                case EventStreamUnexpectedMaxEventIdException or JasperFx.ConcurrencyException
                    or Marten.Exceptions.ConcurrentUpdateException or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }
                    // Marten's quick append's own refusal of a version another writer took, raised in the database.
                    or PostgresException { SqlState: "MT003" }:
                    return Failure.LostRace;
                case PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected }:
                    return Failure.Deadlocked;
                case EventDeserializationFailureException or Marten.Exceptions.EventDeserializationFailureException
                    or UnknownEventTypeException or Marten.Exceptions.UnknownEventTypeException
                    or Tracker.Projections.DamagedEventException:
                    return Failure.UnreadableEvent;
                // Marten 9's refusal of an append to an archived stream (JasperFx's own type from Marten 10).
                case ArchivedStreamException:
                case Marten.Exceptions.InvalidStreamOperationException when e.Message.Contains("archived", StringComparison.OrdinalIgnoreCase):
                    return Failure.ArchivedStream;
                case SocketException or TimeoutException or NpgsqlException { IsTransient: true }
                    or PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" }:
                    return Failure.DatabaseUnavailable;
            }
        }
        return Failure.Unexpected;
    }
}
