using System.Data.Common;
using JasperFx;
using Tracker.Api.Audit;
using Tracker.Api.Audit.Checkpoints;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Tracker.Projections.Commitments.Rollup;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// What must hold on tables Marten and we create before the service may run on them, applied by `db-apply` (and by
/// Development's start) as the schema's owner, after every table exists:
/// - the triggers: the hash chain, the log's append-only guards, the dashboard rollups', the list's flat rows';
/// - the service role's privileges (Database:ServiceRole): it reads and writes every table of the schema, but may only
///   insert into the log's tables (events, hashes, checkpoints) and may neither delete nor truncate streams;
/// - the room the tables whose rows the writes replace keep on their pages (<see cref="UpdatedInPlace"/>).
/// Weasel asks the database whether each holds (<see cref="MissingSql"/>) and applies the DDL only when one does not,
/// so `db-assert` fails and `db-apply` repairs a trigger someone dropped or a grant someone changed.
/// </summary>
public sealed class DatabaseGuards(string schema, string? serviceRole, bool roleNamed = false) : FeatureSchemaBase("DatabaseGuards", new PostgresqlMigrator())
{
    public const string DefaultServiceRole = "tracker_service";

    /// <summary>The triggers, by table.</summary>
    public static IEnumerable<(string Table, string Trigger)> Triggers(string schema) =>
        AppendOnlyLog.Triggers(schema).Select(t => (t.Table, t.Name))
            .Append(("mt_events", "trg_chain_event_hash"))
            .Concat(new[] { "insert", "delete", "update", "truncate" }.Select(op => ("commitment_days", $"trg_commitment_days_rollup_{op}")))
            .Concat(new[] { "insert", "delete", "update", "truncate" }.Select(op => (DashboardRollup.Counted, $"trg_commitment_counted_scoped_{op}")))
            .Append((CommitmentRows.ModelTable, "trg_commitment_rows_follow"))
            .Append((CommitmentRows.ModelTable, "trg_commitment_rows_truncate"))
            .Concat(new[] { "insert", "update", "delete", "truncate" }.Select(op => (PledgerRollup.LedgerTable, $"trg_pledger_rollup_{op}")));

    /// <summary>
    /// The tables whose rows the writes replace (a commitment's model, a pledge's row), with room left on each page
    /// (<see cref="FillFactor"/>%): a new version of a row that changes no indexed column is then written on the page
    /// beside the old one (a heap-only tuple) and adds no entry to any index. Full pages put every new version on
    /// another page, with an entry in each index (measured on 200,000 pledge rows: 4.5 s to update them all, 2.1 s with
    /// room and no index over the document).
    /// </summary>
    public static readonly IReadOnlyList<string> UpdatedInPlace = [CommitmentRows.ModelTable, "mt_doc_pledgeledgerrow"];

    public const int FillFactor = 70;

    /// <summary>
    /// The jsonb columns of the log and of the documents, which no query filters on as a whole (filters read the columns
    /// beside them, or expressions of them, which column statistics do not describe): ANALYZE keeps no statistics on them
    /// (a statistics target of 0). Building them sorted a sample of 30,000 documents with jsonb's comparison: under a
    /// write load, autovacuum's analyses took one of the two cores for seconds at a time, and the writes queued behind
    /// them (docs/benchmarks-profile.md, sixteenth session).
    /// </summary>
    public static readonly IReadOnlyList<(string Table, string Column)> Unanalysed =
    [
        ("mt_events", "data"), ("mt_events", "headers"), (CommitmentRows.ModelTable, "data"), ("mt_doc_pledgeledgerrow", "data"),
        ("mt_doc_progresscheckpoint", "data"), ("commitment_days", "keyframe"), ("commitment_days", "row")
    ];

    /// <summary>
    /// Columns stored uncompressed (STORAGE EXTERNAL): a checkpoint's entries, 56 bytes an event of which 32 are a hash,
    /// compress to about three quarters of their size, and PostgreSQL's compression took 70-80 ms of a core for the
    /// 2.8 MB of a 50,000-event checkpoint, against 7-10 ms to store them as they are (measured on the test cluster).
    /// </summary>
    public static readonly IReadOnlyList<(string Table, string Column)> Uncompressed = [(LogCheckpoints.Table, "entries")];

