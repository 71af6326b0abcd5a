namespace Tracker.Projections;

/// <summary>
/// Whether a table of Marten's has the columns our triggers on it read. A migration writes our functions (and their
/// triggers) before Marten's tables: on a database of an older version, Marten then adds each new column and fills it
/// from the documents, an UPDATE that would fire a trigger whose function reads a column not added yet (until
/// 2026-12-07 `db-apply` failed so on every database from before 2026-12-03, "record "old" has no field "title""). The
/// triggers are made only once the table has its columns; `db-apply`'s guards, which run after the tables, make them then.
/// </summary>
public static class TableShape
{
    /// <summary>An SQL condition: the table exists and has every one of <paramref name="columns"/>.</summary>
    public static string HasColumnsSql(string schema, string table, IReadOnlyCollection<string> columns) => $"""
        (array['{string.Join("','", columns)}']::name[] <@
           array(select attname from pg_attribute where attrelid = to_regclass('{schema}.{table}') and not attisdropped))
        """;
}
