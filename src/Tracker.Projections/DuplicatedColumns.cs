using System.Linq.Expressions;
using Marten.Schema;

namespace Tracker.Projections;

public static class DuplicatedColumns
{
    /// <summary>
    /// Each member as a column beside the document, under one index over those columns in their order, instead of the
    /// index Marten gives each duplicated column: a lookup by the first and a range or order by the next is one probe,
    /// and a write updates one index, not one per column. Call it from a document policy, which sees the mapping before
    /// Marten adds its own indexes.
    /// </summary>
    public static void UnderOneIndex<T>(DocumentMapping<T> mapping, params Expression<Func<T, object?>>[] members)
    {
        var indexes = mapping.Indexes.Count;
        var duplicated = mapping.DuplicatedFields.Count;
        foreach (var member in members) mapping.Duplicate(member);
        while (mapping.Indexes.Count > indexes) mapping.Indexes.RemoveAt(indexes);
        var columns = mapping.DuplicatedFields.Skip(duplicated).Select(field => field.ColumnName).ToArray();
        mapping.Indexes.Add(new DocumentIndex(mapping, columns));
    }
}
