using JasperFx.Events;
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
    void Apply(IEvent e);
    void EndStream();
}

public abstract class StreamFold<TModel> : IStreamFold
{
    private List<Replayed<TModel>> _finished = [];

    public abstract void Apply(IEvent e);
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
    protected static T Applied<T>(string projection, IEvent e, Func<T> apply)
    {
        try
        {
            return apply();
        }
        catch (Exception failure)
        {
            throw new PoisonEventException(projection, e, failure);
        }
    }
}

/// <summary>
/// A commitment folded event by event and its progress computed once at the end of its stream: the same result as the
/// inline projection's step-by-step models (CommitmentProgress.From depends only on the state and the last event).
/// </summary>
public sealed class CommitmentProgressFold : StreamFold<CommitmentProgress>
{
    public const string ProjectionName = "CommitmentProgress";
    private Commitment? _state;
    private IEvent? _last;

    private List<Replayed<ProgressCheckpoint>> _checkpoints = [];

    public override void Apply(IEvent e)
    {
        if (Applied(ProjectionName, e, () => CommitmentReplay.Step(_state, e.StreamId, e)) is not { } next) return;
        _state = next;
        _last = e;
        // The checkpoints writes keep, for logs written before them or by other means (an import of events).
        if (next.Version % ProgressCheckpoint.Interval == 0)
        {
            _checkpoints.Add(new(ProgressCheckpoint.Of(CommitmentProgress.From(next, Timestamps.AsStored(e.Timestamp))), next.Version));
        }
    }

    /// <summary>The checkpoints passed since the last call.</summary>
    public IReadOnlyList<Replayed<ProgressCheckpoint>> TakeCheckpoints()
    {
        var taken = _checkpoints;
        _checkpoints = [];
        return taken;
    }

    public override void EndStream()
    {
        if (_state is not null && _last is not null)
        {
            Finished(new(CommitmentProgress.From(_state, Timestamps.AsStored(_last.Timestamp)), _state.Version));
        }
        (_state, _last) = (null, null);
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

    public override void Apply(IEvent e)
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
            () => PledgeLedgerProjection.Stepped(_open.GetValueOrDefault(id), e.StreamId, data, (int)e.Version));
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
