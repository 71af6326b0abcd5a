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
    public static void UnderOneIndex<T>(DocumentMapping<T> mapping, params Expression<Func<T, object?>>[] members)
    {
        var indexes = mapping.Indexes.Count;
        var columns = members.Select(member =>
        {
            var name = MemberName(member);
            if (mapping.DuplicatedFields.All(field => field.MemberName != name)) mapping.Duplicate(member);
            return mapping.DuplicatedFields.Single(field => field.MemberName == name).ColumnName;
        }).ToArray();
        while (mapping.Indexes.Count > indexes) mapping.Indexes.RemoveAt(indexes);
        mapping.Indexes.Add(new DocumentIndex(mapping, columns));
    }

    private static string MemberName<T>(Expression<Func<T, object?>> member) => member.Body switch
    {
        MemberExpression m => m.Member.Name,
        UnaryExpression { Operand: MemberExpression m } => m.Member.Name,
        _ => throw new ArgumentException($"Not a member of {typeof(T).Name}: {member}", nameof(member))
    };
}
