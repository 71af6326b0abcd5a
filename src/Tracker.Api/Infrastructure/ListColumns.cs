using System.Linq.Expressions;
using Marten.Schema;
using Tracker.Projections.Commitments;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// The columns Marten keeps beside each progress model: what the list filters and sorts on and the dashboard sums. Their
/// indexes are on the flat rows a trigger copies them into (CommitmentRows), not here: the models' table carries the
/// decision state and is wide, so a filter read from it reads a page per model, and every write would update each index
/// twice over. Here only the key is indexed (the exports read the models in key order).
/// </summary>
public static class ListColumns
{
    private static readonly Expression<Func<CommitmentProgress, object?>>[] Columns =
    [
        c => c.Title, c => c.Status, c => c.Kind, c => c.LineOfEffort, c => c.Overdue, c => c.DueBy,
        c => c.StatedOn, c => c.LastChangedAt, c => c.Progress.Fraction, c => c.LedgerCurrency, c => c.Money.Pledged,
        c => c.Money.Committed, c => c.Money.Disbursed, c => c.Target!.Amount, c => c.Target!.Currency
    ];

    /// <summary>
    /// Applied as a Marten document policy, because a policy sees the mapping before Marten adds the index it gives every
    /// duplicated column by default, and can take them out again.
    /// </summary>
    public static void Configure(DocumentMapping<CommitmentProgress> mapping)
    {
        mapping.Duplicate(c => c.Key);
        var indexes = mapping.Indexes.Count;
        foreach (var column in Columns) mapping.Duplicate(column);
        mapping.Duplicate(c => c.Actors, pgType: "text[]");
        while (mapping.Indexes.Count > indexes) mapping.Indexes.RemoveAt(indexes);
    }
}
