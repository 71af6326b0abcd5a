using System.Text.Json.Serialization;

namespace Tracker.Domain.Commitments;

/// <summary>
/// What the write rules decide against, and nothing more: kind, the stating documents, the current target, deadline
/// and status with the few earlier ones a retraction can bring back, and the pledges' count and totals. Its size
/// follows what was decided (documents, revisions, assessments), never the number of pledges, reports, stages or
/// evidence, so a write costs the same on a commitment's ten-thousandth event as on its first. Each pledge's own running
/// totals live in a row of their own (the pledge ledger), which a write about that pledge loads beside the state and
/// puts in hand (<see cref="Pledges"/>). Everything a person reads lives in read models shaped for the question.
/// </summary>
/// <remarks>
/// Stored as its own fields only: what is computed from them (<see cref="Status"/>, <see cref="PledgeSums"/> and the
/// like) is left out of the JSON, which keeps a progress model under the size PostgreSQL compresses.
/// </remarks>
public sealed record CommitmentState
{
    public Guid Id { get; init; }
    public int Version { get; init; }
    public required string Key { get; init; }
    public required CommitmentKind Kind { get; init; }
    public required DateOnly StatedOn { get; init; }
    public required string StatedIn { get; init; }

    public IReadOnlyList<Versioned<string>> Restatements { get; init; } = [];
    public IReadOnlyList<InForce<Target>> Targets { get; init; } = [];
    public IReadOnlyList<InForce<Deadline>> Deadlines { get; init; } = [];
    public IReadOnlyList<Assessment> Assessments { get; init; } = [];
    /// <summary>
    /// The pledges in hand: every pledge in a fold of the whole history (the effective timeline), and in a
    /// write only the pledge it names, loaded from its ledger row. A stored state keeps none (<see cref="Stored"/>); the
    /// totals below do not depend on them. A revision or retraction whose pledge is not in hand changes the totals by
    /// the amounts it carries; in the effective timeline that is one dated before its pledge's announcement, and one
    /// stored before it carried them changes nothing there, as before pledges had rows.
    /// </summary>
    public IReadOnlyList<PledgeLedger> Pledges { get; init; } = [];

    /// <summary>
    /// How many pledges stand and their totals in the ledger currency. A state stored before pledges had rows of their
    /// own has no totals and every pledge in hand, which sum to the same (<see cref="PledgeSums"/>).
    /// </summary>
    public PledgeTotals? Totals { get; init; }

    [JsonIgnore]
    public PledgeTotals PledgeSums => Totals ?? PledgeTotals.Of(Pledges);

    /// <summary>
    /// The state as stored: the pledges' totals kept, no pledge in hand (each is in its ledger row). A state of the old
    /// shape gets its totals from the pledges it held.
    /// </summary>
    public CommitmentState Stored() => Pledges.Count == 0 && Totals is not null ? this : this with { Totals = PledgeSums, Pledges = [] };

    /// <summary>Money figures reported (and not retracted): with pledges, they fix the ledger currency.</summary>
    public int MoneyReports { get; init; }

    /// <summary>
    /// The ledger currency the money on record was counted in when it was recorded (null before money recorded since
    /// 2026-12-05). Once money is recorded the ledger currency is kept, so this is today's; it names the money on a past
    /// day as effective too, where the target then may have been in another currency (changed before any money was
    /// recorded, and money dated before the change recorded after it).
    /// </summary>
    public string? MoneyLedger { get; init; }

    /// <summary>
    /// The currency its statement named for money while the target is not money (null: the default, as in every state
    /// stored before 2026-12-07).
    /// </summary>
    public string? StatedLedger { get; init; }

    /// <summary>
    /// The ledger currencies named since the statement (<see cref="LedgerCurrencyNamed"/>), each with the day it took
    /// effect: as for targets, the one that took effect last is in force, whatever order they were recorded in.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyList<InForce<string>>? LedgerNamings { get; init; }

    /// <summary>The currency named for money while the target is not money: the naming in force, else the statement's.</summary>
    [JsonIgnore]
    public string? NamedLedger => LedgerNamings is { Count: > 0 } namings ? Latest(namings)!.Value : StatedLedger;

    /// <summary>The versions of retracted facts: a fact is retracted once.</summary>
    public IReadOnlyList<int> Retracted { get; init; } = [];

