using Tracker.Projections.Commitments.Rollup;
using Weasel.Core;
using Weasel.Postgresql.Tables;

namespace Tracker.Projections.Commitments.Pledges;

/// <summary>
/// Each pledger's totals by currency and its name, so the pledger views read as many rows as the pledgers they show,
/// however many pledges there are. Kept by triggers on the pledges' ledger rows, in the transaction that writes the rows
/// (a request's inline projection, a rebuild, a repair), so a pledger's page is as current as the commitment's:
/// <list type="bullet">
/// <item>a row's figures go into <see cref="Changes"/> as a change (a new row adds itself, a changed one the difference,
/// a removed one takes itself away): inserts only, so stages and revisions of one pledger's pledges never wait on each other;
/// the daemon folds them into <see cref="Totals"/> (<see cref="FoldSql"/>), and a read adds the few not yet folded;</item>
/// <item>a pledger's name is the one its first pledge announced (by date, then commitment, then version), kept in
/// <see cref="Pledgers"/> with that pledge's place: a new pledge replaces it only if it comes first, and the pledges are
/// read again only when the one that named it moves or goes. That reading takes turns with every other change to the
/// pledger's name (an advisory lock per pledger, held until the transaction ends), so it misses no pledge another has
/// just recorded; new pledges of one pledger share the lock, and wait on each other only when both name the pledger.</item>
/// </list>
/// </summary>
public static class PledgerRollup
{
    public const string Pledgers = "pledgers";
    public const string Totals = "pledger_totals";
    public const string Changes = "pledger_changes";

    /// <summary>The pledges' ledger rows (Marten's table, <see cref="PledgeLedgerRow"/>), which the rollup follows.</summary>
    public const string LedgerTable = "mt_doc_pledgeledgerrow";

    /// <summary>What is summed per pledger and currency, in this order in <see cref="Totals"/> and <see cref="Changes"/>.</summary>
    private static readonly string[] Figures = ["pledges", "pledged", "committed", "disbursed", "days_to_first", "disbursed_pledges"];

    private static readonly string Columns = $"pledger_key, currency, {string.Join(", ", Figures)}";

    public static IEnumerable<ISchemaObject> Define(string schema)
    {
        var pledgers = new Table(RollupFigures.Name(schema, Pledgers));
        pledgers.AddColumn<string>("pledger_key").AsPrimaryKey();
        pledgers.AddColumn<string>("name").NotNull();
        // The place of the pledge that named it.
        pledgers.AddColumn("first_on", "date").NotNull();
        pledgers.AddColumn<string>("first_commitment").NotNull();
        pledgers.AddColumn<int>("first_version").NotNull();
        yield return pledgers;

        var totals = new Table(RollupFigures.Name(schema, Totals));
        totals.AddColumn<string>("pledger_key").AsPrimaryKey();
        totals.AddColumn<string>("currency").AsPrimaryKey();
        AddFigures(totals);
        yield return totals;

        var changes = new Table(RollupFigures.Name(schema, Changes));
        changes.AddColumn<string>("pledger_key").NotNull();
        changes.AddColumn<string>("currency").NotNull();
        AddFigures(changes);
        changes.Indexes.Add(new IndexDefinition($"ix_{Changes}_pledger") { Columns = ["pledger_key"] });
        yield return changes;

        yield return Trigger(schema, "insert", adds: true, removes: false);
        yield return Trigger(schema, "update", adds: true, removes: true);
        yield return Trigger(schema, "delete", adds: false, removes: true);
        yield return StoredFunction.Of(RollupFigures.Name(schema, "pledger_rollup_truncate"), "", "trigger", ["LANGUAGE plpgsql"], $"""
            BEGIN
              DELETE FROM {schema}.{Changes};
              DELETE FROM {schema}.{Totals};
              DELETE FROM {schema}.{Pledgers};
              RETURN NULL;
            END;
            """, EnsureTriggersSql(schema));
    }

