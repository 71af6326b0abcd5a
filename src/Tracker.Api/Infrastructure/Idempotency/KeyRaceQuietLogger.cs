using Marten;
using Marten.Services;
using Npgsql;

namespace Tracker.Api.Infrastructure.Idempotency;

/// <summary>
/// The session logger of a write that keeps its response under an Idempotency-Key: Marten's own, except that the
/// commit of a repeat that lost the race for its key to the first request (the key's row already there, a unique
/// violation on the keys' table) is not logged as an error with its stack trace. That failure is the expected end of
/// such a race: nothing of the repeat was written, and the middleware answers it with the first one's response
/// (IdempotentRequests), logged there at Information. Every other failure goes to Marten's logger as before.
/// </summary>
public sealed class KeyRaceQuietLogger(IMartenSessionLogger marten) : IMartenSessionLogger
{
    public static void Install(IDocumentSession session)
    {
        if (session.Logger is not KeyRaceQuietLogger) session.Logger = new KeyRaceQuietLogger(session.Logger);
    }

    public static bool LostKeyRace(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, TableName: IdempotencyKeysTable.Name } ||
        e.InnerException is { } inner && LostKeyRace(inner);

    public void LogFailure(NpgsqlBatch batch, Exception ex)
    {
        if (!LostKeyRace(ex)) marten.LogFailure(batch, ex);
    }

    public void LogFailure(NpgsqlCommand command, Exception ex)
    {
        if (!LostKeyRace(ex)) marten.LogFailure(command, ex);
    }

    public void LogFailure(Exception ex, string message)
    {
        if (!LostKeyRace(ex)) marten.LogFailure(ex, message);
    }

    public void LogSuccess(NpgsqlCommand command) => marten.LogSuccess(command);
    public void LogSuccess(NpgsqlBatch batch) => marten.LogSuccess(batch);
    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) => marten.RecordSavedChanges(session, commit);
    public void OnBeforeExecute(NpgsqlCommand command) => marten.OnBeforeExecute(command);
    public void OnBeforeExecute(NpgsqlBatch batch) => marten.OnBeforeExecute(batch);
}
