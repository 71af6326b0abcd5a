using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>Money in the commitment's ledger currency, by stage.</summary>
public sealed record MoneyByStage(decimal Pledged, decimal Committed, decimal Disbursed);

/// <summary>The latest reported figure (by the date it refers to), as reported.</summary>
public sealed record LatestReport(decimal Figure, string? Unit, string? Currency, Comparator Comparator, DateOnly AsOf,
    decimal? LedgerFigure);

/// <summary>
/// Progress toward the target as a fraction (0.5 is half way; above 1 is beyond the target), and what it was measured
/// on. See <see cref="ProgressRule"/>.
/// </summary>
public sealed record ProgressMeasure(decimal? Fraction, string Basis, decimal? DisbursedFraction);

/// <summary>
/// One commitment as a dashboard shows it in one row, and the detail a commitment page shows under it. Inline: written
/// in the transaction of each write, so a monitor reads back what they recorded.
/// </summary>
public sealed record CommitmentProgress
{
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
    public required ProgressMeasure Progress { get; init; }
    public required CommitmentStatus Status { get; init; }
    public DateOnly? StatusDate { get; init; }
    public Deadline? Deadline { get; init; }
    public DateOnly? DueBy { get; init; }
    public bool Overdue { get; init; }
    public required Provenance StatedIn { get; init; }
    public required DateOnly StatedOn { get; init; }

    /// <summary>Every document that states or restates the commitment, stating one first.</summary>
    public required IReadOnlyList<string> SourceDocuments { get; init; }
    public int SourceCount => SourceDocuments.Count;
    public int RestatementCount { get; init; }
    public int CorrectionCount { get; init; }

    public required DateTimeOffset LastChangedAt { get; init; }
    public required long LastEventSequence { get; init; }

    /// <summary>The full state: pledges with their stages, every report, assessment, restatement and correction.</summary>
    public required Commitment Detail { get; init; }

    public static CommitmentProgress From(Commitment state, DateTimeOffset lastChangedAt, long lastSequence)
    {
        var money = new MoneyByStage(
            state.Pledges.Sum(p => p.Current.LedgerAmount),
            state.Pledges.Sum(p => p.LedgerStageTotal(PledgeStage.Committed)),
            state.Pledges.Sum(p => p.LedgerStageTotal(PledgeStage.Disbursed)));
        var latest = state.ProgressReports.OrderBy(r => r.AsOf).ThenBy(r => r.Version).LastOrDefault();

        return new CommitmentProgress
        {
            Id = state.Id,
            Key = state.Key,
            Version = state.Version,
            Title = state.Title,
            Kind = state.Kind,
            LineOfEffort = state.LineOfEffort,
            Actors = state.Actors,
            Target = state.Target,
            LedgerCurrency = state.LedgerCurrency,
            Money = money,
            PledgeCount = state.Pledges.Count,
            LatestReport = latest is null
                ? null
                : new LatestReport(latest.Figure, latest.Unit, latest.Currency, latest.Comparator, latest.AsOf, latest.LedgerFigure),
            Progress = ProgressRule.Measure(state, money, latest),
            Status = state.Status,
            StatusDate = state.StatusDate,
            Deadline = state.Deadline,
            DueBy = state.Deadline?.DueBy,
            Overdue = state.Overdue,
            StatedIn = state.StatedIn,
            StatedOn = state.StatedOn,
            SourceDocuments = [state.StatedIn.DocumentKey, .. state.Restatements.Select(r => r.RestatedIn.DocumentKey)],
            RestatementCount = state.Restatements.Count,
            CorrectionCount = state.Corrections.Count,
            LastChangedAt = lastChangedAt,
            LastEventSequence = lastSequence,
            Detail = state
        };
    }
}
