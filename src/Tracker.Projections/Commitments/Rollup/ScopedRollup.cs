using System.Globalization;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;
using Weasel.Postgresql.Tables;

namespace Tracker.Projections.Commitments.Rollup;

/// <summary>
/// The present dashboard narrowed by one filter (a status, a kind, a line of effort or an actor) without summing the
/// commitments it selects: the same groups as the rollup's, once per value of each of those four (the scope), so the
/// dashboard of the "finance" line reads the rows of scope ("line", "finance"), as many as the groups, whatever the
/// number of commitments. Kept by triggers on what each commitment is counted under (<see cref="DashboardRollup.Counted"/>),
/// in the transaction of the daemon's page that changes it: a row counted in adds its groups to each of its scopes, a row
/// counted out takes them away. Two filters at once, overdue and the title search are still summed over the commitments.
/// </summary>
public static class ScopedRollup
{
    public const string Table = "commitment_rollup_scoped";

    private const string Contributions = "commitment_scoped_contributions";

    public static IEnumerable<ISchemaObject> Define(string schema)
    {
        var table = new Table(RollupFigures.Name(schema, Table));
        table.AddColumn<string>("scope").AsPrimaryKey();
        table.AddColumn<string>("scope_name").AsPrimaryKey();
        table.AddColumn<string>("dimension").AsPrimaryKey();
        table.AddColumn<string>("name").AsPrimaryKey();
        RollupFigures.AddTo(table);
        yield return table;

        var contributions = RollupFigures.Name(schema, Contributions);
        yield return StoredFunction.Of(contributions,
            "p_status text, p_line text, p_kind text, p_actors text[], p_currency text, p_target numeric, " +
            "p_pledged numeric, p_committed numeric, p_disbursed numeric, p_overdue boolean, p_sign integer",
            "TABLE(scope text, scope_name text, dimension text, name text, n bigint, target numeric, pledged numeric, " +
            "committed numeric, disbursed numeric, overdue bigint)",
            ["LANGUAGE sql", "IMMUTABLE"], $"""
              with scopes(scope, scope_name) as (
                     select 'status', p_status union all select 'line', p_line union all select 'kind', p_kind
                     union all select distinct 'actors', a from unnest(p_actors) as a),
                   groups(dimension, name, n, target, pledged, committed, disbursed, overdue) as (
                     select 'status', p_status, p_sign::bigint, 0::numeric, 0::numeric, 0::numeric, 0::numeric,
                            (p_sign * p_overdue::int)::bigint
                     union all select 'line', p_line, p_sign, 0, 0, 0, 0, 0
                     union all select 'kind', p_kind, p_sign, 0, 0, 0, 0, 0
                     union all select 'actors', a, p_sign, 0, 0, 0, 0, 0 from unnest(p_actors) as a
                     union all select 'money', p_currency, p_sign, p_sign * p_target, p_sign * p_pledged,
                                      p_sign * p_committed, p_sign * p_disbursed, 0)
              select s.scope, s.scope_name, g.dimension, g.name, g.n, g.target, g.pledged, g.committed, g.disbursed, g.overdue
                from scopes s cross join groups g
            """);

        var counted = $"{schema}.{DashboardRollup.Counted}";
        const string none = "(select * from {0} where false)";
        yield return Trigger(schema, "insert", "added", string.Format(none, counted));
        yield return Trigger(schema, "delete", string.Format(none, counted), "removed");
        yield return Trigger(schema, "update", "added", "removed");

        var truncate = RollupFigures.Name(schema, "commitment_counted_scoped_truncate");
        yield return StoredFunction.Of(truncate, "", "trigger", ["LANGUAGE plpgsql"], $"""
            BEGIN
              DELETE FROM {schema}.{Table};
              RETURN NULL;
            END;
            """, EnsureTriggersSql(schema));
    }

    private static Function Trigger(string schema, string operation, string added, string removed)
    {
        var name = RollupFigures.Name(schema, $"commitment_counted_scoped_{operation}");
        string Of(string rows, int sign) => $"""
            select c.* from {rows} r cross join lateral {schema}.{Contributions}(r.status, r.line_of_effort, r.kind, r.actors,
                r.ledger_currency, r.target, r.pledged, r.committed, r.disbursed, r.overdue, {sign.ToString(CultureInfo.InvariantCulture)}) c
            """;
        return StoredFunction.Of(name, "", "trigger", ["LANGUAGE plpgsql"], $"""
            BEGIN
              INSERT INTO {schema}.{Table} AS g (scope, scope_name, dimension, name, n, target, pledged, committed, disbursed, overdue)
              SELECT scope, scope_name, dimension, name, {RollupFigures.Sums()}
                FROM ({Of(added, 1)} union all {Of(removed, -1)}) d
               GROUP BY scope, scope_name, dimension, name
              HAVING {RollupFigures.AnyChange()}
              ON CONFLICT (scope, scope_name, dimension, name) DO UPDATE SET {RollupFigures.Added("g")};
              RETURN NULL;
            END;
            """, EnsureTriggersSql(schema));
    }