    /// <summary>
    /// A statement's ledger rows as they were (`removed`) and are (`added`), set-based: a rebuild's statement of 500 rows
    /// is one call, and a request's single row costs a few statements on its transition tables. Each operation's function
    /// has only the statements its transition tables can need: a new pledge's four, and only a check in the update
    /// trigger that Marten's upsert fires when it inserted.
    /// </summary>
    private static StoredFunction Trigger(string schema, string operation, bool adds, bool removes)
    {
        var ledger = $"{schema}.{LedgerTable}";
        var pledgers = $"{schema}.{Pledgers}";
        // A row whose pledger, name and place the statement left as they were names nobody anew (only an update has both).
        string NotUnmoved(string row, string other, string rows) => adds && removes
            ? $"AND NOT EXISTS (SELECT 1 FROM {rows} {other} WHERE {other}.id = {row}.id AND ({Place(other)}) = ({Place(row)}))"
            : "";
        var counted = string.Join(" UNION ALL ", new[]
        {
            removes ? $"SELECT -1 AS sign, {Counted("r")} FROM removed r WHERE r.pledger_key <> ''" : null,
            adds ? $"SELECT 1 AS sign, {Counted("r")} FROM added r WHERE r.pledger_key <> ''" : null
        }.OfType<string>());
        // The pledgers whose pledges the statement added, removed or moved: their names may change, and with a pledge
        // removed (or moved) only by reading their pledges again.
        var named = string.Join(" UNION ALL ", new[]
        {
            adds ? $"SELECT a.pledger_key, false AS removes FROM added a WHERE a.pledger_key <> '' {NotUnmoved("a", "o", "removed")}" : null,
            removes ? $"SELECT o.pledger_key, true AS removes FROM removed o WHERE o.pledger_key <> '' {NotUnmoved("o", "a", "added")}" : null
        }.OfType<string>());
        var candidates = $"""
            SELECT DISTINCT ON (a.pledger_key) {Place("a")} FROM added a WHERE a.pledger_key <> ''
             ORDER BY a.pledger_key, {On("a")}, {Commitment("a")}, a.announced_version
            """;
        var lost = $"""
            SELECT DISTINCT p.pledger_key, p.first_on, p.first_commitment, p.first_version
              FROM removed o JOIN {pledgers} p ON p.pledger_key = o.pledger_key
                   AND (p.first_on, p.first_commitment, p.first_version) = ({On("o")}, {Commitment("o")}, o.announced_version)
             WHERE true {NotUnmoved("o", "a", "added")}
            """;
        // Marten's upsert fires the update trigger too, with nothing in its tables when it inserted.
        var nothingUpdated = adds && removes ? "IF NOT EXISTS (SELECT 1 FROM removed) THEN RETURN NULL; END IF;" : "";
        // Most new pledges name nobody anew (their pledger is named, by an earlier pledge): one check, in a statement of
        // its own so that it reads the names as the lock above left them, spares the two statements that would change none.
        // A candidate `c` renames its pledger's row `p`: it comes first, or at the same place under another name.
        const string renames = """
            ((c.first_on, c.first_commitment, c.first_version) < (p.first_on, p.first_commitment, p.first_version)
             OR ((c.first_on, c.first_commitment, c.first_version) = (p.first_on, p.first_commitment, p.first_version)
                 AND p.name <> c.name))
            """;
        var naming = adds ? $"""
              IF pledgers_named > 0 AND EXISTS (
                   SELECT 1 FROM ({candidates}) c (pledger_key, name, first_on, first_commitment, first_version)
                     LEFT JOIN {pledgers} p ON p.pledger_key = c.pledger_key
                    WHERE p.pledger_key IS NULL OR {renames}) THEN
                -- A pledger not yet named is; one named by a later pledge is renamed.
                INSERT INTO {pledgers} (pledger_key, name, first_on, first_commitment, first_version) {candidates}
                ON CONFLICT (pledger_key) DO NOTHING;
                -- (A separate statement: an upsert would lock the pledger's row even when it leaves it as it is, and
                -- every new pledge of the pledger would wait for the one before to commit.)
                UPDATE {pledgers} p SET name = c.name, first_on = c.first_on, first_commitment = c.first_commitment,
                       first_version = c.first_version
                  FROM ({candidates}) c (pledger_key, name, first_on, first_commitment, first_version)
                 WHERE p.pledger_key = c.pledger_key AND {renames};
              END IF;
            """ : "";
        var renamed = removes ? $"""
              -- The pledge that named its pledger moved or went: the first of its pledges that stand names it now, or,
              -- with none left, the pledger goes. The only case that reads a pledger's pledges.
              IF EXISTS ({lost}) THEN
                WITH lost AS ({lost}),
                     named AS (
                       SELECT l.*, f.new_name, f.new_on, f.new_commitment, f.new_version FROM lost l
                         LEFT JOIN LATERAL (SELECT {Name("r")} AS new_name, {On("r")} AS new_on, {Commitment("r")} AS new_commitment,
                                                   r.announced_version AS new_version
                                              FROM {ledger} r WHERE r.pledger_key = l.pledger_key
                                             ORDER BY {PledgeLedgerRow.PlaceOrder("r")} LIMIT 1) f ON true),
                     renamed AS (
                       UPDATE {pledgers} p SET name = n.new_name, first_on = n.new_on, first_commitment = n.new_commitment, first_version = n.new_version
                         FROM named n
                        WHERE p.pledger_key = n.pledger_key AND n.new_name IS NOT NULL
                          AND (p.first_on, p.first_commitment, p.first_version) = (n.first_on, n.first_commitment, n.first_version))
                DELETE FROM {pledgers} p USING named n
                 WHERE p.pledger_key = n.pledger_key AND n.new_name IS NULL
                   AND (p.first_on, p.first_commitment, p.first_version) = (n.first_on, n.first_commitment, n.first_version);
              END IF;
            """ : "";
        return StoredFunction.Of(RollupFigures.Name(schema, $"pledger_rollup_{operation}"), "", "trigger", ["LANGUAGE plpgsql"], $"""
            DECLARE pledgers_named bigint;
            BEGIN
              -- A rebuild counts the pledgers again from the rows at its end (RebuildWrites).
              IF {RebuildWrites.AreTheseSql} THEN
                RETURN NULL;
              END IF;
              {nothingUpdated}
              -- The changes are written with the locks below, in one statement (PostgreSQL runs a data-modifying WITH
              -- to completion whether or not the query reads it): each statement costs a request's write about as much
              -- as its work.
              WITH changed AS (
                INSERT INTO {schema}.{Changes} ({Columns})
                SELECT pledger_key, currency, {string.Join(", ", Figures.Select(f => $"sum(sign * {f})"))}
                  FROM ({counted}) d
                 GROUP BY pledger_key, currency
                HAVING {string.Join(" OR ", Figures.Select(f => $"sum(sign * {f}) <> 0"))})

              -- A pledge added, removed or moved may change its pledger's name. A removal reads the pledger's pledges
              -- again, so it waits for every change in flight to that pledger and holds the others off until its
              -- transaction ends (an exclusive lock): it sees each pledge recorded before it, and each recorded after
              -- it sees what it named. Additions only ever name a pledger after an earlier pledge, which the row
              -- locks on the name below keep right however they interleave: they share the lock, and wait on each
              -- other only when both name the pledger (a new one, or each an earlier pledge). Stages and revisions,
              -- which leave their pledge where it was, take no lock. One statement takes them all, in the order of
              -- the locks themselves (PostgreSQL runs volatile functions of the select list after the sort).
              -- A transaction that adds a pledger's pledges in one statement and removes some in a later one (a
              -- rebuild's batch) asks for the lock it shares: that can deadlock with a request naming the same
              -- pledger, and PostgreSQL ends one of them (a request is run again, ConcurrencyRetry).
              SELECT count(locked.taken) INTO pledgers_named FROM (
                SELECT CASE WHEN n.removes THEN pg_advisory_xact_lock({NameLock}, hashtext(n.pledger_key))::text
                            ELSE pg_advisory_xact_lock_shared({NameLock}, hashtext(n.pledger_key))::text END AS taken
                  FROM (SELECT pledger_key, bool_or(removes) AS removes FROM ({named}) n GROUP BY 1) n
                 ORDER BY hashtext(n.pledger_key), n.pledger_key) locked;
            {naming}
            {renamed}
              RETURN NULL;
            END;
            """, EnsureTriggersSql(schema));
    }

