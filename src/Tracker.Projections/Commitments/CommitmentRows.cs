using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Tracker.Projections.Commitments;

/// <summary>
/// The list's and the dashboard's flat row of each commitment: only the columns they filter, sort and sum on (about
/// 200 bytes a row, against a few kilobytes for the progress model beside its decision state), each order the list
/// offers an index of its own with the key as its tie-break. A filter or a sort reads this table and its indexes, and
/// only the page's rows read the models.
/// <para>
/// Kept by a trigger on the progress models' table from the columns Marten keeps beside each model (ListColumns), in the
/// transaction that writes the model, whoever writes it (a request's inline projection, a rebuild, a repair): the rows
/// are the models' columns, never late and never different.
/// </para>
/// </summary>
public static class CommitmentRows
{
    public const string Table = "commitment_rows";

    /// <summary>The progress models' table (Marten's), which the rows follow.</summary>
    public const string ModelTable = "mt_doc_commitmentprogress";

    /// <summary>Every column of a row: the same names as the columns beside the models.</summary>
    public static readonly string[] Columns =
    [
        "id", "key", "title", "status", "kind", "line_of_effort", "actors", "overdue", "due_by", "stated_on",
        "last_changed_at", "progress_fraction", "ledger_currency", "money_pledged", "money_committed", "money_disbursed",
        "target_amount", "target_currency"
    ];

    public static IEnumerable<ISchemaObject> Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Table, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("id").AsPrimaryKey();
        // Collated "C" (EnsureTriggersSql: Weasel neither keeps nor compares a column's collation).
        table.AddColumn<string>("key");
        table.AddColumn("title", "varchar");
        table.AddColumn("status", "varchar");
        table.AddColumn("kind", "varchar");
        table.AddColumn("line_of_effort", "varchar");
        table.AddColumn("actors", "text[]");
        table.AddColumn("overdue", "boolean");
        table.AddColumn("due_by", "date");
        table.AddColumn("stated_on", "date");
        table.AddColumn("last_changed_at", "timestamptz");
        table.AddColumn("progress_fraction", "numeric");
        table.AddColumn("ledger_currency", "varchar");
        table.AddColumn("money_pledged", "numeric");
        table.AddColumn("money_committed", "numeric");
        table.AddColumn("money_disbursed", "numeric");
        table.AddColumn("target_amount", "numeric");
        table.AddColumn("target_currency", "varchar");
        // The title as a search compares it (TitleSearch), written with the row: a title never changes.
        table.AddColumn(TitleSearch.Column, "varchar");

        // An order the list or a dashboard list shows, each ending with the key, so a page (or the first ten) is read off
        // the index however many rows share the first column (a bulk import's commitments share one change time).
        Index("key");
        // Titles sort folded (TitleSearch), in code point order (the column's collation is "C", as the key's), so "apple",
        // "Économie" and "Zebra" come in that order whatever the database's collation (until 2026-12-07 by the title as
        // written, code point by code point on a C database: "Zebra" before "apple", "Économie" after both).
        Index(TitleSearch.Column, "key");
        Index("status", "key");
        Index("due_by", "key");
        Index("stated_on", "key");
        Index("last_changed_at desc", "key");
        Index("progress_fraction", "key");
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_overdue") { Columns = ["due_by", "key"], Predicate = "overdue" });
        // Filters without an order of their own, each with the most recently changed first within it: the dashboard of one
        // kind or line of effort lists its ten most recent off this index, where the change time's index alone would walk
        // past every row of the other kinds or lines changed since (100,000 of a bulk import: 117 ms, against a few).
        Index("kind", "last_changed_at desc", "key");
        Index("line_of_effort", "last_changed_at desc", "key");
        // The actors with GIN, whose entries are single actors: a b-tree entry of a long list would pass PostgreSQL's size limit.
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_actors") { Columns = ["actors"], Method = IndexMethod.gin });
        yield return table;

