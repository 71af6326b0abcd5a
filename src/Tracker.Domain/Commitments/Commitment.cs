namespace Tracker.Domain.Commitments;

/// <summary>
/// A commitment's current state, folded from its events: what the write rules decide against, and the inline snapshot
/// the API reads. Immutable; every event yields a new state. Values that change over time are kept as entries keyed by
/// the version of the event that set them, so a correction can reverse one fact and leave the rest.
/// </summary>
public sealed record Commitment
{
    /// <summary>The currency money is counted in when a commitment has no money target.</summary>
    public const string DefaultLedgerCurrency = "USD";

    public Guid Id { get; init; }
    public int Version { get; init; }
    public required string Key { get; init; }
    public required string Title { get; init; }
    public required CommitmentKind Kind { get; init; }
    public required string LineOfEffort { get; init; }
    public required IReadOnlyList<string> Actors { get; init; }
    public required Provenance StatedIn { get; init; }
    public required DateOnly StatedOn { get; init; }

    public IReadOnlyList<TargetEntry> Targets { get; init; } = [];
    public IReadOnlyList<DeadlineEntry> Deadlines { get; init; } = [];
    public IReadOnlyList<Restatement> Restatements { get; init; } = [];
    public IReadOnlyList<Pledge> Pledges { get; init; } = [];
    public IReadOnlyList<ProgressReport> ProgressReports { get; init; } = [];
    public IReadOnlyList<StatusEntry> StatusHistory { get; init; } = [];
    public IReadOnlyList<EvidenceEntry> Evidence { get; init; } = [];
    public IReadOnlyList<Correction> Corrections { get; init; } = [];

    /// <summary>The due date whose passing the service recorded, if any.</summary>
    public DateOnly? DeadlinePassedOn { get; init; }

    public Target? Target => Targets.Count == 0 ? null : Targets[^1].Target;
    public Deadline? Deadline => Deadlines.Count == 0 ? null : Deadlines[^1].Deadline;
    public CommitmentStatus Status => StatusHistory.Count == 0 ? CommitmentStatus.NotAssessed : StatusHistory[^1].Status;

    public DateOnly? StatusDate => StatusHistory.Count == 0 ? null : StatusHistory[^1].EffectiveOn;

    public bool IsAchieved => Status is CommitmentStatus.Achieved or CommitmentStatus.AchievedLate;

    /// <summary>
    /// Overdue: the service recorded that the current deadline passed, and the commitment is neither achieved nor
    /// withdrawn since. A deadline revised to a later date is not overdue until that one passes too.
    /// </summary>
    public bool Overdue => DeadlinePassedOn is { } passed && passed == Deadline?.DueBy && !IsAchieved &&
                           Status != CommitmentStatus.Withdrawn;

    /// <summary>The currency its statement named for money while the target is not money (null: the default).</summary>
    public string? StatedLedger { get; init; }

    /// <summary>
    /// The ledger currencies named since the statement, each by the version that named it and the day it took effect
    /// (null where the fold was not told the day it was recorded and its source gives none).
    /// </summary>
    public IReadOnlyList<InForce<string>> LedgerNamings { get; init; } = [];

    /// <summary>
    /// Money is counted in the target's currency, or where the target is not money in the one named to take effect last
    /// (by a revision, else by the statement; by default USD), as the decision state says.
    /// </summary>
    public string LedgerCurrency => CommitmentState.LedgerCurrencyOf(Target,
        LedgerNamings.Count > 0 ? LedgerNamings.MaxBy(n => (n.From, n.Version))!.Value : StatedLedger);

    public Pledge? FindPledge(string pledgeId) =>
        Pledges.FirstOrDefault(p => string.Equals(p.PledgeId, pledgeId, StringComparison.OrdinalIgnoreCase));

    public static Commitment Create(CommitmentStated e) => new()
    {
        Version = 1,
        Key = e.Key,
        Title = e.Title,
        Kind = e.Kind,
        LineOfEffort = e.LineOfEffort,
        Actors = e.Actors,
        StatedIn = e.StatedIn,
        StatedOn = e.StatedOn,
        Targets = e.Target is null ? [] : [new TargetEntry(1, e.Target, "stated")],
        Deadlines = e.Deadline is null ? [] : [new DeadlineEntry(1, e.Deadline, "stated")],
        StatedLedger = e.LedgerCurrency
    };

    public Commitment Apply(CommitmentRestated e)
    {
        var next = Next();
        var why = $"restated in {e.RestatedIn.DocumentKey}";
        return next with
        {
            Restatements = Restatements.Appended(new Restatement(next.Version, e.RestatedIn, e.RestatedOn, e.Note)),
            Targets = e.NewTarget is null ? Targets : Targets.Appended(new TargetEntry(next.Version, e.NewTarget, why)),
            Deadlines = e.NewDeadline is null ? Deadlines : Deadlines.Appended(new DeadlineEntry(next.Version, e.NewDeadline, why))
        };
    }

