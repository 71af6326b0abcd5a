using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>A commitment in a list: the progress model without its detail.</summary>
public sealed record CommitmentRow(
    string Key,
    string Title,
    CommitmentKind Kind,
    string LineOfEffort,
    IReadOnlyList<string> Actors,
    Target? Target,
    string LedgerCurrency,
    MoneyByStage Money,
    LatestReport? LatestReport,
    ProgressMeasure Progress,
    CommitmentStatus Status,
    DateOnly? StatusDate,
    Deadline? Deadline,
    DateOnly? DueBy,
    bool Overdue,
    int SourceCount,
    int RestatementCount,
    DateTimeOffset LastChangedAt,
    int Version)
{
    public static CommitmentRow Of(CommitmentProgress p) => new(p.Key, p.Title, p.Kind, p.LineOfEffort, p.Actors, p.Target,
        p.LedgerCurrency, p.Money, p.LatestReport, p.Progress, p.Status, p.StatusDate, p.Deadline, p.DueBy, p.Overdue,
        p.SourceCount, p.RestatementCount, p.LastChangedAt, p.Version);
}