        yield return TitleSearch.Define(schema);
        var follow = new PostgresqlObjectName(schema, "commitment_rows_follow", SchemaUtils.IdentifierUsage.General);
        var columns = string.Join(", ", Columns);
        var values = string.Join(", ", Columns.Select(c => $"NEW.{c}"));
        var changed = string.Join(", ", Columns.Skip(1).Select(c => $"{c} = excluded.{c}"));
        var search = $"{TitleSearch.Column} = excluded.{TitleSearch.Column}";
        var updated = string.Join(", ", Columns.Skip(1).Select(c => $"{c} = NEW.{c}"));
        yield return StoredFunction.Of(follow, "", "trigger", ["LANGUAGE plpgsql"], $"""
            BEGIN
              -- A rebuild writes the rows again from its models at its end (RebuildWrites).
              IF {RebuildWrites.AreTheseSql} THEN
                RETURN NULL;
              END IF;
              IF TG_OP = 'DELETE' THEN
                DELETE FROM {schema}.{Table} WHERE id = OLD.id;
              ELSIF TG_OP = 'TRUNCATE' THEN
                TRUNCATE {schema}.{Table};
              ELSIF TG_OP = 'INSERT' OR ({string.Join(", ", Columns.Select(c => $"OLD.{c}"))}) IS DISTINCT FROM ({values}) THEN
                -- A write to a commitment changes its row but not its title: the row as it stands, its folded title kept
                -- (folding costs more than the update). A row missing, or a title changed, is written whole.
                IF TG_OP = 'UPDATE' AND OLD.title IS NOT DISTINCT FROM NEW.title THEN
                  UPDATE {schema}.{Table} SET {updated} WHERE id = NEW.id;
                  IF FOUND THEN
                    RETURN NULL;
                  END IF;
                END IF;
                INSERT INTO {schema}.{Table} ({columns}, {TitleSearch.Column}) VALUES ({values}, {TitleSearch.Function(schema)}(NEW.title))
                ON CONFLICT (id) DO UPDATE SET {changed}, {search};
              END IF;
              RETURN NULL;
            END;
            """, EnsureTriggersSql(schema));
        yield break;