    /// <summary>The advisory lock class under which a pledger's name is read again (with a hash of its key).</summary>
    private const int NameLock = 20261202;

    private static void AddFigures(Table table)
    {
        table.AddColumn<long>("pledges").NotNull();
        table.AddColumn("pledged", "numeric").NotNull();
        table.AddColumn("committed", "numeric").NotNull();
        table.AddColumn("disbursed", "numeric").NotNull();
        // The days from announcement to first disbursement, summed over the pledges with one, and how many those are.
        table.AddColumn<long>("days_to_first").NotNull();
        table.AddColumn<long>("disbursed_pledges").NotNull();
    }

    // What a ledger row (alias or trigger record `r`) counts: its pledger and currency, then its Figures.
    private static string Counted(string r) => $"""
        {r}.pledger_key, {r}.data ->> 'Currency' AS currency, 1 AS pledges, ({r}.data ->> 'Pledged')::numeric AS pledged,
        coalesce(({r}.data -> 'Ledger' ->> 'Committed')::numeric, 0) AS committed,
        coalesce(({r}.data -> 'Ledger' ->> 'Disbursed')::numeric, 0) AS disbursed,
        coalesce(({r}.data ->> 'DaysToFirstDisbursement')::bigint, 0) AS days_to_first,
        (({r}.data ->> 'DaysToFirstDisbursement') IS NOT NULL)::int AS disbursed_pledges
        """;