    /// <summary>The due date whose passing the service recorded last, if any.</summary>
    public DateOnly? DeadlinePassedOn { get; init; }

    /// <summary>
    /// Every due date whose passing the service recorded before the last (<see cref="DeadlinePassedOn"/>): a deadline in
    /// force again once a later one is retracted is overdue again at once, and is not recorded as passed twice. A handful
    /// at most (one per deadline a commitment has had); empty in a state stored before 2026-12-05.
    /// </summary>
    public IReadOnlyList<DateOnly> EarlierDueDatesPassed { get; init; } = [];

    /// <summary>Whether the service recorded that this due date passed.</summary>
    public bool RecordedPassed(DateOnly dueBy) => DeadlinePassedOn == dueBy || EarlierDueDatesPassed.Contains(dueBy);

    /// <summary>
    /// Overdue in the present: the service recorded that the deadline in force passed, and the commitment is neither
    /// achieved nor withdrawn since. A deadline revised to a later date is not overdue until that one passes too.
    /// </summary>
    [JsonIgnore]
    public bool Overdue => Deadline?.DueBy is { } due && RecordedPassed(due) && !IsAchieved && Status != CommitmentStatus.Withdrawn;

    /// <summary>The target in force: the one that took effect last (then the one recorded last), whatever order they were recorded in.</summary>
    [JsonIgnore]
    public Target? Target => Latest(Targets)?.Value;
    /// <summary>The deadline in force: the one that took effect last (then the one recorded last).</summary>
    [JsonIgnore]
    public Deadline? Deadline => Latest(Deadlines)?.Value;

    /// <summary>
    /// Since when the due date in force has been in force: the day the first of the deadlines that took effect one after
    /// another with that due date did (a restatement repeating it does not move it). Null for a state stored undated.
    /// </summary>
    [JsonIgnore]
    public DateOnly? DueDateInForceSince
    {
        get
        {
            if (!Dated || Deadlines.Count == 0) return null;
            var ordered = Deadlines.OrderBy(e => (e.From, e.Version)).ToList();
            var first = ordered.Count - 1;
            while (first > 0 && ordered[first - 1].Value.DueBy == ordered[^1].Value.DueBy) first--;
            return ordered[first].From;
        }
    }

    /// <summary>The target in force on a day (the stated one before the statement: nothing takes effect earlier).</summary>
    public Target? TargetOn(DateOnly day) => Dated ? Latest(Targets.Where(t => t.From <= (day < StatedOn ? StatedOn : day)))?.Value : Target;

    /// <summary>The deadline in force on a day, by everything known now: the last to take effect by then.</summary>
    public Deadline? DeadlineOn(DateOnly day) => Dated ? Latest(Deadlines.Where(d => d.From <= day))?.Value : Deadline;

    /// <summary>
    /// Whether every target and deadline knows the day it took effect. One stored before they did (a checkpoint or a
    /// timeline day kept before 2026-12-05; the models themselves are rebuilt at start) keeps the rules it was kept by:
    /// the last recorded is in force, and an assessment's timeliness is as it was recorded, since mixing dated entries
    /// with undated ones would judge by days nobody knows.
    /// </summary>
    [JsonIgnore]
    public bool Dated => Targets.All(t => t.From is not null) && Deadlines.All(d => d.From is not null);

    private InForce<T>? Latest<T>(IReadOnlyList<InForce<T>> entries) =>
        entries.Count == 0 ? null : Dated ? entries.MaxBy(e => (e.From, e.Version)) : entries[^1];

    private static InForce<T>? Latest<T>(IEnumerable<InForce<T>> entries) => entries.MaxBy(e => (e.From, e.Version));

    /// <summary>
    /// The status in force. An achievement is late or on time by the day it took effect against the deadline in force on
    /// that day, by everything known now: a deadline revision recorded after the achievement, or retracted since, decides
    /// it as much as one recorded before.
    /// </summary>
    [JsonIgnore]
    public CommitmentStatus Status => Assessments.Count == 0 ? CommitmentStatus.NotAssessed
        : Dated ? Timeliness(Assessments[^1].Status, Assessments[^1].EffectiveOn ?? Assessments[^1].AssessedOn)
        : Assessments[^1].Status;

