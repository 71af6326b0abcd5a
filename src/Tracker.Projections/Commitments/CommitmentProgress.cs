using System.Text.Json.Serialization;
using Tracker.Domain;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>Money in the commitment's ledger currency, by stage.</summary>
public sealed record MoneyByStage(decimal Pledged, decimal Committed, decimal Disbursed);

/// <summary>The latest reported figure (by the date it refers to, then by version), as reported.</summary>
public sealed record LatestReport(int Version, decimal Figure, string? Unit, string? Currency, Comparator Comparator,
    DateOnly AsOf, decimal? LedgerFigure, FigureStage? Stage = null)
{
    public static LatestReport Of(int version, ProgressReported e) =>
        new(version, e.Figure, e.Unit, e.Currency, e.Comparator, e.AsOf, e.LedgerFigure, e.Stage);

    /// <summary>Whether this report is later than the current latest: a later date, or the same date recorded later.</summary>
    public bool Supersedes(LatestReport? current) => current is null || AsOf > current.AsOf ||
                                                     AsOf == current.AsOf && Version > current.Version;

    /// <summary>
    /// The figure a chart draws and its unit: money converted to the ledger currency when it was (the commitment's ledger
    /// currency is fixed once money is counted in it), else the figure as reported, in its currency or unit.
    /// </summary>
    public (decimal Figure, string? Unit) Charted(string ledgerCurrency) =>
        LedgerFigure is { } inLedger ? (inLedger, ledgerCurrency) : (Figure, Currency ?? Unit);

    /// <summary>Whether the figure is a ceiling ("less than", "at most", "up to"), which says nothing of how much at least.</summary>
    [JsonIgnore]
    public bool IsUpperBound => Comparator is Comparator.LessThan or Comparator.AtMost or Comparator.UpTo;

    /// <summary>Whether this is a count in a unit (not money), and in the given one (units compare ignoring case).</summary>
    public bool CountsIn(string? unit) => Unit is not null && string.Equals(Unit, unit, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The assessment in force: its status, the day it was judged and the day it took effect, the monitor's rationale and the
/// evidence. A model stored before the two days were told apart reads the day of judgement for both.
/// </summary>
public sealed record CurrentAssessment(int Version, CommitmentStatus Status, DateOnly AssessedOn, string Rationale, Evidence Source,
    DateOnly? EffectiveOn = null)
{
    public DateOnly? EffectiveOn { get; init; } = EffectiveOn ?? AssessedOn;

    /// <summary>
    /// For an achievement, the due date it was judged against (<see cref="CommitmentState.AchievementDueBy"/>), which may
    /// differ from the commitment's due date now: an extension that took effect after the achievement does not make it
    /// on time. Derived from the state when the commitment is read, not stored.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateOnly? DueByThen { get; init; }

    public static CurrentAssessment Of(int version, StatusAssessed e) =>
        new(version, e.Status, e.AssessedOn, e.Rationale, e.Source, e.TookEffectOn);
}

/// <summary>
/// Progress toward the target as a fraction (0.5 is half way; above 1 is beyond the target), and what it was measured
/// on. See <see cref="ProgressRule"/>.
/// </summary>
public sealed record ProgressMeasure(decimal? Fraction, string Basis, decimal? DisbursedFraction)
{
    /// <summary>How the rules before shape 4 (2026-12-07) measured a money target with nothing raised.</summary>
    private static readonly ProgressMeasure NothingRaisedBefore = new(0m, "none", 0m);

    /// <summary>
    /// Today's measure as the rules before shape 4 gave it, where the stored one is theirs: a money target with nothing
    /// pledged, and nothing or 0 reported, was 0 beside basis "none" (today no measure, or 0 reported). Otherwise today's.
    /// </summary>
    public static ProgressMeasure AsMeasuredBefore(Target? target, ProgressMeasure today, ProgressMeasure stored) =>
        target is { IsMoney: true } && stored == NothingRaisedBefore &&
        (today == new ProgressMeasure(null, "none", null) || today == new ProgressMeasure(0m, "reported", 0m))
            ? stored
            : today;
}

/// <summary>
/// The parts of a progress model a step of the log changes. A fold that needs the model only now and then (a rebuild, at
/// each checkpoint and at the end of a stream) steps these and summarises the model when it needs it.
/// </summary>
public readonly record struct ProgressParts(CommitmentState State, LatestReport? Latest, LatestReport? LatestMoney,
    CurrentAssessment? Assessment, IReadOnlyList<LatestReport>? LatestInOtherUnits = null,
    IReadOnlyList<LatestReport>? LatestMoneyInOtherStages = null)
{
    /// <summary>
    /// The latest money figure of each stage (announced, pledged, committed, raised, disbursed, mobilised, or none said)
    /// other than the latest money figure's: a disbursement reported after an announcement does not take the
    /// announcement's figure away. At most six, whatever the commitment's length; none where every figure is of one stage.
    /// </summary>
    public IReadOnlyList<LatestReport> OtherStages => LatestMoneyInOtherStages ?? [];

    /// <summary>The latest money figure of each stage reported, the latest (of any stage) first.</summary>
    public IEnumerable<LatestReport> LatestMoneyOfEachStage => LatestMoney is null ? [] : OtherStages.Prepend(LatestMoney);

    /// <summary>
    /// The latest count in each unit other than the latest report's: what measures a target in that unit when the latest
    /// report is in another (a target revised from camps to sites, a count of camps reported after the sites).
    /// As many as the units a commitment's counts have used, whatever its length.
    /// </summary>
    public IReadOnlyList<LatestReport> OtherUnits => LatestInOtherUnits ?? [];

    /// <summary>The latest count in a unit, which measures a target in that unit.</summary>
    public LatestReport? LatestIn(string? unit) =>
        Latest is { } latest && latest.CountsIn(unit) ? latest : OtherUnits.FirstOrDefault(r => r.CountsIn(unit));

    /// <summary>The parts kept of the standing reports, in any order.</summary>
    public static (LatestReport? Latest, LatestReport? LatestMoney, IReadOnlyList<LatestReport> OtherUnits,
        IReadOnlyList<LatestReport> OtherStages) Kept(IEnumerable<LatestReport> standing)
    {
        var ordered = standing.OrderBy(r => r.AsOf).ThenBy(r => r.Version).ToList();
        var latest = ordered.LastOrDefault();
        var others = ordered.Where(r => r.Unit is not null && !r.CountsIn(latest?.Unit))
            .GroupBy(r => r.Unit!, StringComparer.OrdinalIgnoreCase)
            .Select(units => units.Last())
            .OrderBy(r => r.Version)
            .ToList();
        var latestMoney = ordered.LastOrDefault(r => r.LedgerFigure is not null);
        var otherStages = ordered.Where(r => r.LedgerFigure is not null && r.Stage != latestMoney!.Stage)
            .GroupBy(r => r.Stage)
            .Select(stage => stage.Last())
            .OrderBy(r => r.Version)
            .ToList();
        return (latest, latestMoney, others, otherStages);
    }

    /// <summary>
    /// After a fact the state has already taken in: a report may become the latest, an assessment the one in force.
    /// Retractions of those are the projection's (they may need the log).
    /// </summary>
    public ProgressParts Applied(CommitmentState state, object fact)
    {
        var (latest, latestMoney, assessment, others, stages) = (Latest, LatestMoney, Assessment, OtherUnits, OtherStages);
        switch (fact)
        {
            case ProgressReported reported:
                var report = LatestReport.Of(state.Version, reported);
                if (report.Supersedes(latest))
                {
                    // The one it supersedes stays the latest of its own unit; this one is newer than any of its unit.
                    // (A commitment whose counts keep one unit, nearly every one, keeps no list: nothing is allocated.)
                    var keepsPrevious = latest is { Unit: not null } previous && !previous.CountsIn(report.Unit);
                    if (others.Count > 0 || keepsPrevious)
                    {
                        others = [.. others.Where(r => !r.CountsIn(report.Unit) && !r.CountsIn(latest?.Unit)),
                            .. keepsPrevious ? [latest!] : Array.Empty<LatestReport>()];
                    }
                    latest = report;
                }
                else if (report.Unit is not null && !report.CountsIn(latest?.Unit) &&
                         report.Supersedes(others.FirstOrDefault(r => r.CountsIn(report.Unit))))
                {
                    others = [.. others.Where(r => !r.CountsIn(report.Unit)), report];
                }
                if (reported.LedgerFigure is null) break;
                if (report.Supersedes(latestMoney))
                {
                    // As for units: the one it supersedes stays the latest of its own stage.
                    var keepsPrevious = latestMoney is { } previous && previous.Stage != report.Stage;
                    if (stages.Count > 0 || keepsPrevious)
                    {
                        stages = [.. stages.Where(r => r.Stage != report.Stage && r.Stage != latestMoney?.Stage),
                            .. keepsPrevious ? [latestMoney!] : Array.Empty<LatestReport>()];
                    }
                    latestMoney = report;
                }
                else if (report.Stage != latestMoney!.Stage && report.Supersedes(stages.FirstOrDefault(r => r.Stage == report.Stage)))
                {
                    stages = [.. stages.Where(r => r.Stage != report.Stage), report];
                }
                break;
            case StatusAssessed assessed:
                assessment = CurrentAssessment.Of(state.Version, assessed);
                break;
        }
        return new(state, latest, latestMoney, assessment,
            others.Count == 0 ? null : ReferenceEquals(others, OtherUnits) ? LatestInOtherUnits : [.. others.OrderBy(r => r.Version)],
            stages.Count == 0 ? null : ReferenceEquals(stages, OtherStages) ? LatestMoneyInOtherStages : [.. stages.OrderBy(r => r.Version)]);
    }
}

/// <summary>
/// One commitment as a dashboard row and a commitment page show it. Inline: written in the transaction of each write,
/// so a monitor reads back what they recorded. Bounded: the latest report and assessment, counts, totals and the
/// decision state, never the history itself nor the pledges (pages of their own routes serve those).
/// </summary>
public sealed record CommitmentProgress
{
    /// <summary>
    /// The rules today's models are kept by. Raised whenever a change would give a stored model another value from the
    /// same events, so that every model of an older one is built again from the log at start (ProgressModelUpgrade) and
    /// an effective timeline refolds from its statement rather than continue from one (EffectiveTimelineProjection).
    /// 1: targets and deadlines dated, and the due dates recorded passed kept (2026-12-05); 2: the latest count in each
    /// unit other than the latest report's kept (2026-12-05); 3: a deadline's passing that does not hold by the dates is no
    /// change of an effective timeline's day (2026-12-06); 4: a money target with nothing pledged or reported has no fraction
    /// (2026-12-07); 5: the latest money figure of each stage kept, and a money target measured on the largest of them
    /// that is not a ceiling (2026-12-07).
    /// </summary>
    public const int CurrentShape = 5;

    /// <summary>The rules this model was kept by (<see cref="CurrentShape"/>); 0 for one stored before models said.</summary>
    public int Shape { get; init; }

    /// <summary>
    /// This model as the rules a stored one says it was kept by would give it, where they differ only in what they say
    /// (its shape; before shape 5 no money figures by stage, and a money target measured on the latest money figure alone;
    /// before shape 4 a money target with nothing raised measured as 0 beside basis "none").
    /// </summary>
    public CommitmentProgress AsKeptBy(CommitmentProgress stored)
    {
        if (stored.Shape >= CurrentShape) return this with { Shape = stored.Shape };
        var before = MeasuredBeforeStages();
        return this with
        {
            Shape = stored.Shape,
            LatestMoneyInOtherStages = null,
            Progress = stored.Shape < 4 ? ProgressMeasure.AsMeasuredBefore(Target, before, stored.Progress) : before
        };
    }

    /// <summary>The measure the rules before shape 5 gave: on the latest money figure alone, whatever its stage.</summary>
    public ProgressMeasure MeasuredBeforeStages() => Target is { IsMoney: true }
        ? ProgressRule.Measure(Target, IsAchieved, Money, null, LatestMoneyReport is null ? [] : [LatestMoneyReport], LedgerCurrency,
            byStage: false)
        : Progress;

    public Guid Id { get; init; }
    public required string Key { get; init; }
    public required int Version { get; init; }
    public required string Title { get; init; }
    public required CommitmentKind Kind { get; init; }
    public required string LineOfEffort { get; init; }
    public required IReadOnlyList<string> Actors { get; init; }
    public Target? Target { get; init; }
    public required string LedgerCurrency { get; init; }
    public required MoneyByStage Money { get; init; }
    public int PledgeCount { get; init; }
    public LatestReport? LatestReport { get; init; }

    /// <summary>The latest money figure, which the progress of a money target is measured on.</summary>
    public LatestReport? LatestMoneyReport { get; init; }

    /// <summary>The latest count in each unit other than the latest report's (<see cref="ProgressParts.OtherUnits"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<LatestReport>? LatestInOtherUnits { get; init; }

    /// <summary>
    /// The reported figure the progress is measured on (basis "reported"): for a money target the one
    /// <see cref="ProgressRule.MeasuringFigure"/> picks, which need not be the latest report; for a count the latest in
    /// the target's unit. Worked out when read, not stored.
    /// </summary>
    [JsonIgnore]
    public LatestReport? MeasuredBy => Progress.Basis != "reported" ? null
        : Target is { IsMoney: true } ? ProgressRule.MeasuringFigure(Parts.LatestMoneyOfEachStage)
        : Parts.LatestIn(Target?.Unit);

    /// <summary>
    /// The reported figure a trend draws for this day: for money (a money target, or a latest report in money) the figure
    /// <see cref="ProgressRule.MeasuringFigure"/> picks among the latest of each stage, whatever the progress is measured
    /// on, so a disbursement reported after an announcement does not pull the line down to it (until 2026-12-07 the line
    /// followed the latest report of any stage); for a count target the latest in its unit; else the latest report.
    /// </summary>
    [JsonIgnore]
    public LatestReport? ChartedReport => Target switch
    {
        { IsMoney: false } count => Parts.LatestIn(count.Unit) ?? LatestReport,
        { IsMoney: true } => ProgressRule.MeasuringFigure(Parts.LatestMoneyOfEachStage) ?? LatestMoneyReport ?? LatestReport,
        _ when LatestMoneyReport is { } money && LatestReport?.Version == money.Version =>
            ProgressRule.MeasuringFigure(Parts.LatestMoneyOfEachStage) ?? LatestReport,
        _ => LatestReport
    };

    /// <summary>The latest money figure of each stage other than the latest money figure's (<see cref="ProgressParts.OtherStages"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<LatestReport>? LatestMoneyInOtherStages { get; init; }

    public required ProgressMeasure Progress { get; init; }
    public required CommitmentStatus Status { get; init; }
    public DateOnly? StatusDate { get; init; }
    public CurrentAssessment? Assessment { get; init; }
    public Deadline? Deadline { get; init; }
    public DateOnly? DueBy { get; init; }
    public bool Overdue { get; init; }

    /// <summary>The model as effective on a date: overdue by that date (<see cref="EffectiveOverdue"/>).</summary>
    public CommitmentProgress On(DateOnly day) => this with { Overdue = EffectiveOverdue.On(day, DueBy, Status) };

    public required Provenance StatedIn { get; init; }
    public required DateOnly StatedOn { get; init; }

    /// <summary>Every document that states or restates the commitment, stating one first.</summary>
    public required IReadOnlyList<string> SourceDocuments { get; init; }
    [JsonIgnore]
    public int SourceCount => SourceDocuments.Count;
    public int RestatementCount { get; init; }
    public int CorrectionCount { get; init; }

    /// <summary>
    /// When the last event was recorded. Not the event's global sequence: appends are Marten's Quick ones, whose
    /// sequence PostgreSQL draws after the inline projection has run.
    /// </summary>
    public required DateTimeOffset LastChangedAt { get; init; }

    /// <summary>What the totals are kept from: the same small state the write rules decide against.</summary>
    public required CommitmentState State { get; init; }

    [JsonIgnore]
    public bool IsAchieved => State.IsAchieved;

    /// <summary>
    /// The model with its state as stored: the pledges' totals, no pledge in hand. What the effective timeline keeps on
    /// its keyframes and between pages, so they stay the size of the state however many pledges the commitment has.
    /// </summary>
    public CommitmentProgress WithoutPledgesInHand() => State.Pledges.Count == 0 ? this : this with { State = State.Stored() };

    /// <summary>The model of a commitment just stated.</summary>
    public static CommitmentProgress Started(Guid id, CommitmentStated e, DateTimeOffset changedAt) =>
        Summarised(id, e.Title, e.LineOfEffort, e.Actors, e.StatedIn,
            new ProgressParts(CommitmentState.Stated(e) with { Id = id }, null, null, null), changedAt, CurrentShape);

    /// <summary>What a step of the log changes: the state, the latest reports and the assessment in force.</summary>
    [JsonIgnore]
    public ProgressParts Parts => new(State, LatestReport, LatestMoneyReport, Assessment, LatestInOtherUnits, LatestMoneyInOtherStages);

    /// <summary>This model with the parts a step changed; the rest (progress, money, counts) summarised from them.</summary>
    /// <remarks>It keeps this model's <see cref="Shape"/>: a model kept by older rules stays marked so however often it is stepped
    /// (by a node still running them, during a rolling upgrade), so the next start builds it again.</remarks>
    public CommitmentProgress With(ProgressParts parts, DateTimeOffset changedAt) =>
        Summarised(Id, Title, LineOfEffort, Actors, StatedIn, parts, changedAt, Shape);

    private static CommitmentProgress Summarised(Guid id, string title, string lineOfEffort, IReadOnlyList<string> actors,
        Provenance statedIn, ProgressParts parts, DateTimeOffset changedAt, int shape)
    {
        var (state, latest, latestMoney, assessment) = (parts.State, parts.Latest, parts.LatestMoney, parts.Assessment);
        var pledges = state.PledgeSums;
        var money = new MoneyByStage(pledges.Pledged, pledges.Committed, pledges.Disbursed);
        return new CommitmentProgress
        {
            Shape = shape,
            Id = id,
            Key = state.Key,
            Version = state.Version,
            Title = title,
            Kind = state.Kind,
            LineOfEffort = lineOfEffort,
            Actors = actors,
            Target = state.Target,
            LedgerCurrency = state.LedgerCurrency,
            Money = money,
            PledgeCount = pledges.Count,
            LatestReport = latest,
            LatestMoneyReport = latestMoney,
            LatestInOtherUnits = parts.OtherUnits.Count == 0 ? null : parts.OtherUnits,
            LatestMoneyInOtherStages = parts.OtherStages.Count == 0 ? null : parts.OtherStages,
            Progress = ProgressRule.Measure(state.Target, state.IsAchieved, money, parts.LatestIn(state.Target?.Unit), parts.LatestMoneyOfEachStage,
                state.LedgerCurrency),
            Status = state.Status,
            StatusDate = state.StatusDate,
            // The assessment in force says the status in force: an achievement's timeliness follows the deadlines known now.
            Assessment = assessment is null || assessment.Status == state.Status ? assessment : assessment with { Status = state.Status },
            Deadline = state.Deadline,
            DueBy = state.Deadline?.DueBy,
            Overdue = state.Overdue,
            StatedIn = statedIn,
            StatedOn = state.StatedOn,
            SourceDocuments = [.. state.StatingDocuments],
            RestatementCount = state.Restatements.Count,
            CorrectionCount = state.Retracted.Count,
            LastChangedAt = changedAt,
            State = state
        };
    }
}