    /// <summary>Creates the triggers once the counted table and their functions exist. Run with the functions' DDL and at start.</summary>
    public static string EnsureTriggersSql(string schema) => $"""
        DO $scoped$ BEGIN
          IF to_regclass('{schema}.{DashboardRollup.Counted}') IS NOT NULL AND to_regclass('{schema}.{Table}') IS NOT NULL THEN
            IF to_regprocedure('{schema}.commitment_counted_scoped_insert()') IS NOT NULL THEN
              CREATE OR REPLACE TRIGGER trg_commitment_counted_scoped_insert AFTER INSERT ON {schema}.{DashboardRollup.Counted}
                REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {schema}.commitment_counted_scoped_insert();
            END IF;
            IF to_regprocedure('{schema}.commitment_counted_scoped_delete()') IS NOT NULL THEN
              CREATE OR REPLACE TRIGGER trg_commitment_counted_scoped_delete AFTER DELETE ON {schema}.{DashboardRollup.Counted}
                REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION {schema}.commitment_counted_scoped_delete();
            END IF;
            IF to_regprocedure('{schema}.commitment_counted_scoped_update()') IS NOT NULL THEN
              CREATE OR REPLACE TRIGGER trg_commitment_counted_scoped_update AFTER UPDATE ON {schema}.{DashboardRollup.Counted}
                REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT
                EXECUTE FUNCTION {schema}.commitment_counted_scoped_update();
            END IF;
            IF to_regprocedure('{schema}.commitment_counted_scoped_truncate()') IS NOT NULL THEN
              CREATE OR REPLACE TRIGGER trg_commitment_counted_scoped_truncate AFTER TRUNCATE ON {schema}.{DashboardRollup.Counted}
                FOR EACH STATEMENT EXECUTE FUNCTION {schema}.commitment_counted_scoped_truncate();
            END IF;
          END IF;
        END $scoped$;
        """;

    /// <summary>
    /// A rollup counted before this table existed (or while its triggers were missing) is counted into it again: at start,
    /// in a command of its own without a time limit, once the triggers are in place, holding off the daemon's pages and
    /// any other node doing the same.
    /// </summary>
    public static string BackfillSql(string schema) => $"""
        DO $backfill$ BEGIN
          IF to_regclass('{schema}.{DashboardRollup.Counted}') IS NOT NULL AND to_regclass('{schema}.{Table}') IS NOT NULL
             AND (select count(*) from pg_trigger where tgname like 'trg_commitment_counted_scoped_%'
                    and tgrelid = '{schema}.{DashboardRollup.Counted}'::regclass) = 4 THEN
            LOCK TABLE {schema}.{DashboardRollup.Counted} IN SHARE ROW EXCLUSIVE MODE;
            -- Every counted commitment is in exactly one kind's scope: a table that does not say so is counted again.
            IF (select coalesce(sum(n), 0) from {schema}.{Table} where scope = 'kind' and dimension = 'kind')
               <> (select count(*) from {schema}.{DashboardRollup.Counted}) THEN
              {RecountSql(schema)}
            END IF;
          END IF;
        END $backfill$;
        """;

    /// <summary>Every scope's groups summed again from what is counted, in the caller's transaction (which holds what is counted).</summary>
    public static string RecountSql(string schema) => $"""
        DELETE FROM {schema}.{Table};
        INSERT INTO {schema}.{Table} (scope, scope_name, dimension, name, n, target, pledged, committed, disbursed, overdue)
        SELECT c.scope, c.scope_name, c.dimension, c.name, {RollupFigures.Sums("c")}
          FROM {schema}.{DashboardRollup.Counted} r cross join lateral {schema}.{Contributions}(r.status,
               r.line_of_effort, r.kind, r.actors, r.ledger_currency, r.target, r.pledged, r.committed, r.disbursed,
               r.overdue, 1) c
         GROUP BY c.scope, c.scope_name, c.dimension, c.name;
        """;

    /// <summary>
    /// The scoped groups that differ from the sums of what is counted, named "group {scope}:{value} {dimension} {name}"
    /// (a part of <see cref="DashboardRollup.Differences"/>, with its `newer`).
    /// </summary>
    public static string Differences(string schema) => $"""
        select 'group ' || coalesce(e.scope, g.scope) || ':' || coalesce(e.scope_name, g.scope_name) || ' '
               || coalesce(e.dimension, g.dimension) || ' ' || coalesce(e.name, g.name), false, false
          from (select c.scope, c.scope_name, c.dimension, c.name, sum(c.n) as n, sum(c.target) as target,
                       sum(c.pledged) as pledged, sum(c.committed) as committed, sum(c.disbursed) as disbursed,
                       sum(c.overdue) as overdue
                  from {schema}.{DashboardRollup.Counted} r cross join lateral {schema}.{Contributions}(r.status,
                       r.line_of_effort, r.kind, r.actors, r.ledger_currency, r.target, r.pledged, r.committed, r.disbursed,
                       r.overdue, 1) c
                 group by c.scope, c.scope_name, c.dimension, c.name) e
          full join (select * from {schema}.{Table}
                      where n <> 0 or target <> 0 or pledged <> 0 or committed <> 0 or disbursed <> 0 or overdue <> 0) g
               using (scope, scope_name, dimension, name)
         where not exists (select 1 from newer)
           and (e.n, e.target, e.pledged, e.committed, e.disbursed, e.overdue)
               is distinct from (g.n, g.target, g.pledged, g.committed, g.disbursed, g.overdue)
        """;

}