    /// <summary>Achieved after the deadline in force on the day it took effect is achieved late; any other status is itself.</summary>
    public CommitmentStatus Timeliness(CommitmentStatus status, DateOnly tookEffectOn) =>
        status is not (CommitmentStatus.Achieved or CommitmentStatus.AchievedLate) ? status
        : DeadlineOn(tookEffectOn)?.DueBy is { } due && tookEffectOn > due ? CommitmentStatus.AchievedLate
        : CommitmentStatus.Achieved;
    /// <summary>
    /// The due date an achievement in force was judged against: that of the deadline in force on the day it took effect,
    /// which decides achieved against achieved late. Null when no achievement is in force, when no deadline was in force
    /// that day, or for a state kept undated (whose timeliness is as recorded).
    /// </summary>
    [JsonIgnore]
    public DateOnly? AchievementDueBy => IsAchieved && Dated && StatusDate is { } day ? DeadlineOn(day)?.DueBy : null;

    /// <summary>The day the status in force took effect (not the day it was judged).</summary>
    [JsonIgnore]
    public DateOnly? StatusDate => Assessments.Count == 0 ? null : Assessments[^1].EffectiveOn;
    [JsonIgnore]
    public bool IsAchieved => Status is CommitmentStatus.Achieved or CommitmentStatus.AchievedLate;
    /// <summary>What money is counted in: that of the money on record, or else the target's.</summary>
    [JsonIgnore]
    public string LedgerCurrency => MoneyRecorded && MoneyLedger is { } counted ? counted : CountedIn(Target);

    /// <summary>
    /// What money is counted in under a target: its own currency when it is money, else the one named (by a revision,
    /// else by the statement), else the default.
    /// </summary>
    public string CountedIn(Target? target) => LedgerCurrencyOf(target, NamedLedger);

    public static string LedgerCurrencyOf(Target? target, string? namedLedger) =>
        target is { IsMoney: true } t ? t.Currency! : namedLedger ?? Commitment.DefaultLedgerCurrency;

    /// <summary>The document that stated it, then each that restated it.</summary>
    [JsonIgnore]
    public IEnumerable<string> StatingDocuments => Restatements.Select(r => r.Value).Prepend(StatedIn);

    [JsonIgnore]
    public bool MoneyRecorded => PledgeSums.Count > 0 || MoneyReports > 0;

    public PledgeLedger? FindPledge(string pledgeId) =>
        Pledges.FirstOrDefault(p => string.Equals(p.PledgeId, pledgeId, StringComparison.OrdinalIgnoreCase));

    public static CommitmentState Stated(CommitmentStated e) => new()
    {
        Version = 1,
        Key = e.Key,
        Kind = e.Kind,
        StatedOn = e.StatedOn,
        StatedIn = e.StatedIn.DocumentKey,
        Targets = e.Target is null ? [] : [new(1, e.Target, e.StatedOn)],
        Deadlines = e.Deadline is null ? [] : [new(1, e.Deadline, e.StatedOn)],
        Totals = PledgeTotals.None,
        StatedLedger = e.LedgerCurrency
    };

