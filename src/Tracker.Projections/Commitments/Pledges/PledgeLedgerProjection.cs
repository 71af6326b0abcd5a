using System.Runtime.CompilerServices;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Marten.Services;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments.Pledges;

/// <summary>
/// Keeps a ledger row per pledge, inline: in a write's transaction, each fact about a pledge steps that pledge's row with
/// the decision state's own pledge step (PledgeLedger), so the row always agrees with what the rules decided. A write
/// loads the row it names before deciding, through the session's identity map, so stepping it here reads nothing again.
/// </summary>
public sealed partial class PledgeLedgerProjection : EventProjection
{
    public const string ProjectionName = "PledgeLedgers";

    public PledgeLedgerProjection()
    {
        Name = ProjectionName;
        IncludeType<PledgeAnnounced>();
        IncludeType<PledgeRevised>();
        IncludeType<PledgeStageRecorded>();
        IncludeType<PledgeRetracted>();
        IncludeType<PledgeRevisionRetracted>();
        IncludeType<PledgeStageRetracted>();
        IncludeType<EventCorrected>();
    }

    /// <summary>
    /// The rows each session (a write's, or a daemon batch's) has stepped and not yet committed: a later fact about the
    /// same pledge in the same batch steps the row as stepped, which a load would not see before the commit. A session
    /// forgets them once it committed (<see cref="ForgetSteppedRows"/>), so a session that saves again reads the rows as
    /// they are then, not as it last wrote them.
    /// </summary>
    private static readonly ConditionalWeakTable<IDocumentOperations, Dictionary<string, (long Version, PledgeLedgerRow? Row)>> Stepping = new();

    /// <summary>Forgets a session's stepped rows once it committed.</summary>
    public sealed class ForgetSteppedRows : DocumentSessionListenerBase
    {
        public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
        {
            Stepping.Remove(session);
            return Task.CompletedTask;
        }
    }

    public override async ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        // A write loaded the row it names through its session's identity map (CommitmentWrite): the load below finds it
        // there and reads nothing again. Other sessions read the row as committed.
        var data = e.Data is EventCorrected legacy ? await LogLookups.RetractionFor(operations, e.StreamId, legacy, cancellation) : e.Data;
        if (data is null || PledgeOf(data) is not { } pledgeId) return;
        if (data is PledgeStageRetracted { Stage: PledgeStage.Disbursed, On: null } undated)
        {
            data = await LogLookups.Dated(operations, e.StreamId, undated, cancellation);
        }

        var id = PledgeLedgerRow.IdOf(e.StreamId, pledgeId);
        var stepping = Stepping.GetOrCreateValue(operations);
        // A row stepped by an earlier event of this batch, not by this event in a save that failed and is tried again.
        var row = data is PledgeAnnounced ? null
            : stepping.TryGetValue(id, out var stepped) && stepped.Version < e.Version ? stepped.Row
            : await operations.LoadAsync<PledgeLedgerRow>(id, cancellation);
        var next = Stepped(row, e.StreamId, data, (int)e.Version, CommitmentProgressProjection.RecordedOn(e));
        stepping[id] = (e.Version, next);
        if (next is not null) operations.Store(next);
        else operations.Delete<PledgeLedgerRow>(id);
    }

    /// <summary>The pledge a fact is about, if it is about one.</summary>
    public static string? PledgeOf(object fact) => (fact as IPledgeFact)?.PledgeId;

    /// <summary>A pledge's row after one more fact about it: a new row for an announcement, none once it is retracted.</summary>
    public static PledgeLedgerRow? Stepped(PledgeLedgerRow? row, Guid streamId, object fact, int version, DateOnly? recordedOn = null) => fact switch
    {
        PledgeAnnounced x => PledgeLedgerRow.Announced(streamId, x, version),
        PledgeRetracted => null,
        _ when row is null => throw new InvalidOperationException(
            $"The log names pledge '{PledgeOf(fact)}' at version {version}, which does not stand there."),
        _ => row.Stepped(fact, version, recordedOn)
    };

    /// <summary>A pledge after one more fact about it (not its announcement or retraction).</summary>
    public static PledgeLedger Stepped(PledgeLedger pledge, object fact, int version, DateOnly? recordedOn = null) => fact switch
    {
        PledgeRevised x => pledge.Revised(x, version, recordedOn),
        PledgeStageRecorded x => pledge.Staged(x),
        PledgeRevisionRetracted x => pledge.WithoutRevision(x.RetractedVersion),
        PledgeStageRetracted x => pledge.Unstaged(x),
        _ => pledge
    };
}