        void Index(params string[] on) => table.Indexes.Add(new IndexDefinition(
            $"ix_{Table}_{string.Join("_", on.Select(c => c.Split(' ')[0]))}") { Columns = on });
    }

    /// <summary>
    /// The triggers that keep the rows, once both tables and the function exist and the models' table has the columns the
    /// function reads (<see cref="TableShape"/>); and the collation of the key and the folded title: keys are
    /// compared by code point wherever they break ties (the dashboard's lists, the in-memory summary's ordinal order),
    /// and folded titles wherever titles sort, whatever the database's collation, so one index serves every order that
    /// ends with the key and a past sorted in memory sorts alike. Run with the
    /// function's DDL and by DatabaseGuards.
    /// </summary>
    public static string EnsureTriggersSql(string schema) => $"""
        DO $rows$ BEGIN
          IF to_regclass('{schema}.{Table}') IS NOT NULL AND NOT EXISTS (
               select 1 from pg_attribute a join pg_collation c on c.oid = a.attcollation
                where a.attrelid = to_regclass('{schema}.{Table}') and a.attname = 'key' and c.collname = 'C') THEN
            ALTER TABLE {schema}.{Table} ALTER COLUMN key TYPE varchar COLLATE "C";
          END IF;
          IF to_regclass('{schema}.{Table}') IS NOT NULL AND EXISTS (
               select 1 from pg_attribute a join pg_collation c on c.oid = a.attcollation
                where a.attrelid = to_regclass('{schema}.{Table}') and a.attname = '{TitleSearch.Column}' and c.collname <> 'C') THEN
            ALTER TABLE {schema}.{Table} ALTER COLUMN {TitleSearch.Column} TYPE varchar COLLATE "C";
          END IF;
          IF to_regclass('{schema}.{ModelTable}') IS NOT NULL AND to_regclass('{schema}.{Table}') IS NOT NULL
             AND to_regprocedure('{schema}.commitment_rows_follow()') IS NOT NULL
             AND {TableShape.HasColumnsSql(schema, ModelTable, Columns)} THEN
            CREATE OR REPLACE TRIGGER trg_commitment_rows_follow AFTER INSERT OR UPDATE OR DELETE ON {schema}.{ModelTable}
              FOR EACH ROW EXECUTE FUNCTION {schema}.commitment_rows_follow();
            CREATE OR REPLACE TRIGGER trg_commitment_rows_truncate AFTER TRUNCATE ON {schema}.{ModelTable}
              FOR EACH STATEMENT EXECUTE FUNCTION {schema}.commitment_rows_follow();
          ELSIF to_regclass('{schema}.{ModelTable}') IS NOT NULL THEN
            -- An older version's triggers would fire today's function as Marten fills the columns it adds (TableShape).
            DROP TRIGGER IF EXISTS trg_commitment_rows_follow ON {schema}.{ModelTable};
            DROP TRIGGER IF EXISTS trg_commitment_rows_truncate ON {schema}.{ModelTable};
          END IF;
        END $rows$;
        """;

    /// <summary>
    /// At start, after the triggers are in place: the rows written again from the models when there are not as many (a
    /// database from before this table, or one whose trigger was off for a while). Counted, not compared column by column,
    /// so a start costs two index scans; a rebuild repairs every difference (<see cref="RepairSql"/>) and the verification
    /// names them (<see cref="Differences"/>).
    /// </summary>
    public static string BackfillSql(string schema) => $"""
        DO $backfill$ BEGIN
          -- Only once the triggers keep the rows: rows filled without them would go stale unseen.
          IF to_regclass('{schema}.{ModelTable}') IS NOT NULL AND to_regclass('{schema}.{Table}') IS NOT NULL
             AND (select count(*) from pg_trigger where tgname like 'trg_commitment_rows_%'
                    and tgrelid = to_regclass('{schema}.{ModelTable}')) = 2 THEN
            IF (SELECT count(*) FROM {schema}.{ModelTable}) <> (SELECT count(*) FROM {schema}.{Table}) THEN
              -- The repair locks, then changes only what still differs: a node that finds another filled them changes nothing.
              {RepairSql(schema)}
            END IF;
            -- Rows written before they kept their title folded (2026-12-07).
            UPDATE {schema}.{Table} SET {TitleSearch.Column} = {TitleSearch.Function(schema)}(title)
             WHERE {TitleSearch.Column} IS NULL AND title IS NOT NULL;
          END IF;
        END $backfill$;
        """;

    /// <summary>
    /// Every row that is missing, left over or differs from its model's columns, written again from the models, holding
    /// off the models' writers meanwhile (a model a request changed after this statement's snapshot would otherwise have
    /// its new row overwritten with the old columns).
    /// </summary>
    public static string RepairSql(string schema) => $"""
        LOCK TABLE {schema}.{ModelTable} IN SHARE ROW EXCLUSIVE MODE;
        {WrittenAgainSql(schema, "IS NOT NULL")}
        """;

    /// <summary>
    /// How many parts of the ids <see cref="RewriteSql"/> goes through, one transaction each: a part's changed rows stay
    /// locked until it commits, and a sixteenth of 200,000 commitments' rows is written in a small fraction of a second.
    /// </summary>
    public const int RewriteParts = 16;

    /// <summary>
    /// The same writes as <see cref="RepairSql"/> for one part of the ids (stream ids are name-based UUIDs, spread evenly
    /// over the first hex digit), without holding off the models' writers: a rebuild's end runs it over every part first, so
    /// the locked repair after it finds only what writers changed meanwhile. A row a writer changed after this statement's
    /// snapshot may be written back to the model this statement read; the locked repair that must follow puts it right.
    /// </summary>
    public static string RewriteSql(string schema, int part)
    {
        if (part is < 0 or >= RewriteParts) throw new ArgumentOutOfRangeException(nameof(part));
        var digit = part.ToString("x");
        return WrittenAgainSql(schema,
            $"BETWEEN '{digit}0000000-0000-0000-0000-000000000000'::uuid AND '{digit}fffffff-ffff-ffff-ffff-ffffffffffff'::uuid");
    }

    /// <summary>The rows whose id is <paramref name="within"/> (an SQL condition on it) left over or differing, written again from the models.</summary>
    private static string WrittenAgainSql(string schema, string within) => $"""
        DELETE FROM {schema}.{Table} r WHERE r.id {within} AND NOT EXISTS (SELECT 1 FROM {schema}.{ModelTable} m WHERE m.id = r.id);
        INSERT INTO {schema}.{Table} ({string.Join(", ", Columns)}, {TitleSearch.Column})
        SELECT {string.Join(", ", Columns.Select(c => $"m.{c}"))},
               -- A row written again for another column keeps its folded title (about 9 µs a row to fold again).
               CASE WHEN r.title = m.title AND r.{TitleSearch.Column} IS NOT NULL THEN r.{TitleSearch.Column}
                    ELSE {TitleSearch.Function(schema)}(m.title) END
          FROM {schema}.{ModelTable} m LEFT JOIN {schema}.{Table} r ON r.id = m.id
         WHERE m.id {within} AND (({Compared("m")}) IS DISTINCT FROM ({Compared("r")}) OR {TitleUnfolded("r", "m")})
        ON CONFLICT (id) DO UPDATE SET {string.Join(", ", Columns.Skip(1).Append(TitleSearch.Column).Select(c => $"{c} = excluded.{c}"))};
        """;

    /// <summary>The ids whose row is missing, left over, or differs from its model's columns.</summary>
    public static string Differences(string schema) => $"""
        select coalesce(m.id, r.id) as id from {schema}.{ModelTable} m full join {schema}.{Table} r on r.id = m.id
         where ({Compared("m")}) is distinct from ({Compared("r")}) or {TitleUnfolded("r", "m")}
        """;

    /// <summary>A row whose title is not kept folded (written before rows kept it, and not filled in since).</summary>
    private static string TitleUnfolded(string row, string model) =>
        $"({row}.id IS NOT NULL AND {row}.{TitleSearch.Column} IS NULL AND {model}.title IS NOT NULL)";

    // The model's key has the database's collation, the row's "C": compared in one.
    private static string Compared(string alias) =>
        string.Join(", ", Columns.Select(c => c == "key" ? $"{alias}.key collate \"C\"" : $"{alias}.{c}"));
}
