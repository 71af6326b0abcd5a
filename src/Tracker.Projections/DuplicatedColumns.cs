using System.Linq.Expressions;
using Marten.Schema;

namespace Tracker.Projections;

public static class DuplicatedColumns
{
    /// <summary>
    /// Each member as a column beside the document, under one index over those columns in their order, instead of the
    /// index Marten gives each duplicated column: a lookup by the first and a range or order by the next is one probe,
    /// and a write updates one index, not one per column. Call it from a document policy, which sees the mapping before
    /// Marten adds its own indexes. A member already a column (under another index) is not duplicated again.
    /// </summary>
    public static void UnderOneIndex<T>(DocumentMapping<T> mapping, params Expression<Func<T, object?>>[] members) =>
        UnderOneIndex(mapping, null, members);

    /// <summary>The same, the index named (a name derived from many columns can pass PostgreSQL's 63 characters).</summary>
    public static void UnderOneIndex<T>(DocumentMapping<T> mapping, string? indexName, params Expression<Func<T, object?>>[] members)
    {
        var indexes = mapping.Indexes.Count;
        var columns = members.Select(member =>
        {
            // Marten names a nested member's column by its path ("Ledger.AnnouncedOn": ledger_announced_on).
            var name = MemberPath(member.Body);
            if (mapping.DuplicatedFields.All(field => field.MemberName != name)) mapping.Duplicate(member);
            return mapping.DuplicatedFields.Single(field => field.MemberName == name).ColumnName;
        }).ToArray();
        while (mapping.Indexes.Count > indexes) mapping.Indexes.RemoveAt(indexes);
        var index = new DocumentIndex(mapping, columns);
        if (indexName is not null) index.Name = indexName;
        mapping.Indexes.Add(index);
    }

    private static string MemberPath(Expression body) => body switch
    {
        UnaryExpression { Operand: var operand } => MemberPath(operand),
        MemberExpression { Expression: MemberExpression inner } m => MemberPath(inner) + m.Member.Name,
        MemberExpression m => m.Member.Name,
        _ => throw new ArgumentException($"Not a member: {body}", nameof(body))
    };
}