    private static string Name(string r) => $"({r}.data -> 'Ledger' ->> 'Pledger')";
    private static string On(string r) => $"({r}.data -> 'Ledger' ->> 'AnnouncedOn')::date";
    private static string Commitment(string r) => $"({r}.data ->> 'CommitmentKey')";

    // A pledger's key, the name the pledge gives it and the pledge's place among the pledger's pledges.
    private static string Place(string r) => $"{r}.pledger_key, {Name(r)}, {On(r)}, {Commitment(r)}, {r}.announced_version";

    /// <summary>The ledger rows' columns the functions read, and those of the indexes beside them (PledgeLedgerRow.Configure).</summary>
    public static readonly IReadOnlyList<string> LedgerColumns =
        ["stream_id", "announced_version", "id_stem", "id_number", "pledger_key", "ledger_announced_on", "commitment_key"];

    /// <summary>
    /// Creates the triggers once the ledger rows' table and the function exist, and the table has the columns they read
    /// (<see cref="TableShape"/>). Run with the function's DDL and by DatabaseGuards.
    /// </summary>
    public static string EnsureTriggersSql(string schema) => $"""
        DO $pledgers$ BEGIN
          IF to_regclass('{schema}.{LedgerTable}') IS NOT NULL AND to_regclass('{schema}.{Changes}') IS NOT NULL
             AND {TableShape.HasColumnsSql(schema, LedgerTable, LedgerColumns)} THEN
            IF to_regprocedure('{schema}.pledger_rollup_insert()') IS NOT NULL THEN
              CREATE OR REPLACE TRIGGER trg_pledger_rollup_insert AFTER INSERT ON {schema}.{LedgerTable}
                REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {schema}.pledger_rollup_insert();
            END IF;
            IF to_regprocedure('{schema}.pledger_rollup_update()') IS NOT NULL THEN
              CREATE OR REPLACE TRIGGER trg_pledger_rollup_update AFTER UPDATE ON {schema}.{LedgerTable}
                REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {schema}.pledger_rollup_update();
            END IF;
            IF to_regprocedure('{schema}.pledger_rollup_delete()') IS NOT NULL THEN
              CREATE OR REPLACE TRIGGER trg_pledger_rollup_delete AFTER DELETE ON {schema}.{LedgerTable}
                REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION {schema}.pledger_rollup_delete();
            END IF;
            IF to_regprocedure('{schema}.pledger_rollup_truncate()') IS NOT NULL THEN
              CREATE OR REPLACE TRIGGER trg_pledger_rollup_truncate AFTER TRUNCATE ON {schema}.{LedgerTable}
                FOR EACH STATEMENT EXECUTE FUNCTION {schema}.pledger_rollup_truncate();
            END IF;
          ELSIF to_regclass('{schema}.{LedgerTable}') IS NOT NULL THEN
            -- An older version's triggers would fire today's functions as Marten fills the columns it adds (TableShape).
            DROP TRIGGER IF EXISTS trg_pledger_rollup_insert ON {schema}.{LedgerTable};
            DROP TRIGGER IF EXISTS trg_pledger_rollup_update ON {schema}.{LedgerTable};
            DROP TRIGGER IF EXISTS trg_pledger_rollup_delete ON {schema}.{LedgerTable};
            DROP TRIGGER IF EXISTS trg_pledger_rollup_truncate ON {schema}.{LedgerTable};
          END IF;
        END $pledgers$;
        """;