    /// <summary>
    /// The state after one more event of this stream (what Marten's projection and a write's answer both use). A fold in
    /// another order than the log's (by effective date) passes the event's own version.
    /// </summary>
    /// <param name="recordedOn">
    /// The day the event was recorded: the day a revision without a dated source takes effect. Without it (a retraction,
    /// which sets no target or deadline) a new target or deadline counts from the statement.
    /// </param>
    public CommitmentState After(object e, int? version = null, DateOnly? recordedOn = null)
    {
        var next = this with { Version = version ?? Version + 1 };
        var v = next.Version;
        // The day a target or deadline takes effect, as the history dates it; none takes effect before the statement.
        var from = recordedOn is { } day && TrackedEvents.EffectiveOn(e, day) is { } effective
            ? effective < StatedOn ? StatedOn : effective
            : (DateOnly?)null;
        return e switch
        {
            CommitmentRestated x => next with
            {
                Restatements = [.. Restatements, new(v, x.RestatedIn.DocumentKey)],
                Targets = x.NewTarget is null ? Targets : [.. Targets, new(v, x.NewTarget, from)],
                Deadlines = x.NewDeadline is null ? Deadlines : [.. Deadlines, new(v, x.NewDeadline, from)]
            },
            TargetRevised x => next with { Targets = [.. Targets, new(v, x.NewTarget, from)] },
            LedgerCurrencyNamed x => next with { LedgerNamings = [.. LedgerNamings ?? [], new(v, x.Currency, from)] },
            DeadlineRevised x => next with { Deadlines = [.. Deadlines, new(v, x.NewDeadline, from)] },
            PledgeAnnounced x => next with
            {
                Pledges = [.. Pledges, PledgeLedger.Announced(x, v)],
                Totals = PledgeSums.Announced(x.LedgerAmount),
                MoneyLedger = x.LedgerCurrency ?? MoneyLedger
            },
            PledgeRevised x => next.WithPledge(x.PledgeId, p => p.Revised(x, v, recordedOn)) with
            {
                Totals = (FindPledge(x.PledgeId)?.LedgerAmount ?? x.PreviousLedgerAmount) is { } old ? PledgeSums.Replaced(old, x.LedgerAmount) : PledgeSums
            },
            PledgeStageRecorded x => next.WithPledge(x.PledgeId, p => p.Staged(x)) with
            {
                Totals = PledgeSums.Staged(x.Stage, x.LedgerAmount)
            },
            ProgressReported x => x.Currency is null ? next : next with
            {
                MoneyReports = MoneyReports + 1,
                MoneyLedger = x.LedgerCurrency ?? MoneyLedger
            },
            StatusAssessed x => next with { Assessments = [.. Assessments, new(v, x.Status, x.AssessedOn, x.TookEffectOn)] },
            EvidenceAttached => next,
            DeadlinePassed x => next with
            {
                DeadlinePassedOn = x.DueBy,
                EarlierDueDatesPassed = DeadlinePassedOn is { } last && last != x.DueBy && !EarlierDueDatesPassed.Contains(last)
                    ? [.. EarlierDueDatesPassed, last]
                    : EarlierDueDatesPassed
            },
            IRetraction x => next.Retract(x),
            EventCorrected => throw new InvalidOperationException(
                "A correction in the shape stored before retractions is read as the retraction it stands for (see CommitmentProgressProjection)."),
            _ => throw new ArgumentException($"{e.GetType().Name} is not an event of a commitment's stream.", nameof(e))
        };
    }

    private CommitmentState Retract(IRetraction r)
    {
        var v = r.RetractedVersion;
        var state = this with { Retracted = [.. Retracted, v] };
        return r switch
        {
            RestatementRetracted => state with
            {
                Restatements = Restatements.Where(x => x.Version != v).ToList(),
                Targets = Targets.Where(x => x.Version != v).ToList(),
                Deadlines = Deadlines.Where(x => x.Version != v).ToList()
            },
            TargetRevisionRetracted => state with { Targets = Targets.Where(x => x.Version != v).ToList() },
            LedgerCurrencyNamingRetracted => state with
            {
                LedgerNamings = LedgerNamings?.Where(x => x.Version != v).ToList() is { Count: > 0 } left ? left : null
            },
            DeadlineRevisionRetracted => state with { Deadlines = Deadlines.Where(x => x.Version != v).ToList() },
            AssessmentRetracted => state with { Assessments = Assessments.Where(x => x.Version != v).ToList() },
            PledgeRetracted x => state with
            {
                Pledges = Pledges.Where(p => p.PledgeId != x.PledgeId).ToList(),
                Totals = (FindPledge(x.PledgeId)?.LedgerAmount ?? x.LedgerAmount) is { } amount ? PledgeSums.Retracted(amount) : PledgeSums
            },
            PledgeRevisionRetracted x => state.WithPledge(x.PledgeId, p => p.WithoutRevision(v)) with
            {
                Totals = FindPledge(x.PledgeId) is { } p ? PledgeSums.Replaced(p.LedgerAmount, p.WithoutRevision(v).LedgerAmount)
                    : x is { LedgerAmountBefore: { } before, LedgerAmountAfter: { } after } ? PledgeSums.Replaced(before, after)
                    : PledgeSums
            },
            PledgeStageRetracted x => state.WithPledge(x.PledgeId, p => p.Unstaged(x)) with
            {
                Totals = PledgeSums.Staged(x.Stage, -x.LedgerAmount)
            },
            ProgressReportRetracted { InMoney: true } => state with { MoneyReports = MoneyReports - 1 },
            _ => state
        };
    }

