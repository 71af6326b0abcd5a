using System.Linq.Expressions;
using Marten.Schema;
using Tracker.Projections.Commitments;
using Weasel.Postgresql.Tables;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// The columns Marten keeps beside each progress model, so the list filters and sorts, and the dashboard sums, without
/// reading the documents (which carry the decision state).
/// </summary>
public static class ListColumns
{
    /// <summary>What the list filters or sorts on (and the export's order, by key): each with an index.</summary>
    private static readonly Expression<Func<CommitmentProgress, object?>>[] Indexed =
    [
        c => c.Key, c => c.Title, c => c.Status, c => c.Kind, c => c.LineOfEffort, c => c.Overdue, c => c.DueBy,
        c => c.StatedOn, c => c.LastChangedAt, c => c.Progress.Fraction
    ];

    /// <summary>
    /// What the dashboard sums or a row shows, but nothing filters or sorts on: no index, since every write would add an
    /// entry to each (an update that changes an indexed column rewrites every index of the row).
    /// </summary>
    private static readonly Expression<Func<CommitmentProgress, object?>>[] Carried =
    [
        c => c.LedgerCurrency, c => c.Money.Pledged, c => c.Money.Committed,
        c => c.Money.Disbursed, c => c.Target!.Amount, c => c.Target!.Currency
    ];

    /// <summary>
    /// Applied as a Marten document policy, because a policy sees the mapping before Marten adds the index it gives every
    /// duplicated column by default, and can take the unwanted ones out again.
    /// </summary>
    public static void Configure(DocumentMapping<CommitmentProgress> mapping)
    {
        foreach (var column in Indexed) mapping.Duplicate(column);
        // The actors with GIN, whose entries are single actors: a b-tree entry of a long list would pass PostgreSQL's
        // size limit.
        mapping.Duplicate(c => c.Actors, pgType: "text[]", configure: index => index.Method = IndexMethod.gin);
        var indexes = mapping.Indexes.Count;
        foreach (var column in Carried) mapping.Duplicate(column);
        while (mapping.Indexes.Count > indexes) mapping.Indexes.RemoveAt(indexes);
    }
}
