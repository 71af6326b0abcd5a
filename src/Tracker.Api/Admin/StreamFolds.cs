using JasperFx.Events;
using Marten;
using Tracker.Domain.Commitments;
using Tracker.Projections;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;

namespace Tracker.Api.Admin;

/// <summary>A read model computed from the log, with its revision (the number Marten keeps beside a projected document).</summary>
public sealed record Replayed<TModel>(TModel Model, long Revision);

/// <summary>
/// Folds the log, read in stream order, into one read model's documents: told of each event, and of the end of each
/// stream, when that stream's documents are final.
/// </summary>
public interface IStreamFold
{
    ValueTask Apply(LoggedEvent e, CancellationToken token);
    void EndStream();
}

public abstract class StreamFold<TModel> : IStreamFold
{
    private List<Replayed<TModel>> _finished = [];

    public abstract ValueTask Apply(LoggedEvent e, CancellationToken token);
    public abstract void EndStream();

    protected void Finished(Replayed<TModel> model) => _finished.Add(model);

    /// <summary>The documents finished since the last call.</summary>
    public IReadOnlyList<Replayed<TModel>> TakeFinished()
    {
        var taken = _finished;
        _finished = [];
        return taken;
    }

    /// <summary>Applies an event, naming it if the projection cannot.</summary>
    protected static T Applied<T>(string projection, LoggedEvent e, Func<T> apply)
    {
        try
        {
            return apply();
        }
        catch (Exception failure)
        {
            throw PoisonEventException.NotApplied(projection, e, failure);
        }
    }

    /// <inheritdoc cref="Applied{T}(string, LoggedEvent, Func{T})"/>
    protected static async ValueTask<T> AppliedAsync<T>(string projection, LoggedEvent e, ValueTask<T> apply)
    {
        try
        {
            return await apply;
        }
        catch (Exception failure) when (failure is not OperationCanceledException && !FromTheDatabase(failure))
        {
            throw PoisonEventException.NotApplied(projection, e, failure);
        }
    }

    /// <summary>A lookup of the log that failed (a lost connection, a timeout): the database's fault, not the event's.</summary>
    private static bool FromTheDatabase(Exception failure)
    {
        for (var inner = failure; inner is not null; inner = inner.InnerException)
        {
            if (inner is Npgsql.NpgsqlException or TimeoutException) return true;
        }
        return false;
    }
}

/// <summary>
/// A commitment's progress stepped event by event with the inline projection's own step (the same lookups of the log for
/// the few facts that need them), and summarised only where a model is kept: at each checkpoint and at the end of the
/// stream. What it holds is the projection's bounded parts, never the history.
/// </summary>
public sealed class CommitmentProgressFold(IQuerySession session) : StreamFold<CommitmentProgress>
{
    public const string ProjectionName = "CommitmentProgress";
    private CommitmentProgress? _stated;
    private ProgressParts _parts;
    private DateTimeOffset? _lastAt;

    private List<Replayed<ProgressCheckpoint>> _checkpoints = [];

    public override async ValueTask Apply(LoggedEvent e, CancellationToken token)
    {
        if (e.Data is CommitmentStated stated)
        {
            _stated = Applied(ProjectionName, e, () => CommitmentProgress.Started(e.StreamId, stated, Timestamps.AsStored(e.Timestamp)));
            _parts = _stated.Parts;
        }
        else if (_stated is null) return;
        else
        {
            var step = CommitmentProgressProjection.Step(_parts, e.StreamId, session, e.Data, e.Version,
                DateOnly.FromDateTime(e.Timestamp.UtcDateTime), token);
            _parts = step.IsCompletedSuccessfully ? step.Result : await AppliedAsync(ProjectionName, e, step);
        }
        _lastAt = e.Timestamp;
        // The checkpoints writes keep, for logs written before them or by other means (an import of events).
        if (_parts.State.Version % ProgressCheckpoint.Interval == 0)
        {
            _checkpoints.Add(new(ProgressCheckpoint.Of(Summarised()), _parts.State.Version));
        }
    }

    private CommitmentProgress Summarised() => _stated!.With(_parts, Timestamps.AsStored(_lastAt!.Value));

    /// <summary>The checkpoints passed since the last call.</summary>
    public IReadOnlyList<Replayed<ProgressCheckpoint>> TakeCheckpoints()
    {
        var taken = _checkpoints;
        _checkpoints = [];
        return taken;
    }

    public override void EndStream()
    {
        if (_stated is not null && _lastAt is not null) Finished(new(Summarised(), _parts.State.Version));
        (_stated, _lastAt, _parts) = (null, null, default);
    }
}

/// <summary>
/// Each pledge's ledger row, by the steps of the inline projection: final when the stream ends. A correction stored
/// before retractions is read as the retraction it stands for, from the pledge facts earlier in the same stream.
/// </summary>
public sealed class PledgeLedgerFold : StreamFold<PledgeLedgerRow>
{
    private readonly Dictionary<string, PledgeLedgerRow> _open = [];
    private readonly Dictionary<long, object> _facts = [];

    public override ValueTask Apply(LoggedEvent e, CancellationToken token)
    {
        Apply(e);
        return ValueTask.CompletedTask;
    }

    private void Apply(LoggedEvent e)
    {
        var data = e.Data is EventCorrected legacy
            ? _facts.TryGetValue(legacy.CorrectedVersion, out var corrected) ? Retraction.Of(legacy, corrected) : null
            : e.Data;
        if (data is null || PledgeLedgerProjection.PledgeOf(data) is not { } pledgeId) return;
        if (data is not IRetraction) _facts[e.Version] = data;
        // A disbursement's retraction stored before it carried the stage's date: the date of the stage it names.
        if (data is PledgeStageRetracted { On: null } undated && _facts.GetValueOrDefault(undated.RetractedVersion) is PledgeStageRecorded stage)
        {
            data = undated with { On = stage.On };
        }

        var id = PledgeLedgerRow.IdOf(e.StreamId, pledgeId);
        var next = Applied(PledgeLedgerProjection.ProjectionName, e,
            () => PledgeLedgerProjection.Stepped(_open.GetValueOrDefault(id), e.StreamId, data, (int)e.Version,
                DateOnly.FromDateTime(e.Timestamp.UtcDateTime)));
        if (next is null) _open.Remove(id);
        else _open[id] = next;
    }

    public override void EndStream()
    {
        foreach (var row in _open.Values) Finished(new(row, row.Version));
        _open.Clear();
        _facts.Clear();
    }
}