    /// <summary>
    /// The pledge this event needs in hand to be folded, when it is not and the event does not carry what it changes
    /// (events stored before pledges had rows of their own): the caller reads that pledge as of the event from the log.
    /// </summary>
    public string? PledgeNeeded(object e)
    {
        var (pledgeId, carried) = e switch
        {
            PledgeRevised x => (x.PledgeId, x.PreviousLedgerAmount is not null),
            PledgeRetracted x => (x.PledgeId, x.LedgerAmount is not null),
            PledgeRevisionRetracted x => (x.PledgeId, x.LedgerAmountBefore is not null && x.LedgerAmountAfter is not null),
            _ => (null, true)
        };
        return carried || pledgeId is null || FindPledge(pledgeId) is not null ? null : pledgeId;
    }

    private CommitmentState WithPledge(string pledgeId, Func<PledgeLedger, PledgeLedger> change) => this with
    {
        Pledges = Pledges.Select(p => p.PledgeId == pledgeId ? change(p) : p).ToList()
    };
}

/// <summary>A value and the version of the event that set it, so a retraction of that event can take it back.</summary>
public sealed record Versioned<T>(int Version, T Value);

/// <summary>
/// A target or deadline, the version of the event that set it (a retraction takes it back) and the day it took effect
/// (null in a state stored before 2026-12-05, which then keeps the order recorded: <see cref="CommitmentState.Dated"/>).
/// </summary>
public sealed record InForce<T>(int Version, T Value, DateOnly? From = null);

/// <summary>An assessment as the rules need it. Stored before the two dates were told apart, it took effect when assessed.</summary>
public sealed record Assessment(int Version, CommitmentStatus Status, DateOnly AssessedOn, DateOnly? EffectiveOn = null)
{
    public DateOnly? EffectiveOn { get; init; } = EffectiveOn ?? AssessedOn;
}

/// <summary>How many pledges stand, and their amounts, committed and disbursed parts in the ledger currency.</summary>
public sealed record PledgeTotals(int Count, decimal Pledged, decimal Committed, decimal Disbursed)
{
    public static readonly PledgeTotals None = new(0, 0, 0, 0);

    public static PledgeTotals Of(IEnumerable<PledgeLedger> pledges)
    {
        var all = pledges.ToList();
        return new(all.Count, Decimals.Normal(all.Sum(p => p.LedgerAmount)), Decimals.Normal(all.Sum(p => p.LedgerCommitted)),
            Decimals.Normal(all.Sum(p => p.LedgerDisbursed)));
    }

    public PledgeTotals Announced(decimal ledgerAmount) => this with { Count = Count + 1, Pledged = Decimals.Normal(Pledged + ledgerAmount) };

    public PledgeTotals Retracted(decimal ledgerAmount) => this with { Count = Count - 1, Pledged = Decimals.Normal(Pledged - ledgerAmount) };

    /// <summary>
    /// A pledge's ledger amount replaced. By the change (new - old) where that is exact, as totals were always worked out,
    /// so stored histories replay to the totals they had; where the change itself needs more digits than a decimal keeps
    /// (10^15 revised to 10^-14, possible only for amounts stored before pledged money kept six places), the old is taken
    /// off and the new added instead, which the rules kept exact (Rules.AddsExactly).
    /// </summary>
    public PledgeTotals Replaced(decimal old, decimal @new) =>
        this with { Pledged = Decimals.Normal(ExactChange(old, @new) is { } change ? Pledged + change : Pledged - old + @new) };

    /// <summary>new - old, where that difference is exact; null where it rounds.</summary>
    public static decimal? ExactChange(decimal old, decimal @new) => @new - old is var change && change + old == @new && @new - change == old ? change : null;

    public PledgeTotals Staged(PledgeStage stage, decimal ledgerAmount) => stage == PledgeStage.Disbursed
        ? this with { Disbursed = Decimals.Normal(Disbursed + ledgerAmount) }
        : this with { Committed = Decimals.Normal(Committed + ledgerAmount) };
}