    /// <summary>
    /// The changes committed so far, added into the totals (a change committed meanwhile stays for the next fold), and the
    /// currencies a pledger no longer has a pledge in taken away. Run by the daemon after a page of pledge facts.
    /// </summary>
    public static string FoldSql(string schema) => $"""
        with moved as (delete from {schema}.{Changes} returning *)
        insert into {schema}.{Totals} as t ({Columns})
        select pledger_key, currency, {string.Join(", ", Figures.Select(f => $"sum({f})"))} from moved
         group by pledger_key, currency
         order by pledger_key, currency
        on conflict (pledger_key, currency) do update set {string.Join(", ", Figures.Select(f => $"{f} = t.{f} + excluded.{f}"))}
        """;

    /// <summary>The currencies a pledger no longer has a pledge in (the fold's second statement).</summary>
    public static string EmptiedSql(string schema) => $"delete from {schema}.{Totals} where pledges = 0";

    /// <summary>
    /// Each pledger's figures by currency, as kept: the totals and the changes not yet folded into them
    /// (`pledgers`: a query of the pledgers wanted, with columns pledger_key and name). Columns: pledger key, name,
    /// currency, then the figures; in the pledgers' order, then by currency.
    /// </summary>
    public static string Kept(string schema, string pledgers) => $"""
        select p.pledger_key, p.name, f.currency, {string.Join(", ", Figures.Select(x => $"sum(f.{x}) as {x}"))}
          from ({pledgers}) p
          join (select {Columns} from {schema}.{Totals} union all select {Columns} from {schema}.{Changes}) f using (pledger_key)
         group by p.pledger_key, p.name, f.currency
        having sum(f.pledges) <> 0
        """;

    /// <summary>
    /// Pledgers by name, ignoring case and accents: by key, which is the name in lower-case ASCII letters and digits
    /// ("Ägypten" is "agypten", among the A's): the order the list pages through.
    /// </summary>
    public const string ByName = "pledger_key collate \"C\"";

    /// <summary>What the figures and names should be: summed from the ledger rows (as a recount writes them).</summary>
    private static string Expected(string schema) => $"""
        select pledger_key, currency, {string.Join(", ", Figures.Select(f => $"sum({f}) as {f}"))}
          from (select {Counted("r")} from {schema}.{LedgerTable} r where r.pledger_key <> '') c
         group by pledger_key, currency
        """;

    /// <summary>
    /// What each pledger's name and place should be: those of its first pledge. One probe of the pledger-place index per
    /// pledger (the next key after the last, then that key's first row), so it reads a row per pledger, not every pledge:
    /// 7-9 ms over 200,000 pledges of 500 pledgers, against 0.5 s to sort them all by their documents' fields.
    /// </summary>
    private static string ExpectedNames(string schema) => $"""
        with recursive keys (pledger_key) as (
               select min(pledger_key) from {schema}.{LedgerTable} where pledger_key <> ''
               union all
               select (select min(r.pledger_key) from {schema}.{LedgerTable} r where r.pledger_key > k.pledger_key)
                 from keys k where k.pledger_key is not null)
        select k.pledger_key, f.name, f.first_on, f.first_commitment, f.first_version
          from keys k cross join lateral (
                 select {Name("r")} as name, r.ledger_announced_on as first_on, r.commitment_key as first_commitment,
                        r.announced_version as first_version
                   from {schema}.{LedgerTable} r where r.pledger_key = k.pledger_key
                  order by {PledgeLedgerRow.PlaceOrder("r")} limit 1) f
        """;