    /// <summary>
    /// Tables of read models the service no longer keeps, which a database written by an older version still holds:
    /// `db-apply` drops them (their rows come from the log and nothing reads them). The pledger views' documents, one per
    /// pledger and commitment, were replaced by the pledge rows and their rollup (eleventh session).
    /// </summary>
    public static readonly IReadOnlyList<string> Retired = ["mt_doc_pledgercommitment"];

    /// <summary>
    /// One row, one text: what is missing, separated by "; ", or empty when everything holds. For the service role
    /// named (checked when it exists) and, when <paramref name="checkCurrentUser"/>, for the role running the query: it
    /// must be neither a superuser nor the log's owner, and hold no privilege to change the log. With
    /// <paramref name="checkRoom"/>, also the room the updated tables keep on their pages, the statistics, the uncompressed
    /// columns and the retired tables (what `db-apply` and `db-assert` ask; readiness asks about the guards only).
    /// </summary>
    public static string MissingSql(string schema, string? serviceRole, bool checkCurrentUser, bool checkRoom = false, bool roleNamed = false)
    {
        var triggers = string.Join(",\n", Triggers(schema).Select(t => $"""
            case when not exists (select 1 from pg_trigger where tgname = '{t.Trigger}' and tgenabled in ('O', 'A')
                                    and tgrelid = to_regclass('{schema}.{t.Table}'))
                 then 'trigger {t.Trigger} on {t.Table} is missing, disabled or set to fire only for replicas' end
            """));
        // A table of Marten's without the columns our triggers on it read yet (a database of an older version, which this
        // migration brings them to): the guards then run after the tables, and make the triggers the functions' DDL left.
        (string Table, IReadOnlyCollection<string> Columns)[] read =
            [(CommitmentRows.ModelTable, CommitmentRows.Columns), (PledgerRollup.LedgerTable, PledgerRollup.LedgerColumns)];
        triggers += string.Concat(read.Select(t => $"""
            ,
            case when to_regclass('{schema}.{t.Table}') is not null and not {Tracker.Projections.TableShape.HasColumnsSql(schema, t.Table, t.Columns)}
                 then 'table {t.Table} lacks columns its triggers read' end
            """));
        var room = !checkRoom ? "" : string.Concat(UpdatedInPlace.Select(table => $"""
            ,
            case when exists (select 1 from pg_class c where c.oid = to_regclass('{schema}.{table}')
                                and not coalesce(c.reloptions, array[]::text[]) @> array['fillfactor={FillFactor}'])
                 then 'table {table} leaves no room on its pages for updates in place (fillfactor {FillFactor})' end
            """).Concat(Unanalysed.Select(c => $"""
            ,
            case when exists (select 1 from pg_attribute a where a.attrelid = to_regclass('{schema}.{c.Table}')
                                and a.attname = '{c.Column}' and coalesce(a.attstattarget, -1) <> 0)
                 then 'column {c.Table}.{c.Column} keeps statistics no query uses (statistics target 0)' end
            """)).Concat(Uncompressed.Select(c => $"""
            ,
            case when exists (select 1 from pg_attribute a where a.attrelid = to_regclass('{schema}.{c.Table}')
                                and a.attname = '{c.Column}' and a.attstorage <> 'e')
                 then 'column {c.Table}.{c.Column} is compressed when stored (storage external)' end
            """)).Concat(Retired.Select(table => $"""
            ,
            case when to_regclass('{schema}.{table}') is not null then 'table {table} holds a read model no longer kept' end
            """)));
        var role = serviceRole is null ? "" : $"""
            ,
            case when exists (select 1 from pg_roles where rolname = '{serviceRole}') and (
                   exists (select 1 from pg_tables t, unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p(privilege)
                            where t.schemaname = '{schema}'
                              and not (t.tablename = any (array['{string.Join("','", AppendOnlyLog.LogTables)}']) and p.privilege <> 'SELECT')
                              and not (t.tablename = 'mt_events' and p.privilege = 'INSERT')
                              and not (t.tablename = 'mt_streams' and p.privilege in ('DELETE', 'TRUNCATE'))
                              and not has_table_privilege('{serviceRole}', format('%I.%I', t.schemaname, t.tablename), p.privilege))
                   or not has_schema_privilege('{serviceRole}', '{schema}', 'USAGE'))
                 then 'role {serviceRole} lacks privileges it needs on the schema' end,
            {Changes(serviceRole, $"'{serviceRole}'", exists: true)}
            """ + (!roleNamed ? "" : $"""
            ,
            case when not exists (select 1 from pg_roles where rolname = '{serviceRole}')
                 then 'role {serviceRole} (Database:ServiceRole) does not exist' end
            """);
        var current = !checkCurrentUser ? "" : $"""
            ,
            case when (select rolsuper from pg_roles where rolname = current_user)
                 then 'the service connects as a superuser, who can switch the triggers off' end,
            case when exists (select 1 from pg_class c
                               where c.oid = to_regclass('{schema}.mt_events') and pg_has_role(current_user, c.relowner, 'USAGE'))
                 then 'the service connects as the owner of the events table (or a member of its role), who can switch the triggers off' end,
            {Changes("the service's role", "current_user", exists: false)}
            """;
        // to_regclass fails on a schema that does not exist (PostgreSQL 15): nothing is asked of one that does not.
        return $"""
            select case when to_regnamespace('{schema}') is null then 'the schema {schema} does not exist' else concat_ws('; ',
            {triggers}{room}{role}{current}) end
            """;

        string Changes(string who, string roleExpression, bool exists)
        {
            // has_table_privilege with a list is true when any one is held, which is what is asked here. Only the events
            // table takes inserts (the hashes and checkpoints are written by the owner's functions), and the events'
            // sequence may be drawn from but not set.
            var tables = AppendOnlyLog.LogTables.Select(t => (t, t == "mt_events" ? "UPDATE, DELETE, TRUNCATE, TRIGGER" : "INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER"))
                .Append(("mt_streams", "DELETE, TRUNCATE, TRIGGER"));
            var any = string.Join(" or ", tables.Select(x =>
                $"(to_regclass('{schema}.{x.Item1}') is not null and has_table_privilege({roleExpression}, '{schema}.{x.Item1}', '{x.Item2}'))")) +
                $" or (to_regclass('{schema}.mt_events_sequence') is not null and has_sequence_privilege({roleExpression}, '{schema}.mt_events_sequence', 'UPDATE'))";
            var guard = exists ? $"exists (select 1 from pg_roles where rolname = {roleExpression}) and " : "";
            return $"case when {guard}({any}) then '{who.Replace("'", "''")} may change or remove rows of the log' end";
        }
    }

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return new Guards(schema, serviceRole, roleNamed);
    }

    private sealed class Guards(string schema, string? serviceRole, bool roleNamed) : ISchemaObject
    {
        public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, "database_guards", SchemaUtils.IdentifierUsage.General);

        public void WriteCreateStatement(Migrator migrator, TextWriter writer)
        {
            writer.WriteLine(HashChain.EnsureTriggerSql(schema));
            writer.WriteLine("DO $guards$ BEGIN");
            // The guard of the events table had another name before the TRUNCATE guards came.
            writer.WriteLine($"  IF to_regclass('{schema}.mt_events') IS NOT NULL THEN DROP TRIGGER IF EXISTS trg_events_append_only ON {schema}.mt_events; END IF;");
            foreach (var trigger in AppendOnlyLog.Triggers(schema)) writer.WriteLine(trigger.EnsureSql(schema));
            writer.WriteLine("END $guards$;");
            writer.WriteLine(DailyRollup.EnsureTriggersSql(schema));
            writer.WriteLine(ScopedRollup.EnsureTriggersSql(schema));
            writer.WriteLine(CommitmentRows.EnsureTriggersSql(schema));
            writer.WriteLine(PledgerRollup.EnsureTriggersSql(schema));
            foreach (var (table, column) in Uncompressed)
            {
                writer.WriteLine($"DO $storage$ BEGIN IF EXISTS (select 1 from pg_attribute where attrelid = to_regclass('{schema}.{table}') " +
                                 $"and attname = '{column}') THEN ALTER TABLE {schema}.{table} ALTER COLUMN \"{column}\" SET STORAGE EXTERNAL; END IF; END $storage$;");
            }
            foreach (var table in Retired) writer.WriteLine($"DROP TABLE IF EXISTS {schema}.{table};");
            // Pages written from now on keep the room; pages already full gain it as rows on them are deleted or vacuumed.
            foreach (var table in UpdatedInPlace)
            {
                writer.WriteLine($"DO $room$ BEGIN IF to_regclass('{schema}.{table}') IS NOT NULL THEN " +
                                 $"ALTER TABLE {schema}.{table} SET (fillfactor = {FillFactor}); END IF; END $room$;");
            }
            foreach (var (table, column) in Unanalysed)
            {
                writer.WriteLine($"DO $stats$ BEGIN IF EXISTS (select 1 from pg_attribute where attrelid = to_regclass('{schema}.{table}') " +
                                 $"and attname = '{column}') THEN ALTER TABLE {schema}.{table} ALTER COLUMN \"{column}\" SET STATISTICS 0; END IF; END $stats$;");
            }
            if (serviceRole is null) return;

            var log = string.Join(", ", AppendOnlyLog.LogTables.Select(t => $"{schema}.{t}"));
            writer.WriteLine($"""
                DO $grants$ BEGIN
                  IF EXISTS (select 1 from pg_roles where rolname = '{serviceRole}') THEN
                    GRANT USAGE ON SCHEMA {schema} TO {serviceRole};
                    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {schema} TO {serviceRole};
                    REVOKE TRIGGER, REFERENCES ON ALL TABLES IN SCHEMA {schema} FROM {serviceRole};
                    GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {serviceRole};
                    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {serviceRole};
                    -- Tables created after this (Wolverine's, at its first start) come with the same privileges.
                    ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO {serviceRole};
                    ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {serviceRole};
                    REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER ON {log} FROM {serviceRole};
                    -- The hashes and checkpoints are written by the owner's functions only.
                    REVOKE INSERT ON {schema}.{HashChain.Table}, {schema}.{LogCheckpoints.Table} FROM {serviceRole};
                    REVOKE DELETE, TRUNCATE, TRIGGER ON {schema}.mt_streams FROM {serviceRole};
                    -- Drawn from, never set back.
                    IF to_regclass('{schema}.mt_events_sequence') IS NOT NULL THEN
                      REVOKE UPDATE ON SEQUENCE {schema}.mt_events_sequence FROM {serviceRole};
                    END IF;
                  ELSE
                    -- A role the operator named and that does not exist is a mistake to stop on (until 2026-12-07 db-apply said
                    -- it had succeeded, granting nothing); the default one, absent, is a warning (a development database).
                    {(roleNamed ? "RAISE EXCEPTION USING ERRCODE = 'undefined_object', MESSAGE =" : "RAISE WARNING")} 'Role {serviceRole} (Database:ServiceRole) does not exist: create it (scripts/db.sh and docker compose do) and run db-apply again';
                  END IF;
                END $grants$;
                """);
        }

        public void WriteDropStatement(Migrator rules, TextWriter writer)
        {
            // Nothing to drop: an update writes the whole of the guards again, each statement idempotent.
        }

        public void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder) =>
            builder.Append(MissingSql(schema, serviceRole, checkCurrentUser: false, checkRoom: true, roleNamed: roleNamed) + ";");

        public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct = default)
        {
            var missing = await reader.ReadAsync(ct) ? reader.GetString(0) : "everything";
            return new SchemaObjectDelta(this, missing.Length == 0 ? SchemaPatchDifference.None : SchemaPatchDifference.Update);
        }

        public IEnumerable<DbObjectName> AllNames()
        {
            yield return Identifier;
        }
    }
}
