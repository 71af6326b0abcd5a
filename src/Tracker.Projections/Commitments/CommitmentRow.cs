using System.Text.Json.Serialization;
using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>
/// Overdue on a date as effective: due before that date and neither achieved nor withdrawn by it, by everything known now
/// (a commitment's model on that date has the deadline and status in force then). Decided from the dates alone, not by
/// whether or when the service recorded the deadline as passed: that fact is the present's, and the past as recorded's.
/// </summary>
public static class EffectiveOverdue
{
    /// <summary>The statuses that end a commitment's obligation to its deadline.</summary>
    public const string SettledSql = "('Achieved', 'AchievedLate', 'Withdrawn')";

    public static bool On(DateOnly day, DateOnly? dueBy, CommitmentStatus status) =>
        dueBy < day && status is not (CommitmentStatus.Achieved or CommitmentStatus.AchievedLate or CommitmentStatus.Withdrawn);

    /// <summary>The same, of an effective timeline's day row (its alias) on a date (an SQL expression, never null: a
    /// commitment without a due date is not overdue).</summary>
    public static string Sql(string alias, string day) =>
        $"(coalesce({alias}.due_by < {day}, false) and {alias}.status not in {SettledSql})";
}

/// <summary>
/// A commitment in a list: the progress model without its detail. MeasuredBy is the reported figure the progress is
/// measured on (as GET of one commitment gives it), so a list can say a share measured on a ceiling is one ("less than
/// 80%"); a past day's row stored before 2026-12-07 has none.
/// </summary>
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
    int Version,
    // The day it was stated, which the list sorts by (since 2026-12-07; a past day's row stored before has none until
    // its timeline is built again).
    DateOnly? StatedOn = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LatestReport? MeasuredBy = null)
{
    /// <summary>
    /// This row as older rules would have stored it, where the stored row may be one of theirs: before shape 5 (2026-12-07)
    /// a money target was measured on the latest money figure alone (<paramref name="measuredBeforeStages"/>); before
    /// shape 4 (rows without <see cref="StatedOn"/>) a money target with nothing raised was measured as 0 beside basis
    /// "none" too; before 2026-12-07 a row did not say what it was measured by. What differs only by those rules is no
    /// drift; anything else stays as computed.
    /// </summary>
    public CommitmentRow AsStoredBefore(CommitmentRow stored, ProgressMeasure measuredBeforeStages)
    {
        var row = stored.StatedOn is not null ? this : this with { StatedOn = null };
        // A row stored before says no measure, whatever its basis was by the rules then (until 2026-12-07 a pledged basis
        // stored under the older rules was taken for drift where today's rule measures on a report).
        if (stored.MeasuredBy is null) row = row with { MeasuredBy = null };
        var keptBy = stored.StatedOn is not null
            ? [Progress, measuredBeforeStages]
            : new[] { Progress, measuredBeforeStages, ProgressMeasure.AsMeasuredBefore(Target, measuredBeforeStages, stored.Progress) };
        return keptBy.Contains(stored.Progress) ? row with { Progress = stored.Progress } : row;
    }

    /// <summary>The row as effective on a date: overdue by that date (<see cref="EffectiveOverdue"/>).</summary>
    public CommitmentRow On(DateOnly day) => this with { Overdue = EffectiveOverdue.On(day, DueBy, Status) };

    public static CommitmentRow Of(CommitmentProgress p) => new(p.Key, p.Title, p.Kind, p.LineOfEffort, p.Actors, p.Target,
        p.LedgerCurrency, p.Money, p.LatestReport, p.Progress, p.Status, p.StatusDate, p.Deadline, p.DueBy, p.Overdue,
        p.SourceCount, p.RestatementCount, p.LastChangedAt, p.Version, p.StatedOn, p.MeasuredBy);
}