    /// <summary>
    /// The pledgers whose kept figures or name differ from what their ledger rows say, named "pledger {key}" (one
    /// statement: the ledger rows and the changes they made are written in one transaction, so its snapshot agrees).
    /// </summary>
    public static string Differences(string schema) => $"""
        select 'pledger ' || coalesce(e.pledger_key, k.pledger_key) || ' in ' || coalesce(e.currency, k.currency)
          from ({Expected(schema)}) e
          full join (select pledger_key, currency, {string.Join(", ", Figures.Select(f => $"sum({f}) as {f}"))}
                       from (select {Columns} from {schema}.{Totals} union all select {Columns} from {schema}.{Changes}) f
                      group by pledger_key, currency having sum(pledges) <> 0) k using (pledger_key, currency)
         where ({string.Join(", ", Figures.Select(f => $"e.{f}"))}) is distinct from ({string.Join(", ", Figures.Select(f => $"k.{f}"))})
        union all
        select 'pledger ' || coalesce(e.pledger_key, p.pledger_key) || ' named'
          from ({ExpectedNames(schema)}) e full join {schema}.{Pledgers} p using (pledger_key)
         where (e.name, e.first_on, e.first_commitment, e.first_version) is distinct from (p.name, p.first_on, p.first_commitment, p.first_version)
        """;

    /// <summary>
    /// Every pledger's figures put right where they differ from what its ledger rows say, holding off no writer: one
    /// statement adds the difference as a change, reckoned from one snapshot of the rows, the totals and the changes. A
    /// writer that commits after that snapshot adds the change its own rows made, which the difference does not hold, so
    /// the sums come out right however the two interleave. First a lock on the rows that writers' locks (row exclusive)
    /// pass but a recount's (<see cref="RecountSql"/>, at another node's start) does not: a difference reckoned before a
    /// recount and committed after it would be counted twice. Run in a transaction; its insert's count is the
    /// corrections made (a pledger and currency each). The rows are summed in a hash table: PostgreSQL, not knowing how few
    /// pledgers and currencies there are, would otherwise sort every row with its document (0.8-1.0 s over 200,000 pledges,
    /// against 0.34 s), and a few hundred groups need far less than the memory allowed here.
    /// </summary>
    public static string CorrectFiguresSql(string schema) => $"""
        LOCK TABLE {schema}.{LedgerTable} IN SHARE UPDATE EXCLUSIVE MODE;
        SET LOCAL work_mem = '64MB';
        WITH expected AS ({Expected(schema)}),
             kept AS (SELECT pledger_key, currency, {string.Join(", ", Figures.Select(f => $"sum({f}) AS {f}"))}
                        FROM (SELECT {Columns} FROM {schema}.{Totals} UNION ALL SELECT {Columns} FROM {schema}.{Changes}) f
                       GROUP BY pledger_key, currency)
        INSERT INTO {schema}.{Changes} ({Columns})
        SELECT pledger_key, currency, {string.Join(", ", Figures.Select(f => $"coalesce(e.{f}, 0) - coalesce(k.{f}, 0)"))}
          FROM expected e FULL JOIN kept k USING (pledger_key, currency)
         WHERE ({string.Join(", ", Figures.Select(f => $"coalesce(e.{f}, 0)"))}) IS DISTINCT FROM ({string.Join(", ", Figures.Select(f => $"coalesce(k.{f}, 0)"))});
        """;

    /// <summary>The keys of the pledgers whose kept name or place differs from what their ledger rows say (one snapshot).</summary>
    public static string MisnamedSql(string schema) => $"""
        SELECT pledger_key FROM ({ExpectedNames(schema)}) e FULL JOIN {schema}.{Pledgers} p USING (pledger_key)
         WHERE (e.name, e.first_on, e.first_commitment, e.first_version) IS DISTINCT FROM (p.name, p.first_on, p.first_commitment, p.first_version)
        """;

    /// <summary>
    /// The first of the pledgers' exclusive locks on their names (the pledgers' keys in $1, a text array), in the order the
    /// triggers take them, so this waits for every change to those pledgers in flight and holds off the next until the
    /// caller's transaction ends. Run before <see cref="RenameSql"/>, in the same transaction.
    /// </summary>
    public static string LockNamesSql => $"""
        SELECT count(*) FROM (SELECT pg_advisory_xact_lock({NameLock}, hashtext(k)) FROM unnest($1::text[]) k
                               ORDER BY hashtext(k), k) locked
        """;