    public Commitment Apply(TargetRevised e)
    {
        var next = Next();
        return next with { Targets = Targets.Appended(new TargetEntry(next.Version, e.NewTarget, e.Reason)) };
    }

    public Commitment Apply(DeadlineRevised e)
    {
        var next = Next();
        return next with { Deadlines = Deadlines.Appended(new DeadlineEntry(next.Version, e.NewDeadline, e.Reason)) };
    }

    public Commitment Apply(PledgeAnnounced e)
    {
        var next = Next();
        return next with { Pledges = Pledges.Appended(Pledge.Announced(e, next.Version)) };
    }

    public Commitment Apply(PledgeRevised e)
    {
        var next = Next();
        return next.WithPledge(e.PledgeId, p => p.Revised(e, next.Version));
    }

    public Commitment Apply(PledgeStageRecorded e)
    {
        var next = Next();
        return next.WithPledge(e.PledgeId, p => p.Staged(e, next.Version));
    }

    public Commitment Apply(ProgressReported e)
    {
        var next = Next();
        var report = new ProgressReport(next.Version, e.Figure, e.Unit, e.Currency, e.Comparator, e.AsOf, e.Rate,
            e.LedgerFigure, e.Note, e.Source, e.Stage);
        return next with { ProgressReports = ProgressReports.Appended(report) };
    }

    public Commitment Apply(StatusAssessed e)
    {
        var next = Next();
        return next with
        {
            StatusHistory = StatusHistory.Appended(new StatusEntry(next.Version, e.Status, e.AssessedOn, e.Rationale, e.Source, e.TookEffectOn))
        };
    }

    public Commitment Apply(EvidenceAttached e)
    {
        var next = Next();
        return next with { Evidence = Evidence.Appended(new EvidenceEntry(next.Version, e.Evidence)) };
    }

    public Commitment Apply(LedgerCurrencyNamed e, DateOnly? recordedOn = null)
    {
        var next = Next();
        var from = e.Source.On ?? recordedOn;
        return next with { LedgerNamings = LedgerNamings.Appended(new InForce<string>(next.Version, e.Currency, from < StatedOn ? StatedOn : from)) };
    }

    /// <summary>Reverses the effect of the corrected event: the entry it left is removed wherever it is.</summary>
    public Commitment Apply(EventCorrected e) => Reverse(e.CorrectedVersion, e.CorrectedEvent, e.Reason);

    /// <summary>A retraction reverses its fact exactly as a correction of the same version did before retractions.</summary>
    public Commitment Apply(IRetraction e) => Reverse(e.RetractedVersion, e.RetractedEvent, e.Reason);

    private Commitment Reverse(int v, string correctedEvent, string reason)
    {
        var next = Next();
        return next with
        {
            Targets = Targets.Where(t => t.Version != v).ToList(),
            LedgerNamings = LedgerNamings.Where(n => n.Version != v).ToList(),
            Deadlines = Deadlines.Where(d => d.Version != v).ToList(),
            Restatements = Restatements.Where(r => r.Version != v).ToList(),
            ProgressReports = ProgressReports.Where(r => r.Version != v).ToList(),
            StatusHistory = StatusHistory.Where(s => s.Version != v).ToList(),
            Evidence = Evidence.Where(x => x.Version != v).ToList(),
            Pledges = Pledges.Where(p => p.AnnouncedVersion != v).Select(p => p.Without(v)).ToList(),
            Corrections = Corrections.Appended(new Correction(next.Version, v, correctedEvent, reason))
        };
    }

    /// <summary>
    /// The state after one more event of this stream: the same fold Marten runs, for callers that hold the events a
    /// decision just returned (the write's answer, the decision tests).
    /// </summary>
    /// <param name="recordedOn">The day the event was recorded: the day a ledger currency named without a dated source took effect.</param>
    public Commitment After(object e, DateOnly? recordedOn = null) => e switch
    {
        CommitmentRestated x => Apply(x),
        TargetRevised x => Apply(x),
        LedgerCurrencyNamed x => Apply(x, recordedOn),
        DeadlineRevised x => Apply(x),
        PledgeAnnounced x => Apply(x),
        PledgeRevised x => Apply(x),
        PledgeStageRecorded x => Apply(x),
        ProgressReported x => Apply(x),
        StatusAssessed x => Apply(x),
        EvidenceAttached x => Apply(x),
        EventCorrected x => Apply(x),
        IRetraction x => Apply(x),
        DeadlinePassed x => Apply(x),
        _ => throw new ArgumentException($"{e.GetType().Name} is not an event of a commitment's stream.", nameof(e))
    };

    public Commitment Apply(DeadlinePassed e) => Next() with { DeadlinePassedOn = e.DueBy };

    private Commitment Next() => this with { Version = Version + 1 };

    private Commitment WithPledge(string pledgeId, Func<Pledge, Pledge> change) => this with
    {
        Pledges = Pledges.Select(p => p.PledgeId == pledgeId ? change(p) : p).ToList()
    };
}