    /// <summary>
    /// The pledgers named in $1 (a text array) named again after the first of their pledges that stand, as a pledge that
    /// moved or went has its pledger named (the triggers); a pledger with none left goes. A statement after
    /// <see cref="LockNamesSql"/>, so it reads every pledge committed before the locks were had. Its one value: how many
    /// pledgers it renamed or took away (none when a request put them right between the check and the locks).
    /// </summary>
    public static string RenameSql(string schema) => $"""
        WITH named AS (
               SELECT k.pledger_key, f.name, f.first_on, f.first_commitment, f.first_version FROM unnest($1::text[]) k (pledger_key)
                 LEFT JOIN LATERAL (SELECT {Name("r")} AS name, {On("r")} AS first_on, {Commitment("r")} AS first_commitment,
                                           r.announced_version AS first_version
                                      FROM {schema}.{LedgerTable} r WHERE r.pledger_key = k.pledger_key
                                     ORDER BY {PledgeLedgerRow.PlaceOrder("r")} LIMIT 1) f ON true),
             gone AS (DELETE FROM {schema}.{Pledgers} p USING named n WHERE p.pledger_key = n.pledger_key AND n.name IS NULL
                      RETURNING 1),
             renamed AS (
               INSERT INTO {schema}.{Pledgers} AS p (pledger_key, name, first_on, first_commitment, first_version)
               SELECT pledger_key, name, first_on, first_commitment, first_version FROM named WHERE name IS NOT NULL
               ON CONFLICT (pledger_key) DO UPDATE SET name = excluded.name, first_on = excluded.first_on,
                      first_commitment = excluded.first_commitment, first_version = excluded.first_version
                WHERE (p.name, p.first_on, p.first_commitment, p.first_version)
                      IS DISTINCT FROM (excluded.name, excluded.first_on, excluded.first_commitment, excluded.first_version)
               RETURNING 1)
        SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM renamed)
        """;

    /// <summary>
    /// Every pledger counted again from the ledger rows, holding off the rows' writers until the caller's transaction
    /// ends (a change they made meanwhile would otherwise be counted twice, or not at all).
    /// </summary>
    public static string RecountSql(string schema) => $"""
        LOCK TABLE {schema}.{LedgerTable} IN SHARE ROW EXCLUSIVE MODE;
        DELETE FROM {schema}.{Changes};
        DELETE FROM {schema}.{Totals};
        DELETE FROM {schema}.{Pledgers};
        INSERT INTO {schema}.{Totals} ({Columns}) {Expected(schema)};
        INSERT INTO {schema}.{Pledgers} (pledger_key, name, first_on, first_commitment, first_version) {ExpectedNames(schema)};
        """;

    /// <summary>
    /// At start, once the triggers are in place: the pledgers counted again when they do not count every pledge and
    /// every pledger (a database from before these tables, or one whose trigger was off for a while). Counted, not
    /// compared figure by figure, so a start costs two scans of the pledger keys; the verification compares the figures
    /// (<see cref="Differences"/>) and a rebuild repairs them.
    /// </summary>
    public static string BackfillSql(string schema) => $"""
        DO $backfill$ BEGIN
          IF to_regclass('{schema}.{LedgerTable}') IS NOT NULL AND to_regclass('{schema}.{Changes}') IS NOT NULL
             AND (select count(*) from pg_trigger where tgname like 'trg_pledger_rollup_%'
                    and tgrelid = to_regclass('{schema}.{LedgerTable}')) = 4
             AND ((select count(*) from {schema}.{LedgerTable} where pledger_key <> '')
                    <> (select coalesce(sum(pledges), 0) from {schema}.{Totals}) + (select coalesce(sum(pledges), 0) from {schema}.{Changes})
                  OR (select count(distinct pledger_key) from {schema}.{LedgerTable} where pledger_key <> '')
                    <> (select count(*) from {schema}.{Pledgers})) THEN
            {RecountSql(schema)}
          END IF;
        END $backfill$;
        """;

}
