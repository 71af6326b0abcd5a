using System.Globalization;
using Tracker.Projections.Commitments.Timeline;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;
using Weasel.Postgresql.Tables;

namespace Tracker.Projections.Commitments.Rollup;

/// <summary>
/// The dashboard on a past date (as effective) without visiting every commitment: for each day, how each group's counts
/// and sums changed that day (<see cref="Table"/>), so the dashboard on a date is the sum of the changes up to it, over
/// as many rows as there are days with changes times the groups they touched, whatever the number of commitments.
/// <para>
/// Kept by triggers on the effective timeline's days (TimelineDays), in the transaction of whatever changes them (the
/// daemon's pages, a rebuild, a repair): each day of a commitment adds what it counts and takes away what the day before
/// it counted, so replacing the days from a date on changes only the rows from that date on, and the triggers rework
/// only those days and the one before them. A commitment's line of effort, kind and actors come from its day's list
/// row, so what a day adds and what its removal takes away are always the same.
/// </para>
/// Groups: each status (with how many are overdue), line of effort, kind, actor and ledger currency (with the money
/// targets and money by stage), as the present's rollup; and `due`, per due date, the commitments not achieved or
/// withdrawn that are due then, for the count of those due soon.
/// </summary>
public static class DailyRollup
{
    public const string Table = "commitment_rollup_days";

    /// <summary>Groups counted only to answer "how many are due soon", not shown as a group.</summary>
    public const string DueDimension = "due";

    private const string Contributions = "commitment_day_contributions";

    /// <summary>
    /// How many commitments are overdue on the date @effectiveOn as effective (EffectiveOverdue): those the `due` groups
    /// count as neither achieved nor withdrawn by then, due before it. A statement of one value.
    /// </summary>
    public static string OverdueOnSql(string schema) => $"""
        select coalesce(sum(n), 0) as n from {schema}.{Table}
         where dimension = '{DueDimension}' and "on" <= @effectiveOn and name < to_char(@effectiveOn, 'YYYY-MM-DD')
        """;

    public static IEnumerable<ISchemaObject> Define(string schema)
    {
        var table = new Table(RollupFigures.Name(schema, Table));
        table.AddColumn<string>("dimension").AsPrimaryKey();
        table.AddColumn<string>("name").AsPrimaryKey();
        table.AddColumn("on", "date").AsPrimaryKey();
        RollupFigures.AddTo(table);
        yield return table;

        // What one day of a commitment counts, with a sign, on a date (scalars, not the row type: the triggers pass the
        // day before too, from a window over the days).
        var contributions = RollupFigures.Name(schema, Contributions);
        yield return StoredFunction.Of(contributions,
            "p_status text, p_overdue boolean, p_due_by date, p_currency text, p_target_amount numeric, " +
            "p_target_currency text, p_pledged numeric, p_committed numeric, p_disbursed numeric, p_row jsonb, p_sign integer, p_day date",
            "TABLE(dimension text, name text, \"on\" date, n bigint, target numeric, pledged numeric, committed numeric, " +
            "disbursed numeric, overdue bigint)",
            ["LANGUAGE sql", "IMMUTABLE"], $"""
              select 'status', coalesce(p_status, ''), p_day, p_sign::bigint, 0::numeric, 0::numeric, 0::numeric, 0::numeric,
                     (p_sign * coalesce(p_overdue, false)::int)::bigint
              union all select 'line', coalesce(p_row ->> 'LineOfEffort', ''), p_day, p_sign, 0, 0, 0, 0, 0
              union all select 'kind', coalesce(p_row ->> 'Kind', ''), p_day, p_sign, 0, 0, 0, 0, 0
              union all select 'actors', actor, p_day, p_sign, 0, 0, 0, 0, 0
                          from jsonb_array_elements_text(coalesce(p_row -> 'Actors', '[]'::jsonb)) as actor
              union all select 'money', coalesce(p_currency, ''), p_day, p_sign,
                               p_sign * case when p_target_currency is distinct from p_currency then 0 else coalesce(p_target_amount, 0) end,
                               p_sign * coalesce(p_pledged, 0), p_sign * coalesce(p_committed, 0),
                               p_sign * coalesce(p_disbursed, 0), 0
              -- A money target in another currency than its money's (a day before the target's currency changed, the
              -- money counted in today's) is summed with the targets of its own currency, counting no commitment there.
              union all select 'money', p_target_currency, p_day, 0, p_sign * coalesce(p_target_amount, 0), 0, 0, 0, 0
                         where p_target_currency is not null and p_target_currency is distinct from p_currency
              union all select '{DueDimension}', to_char(p_due_by, 'YYYY-MM-DD'), p_day, p_sign, 0, 0, 0, 0, 0
                         where p_due_by is not null and p_status not in ('Achieved', 'AchievedLate', 'Withdrawn')
            """);

        var days = $"{schema}.{TimelineDays.Name}";
        const string none = "(select * from {0} where false)";
        yield return Trigger(schema, "insert", "added", string.Format(none, days));
        yield return Trigger(schema, "delete", string.Format(none, days), "removed");
        yield return Trigger(schema, "update", "added", "removed");

        var truncate = RollupFigures.Name(schema, "commitment_days_rollup_truncate");
        yield return StoredFunction.Of(truncate, "", "trigger", ["LANGUAGE plpgsql"], $"""
            BEGIN
              TRUNCATE {schema}.{Table};
              RETURN NULL;
            END;
            """, EnsureTriggersSql(schema));
    }

    /// <summary>
    /// A statement trigger's function: the days of the commitments the statement changed, from the first changed day on
    /// (and the day before it, for what it counted), as they are now (+) and as they were (-): now minus what the
    /// statement added plus what it removed.
    /// </summary>
    private static Function Trigger(string schema, string operation, string added, string removed)
    {
        var name = RollupFigures.Name(schema, $"commitment_days_rollup_{operation}");
        var days = $"{schema}.{TimelineDays.Name}";
        // An update that changes no figure and no day (a last day rewritten with a fact that moves no figure, or the mark
        // of the version taken in moved by a refold) changes nothing counted: skip the window over the days.
        // An upsert fires the insert trigger too, usually with no row inserted: nothing to rework.
        var unchanged = operation != "update" ? $"""
              IF NOT EXISTS (select 1 from {(operation == "insert" ? added : removed)} z) THEN
                RETURN NULL;
              END IF;
            """ : $"""
              IF NOT EXISTS (select 1 from added x left join removed y on y.stream_id = x.stream_id and y."on" = x."on"
                              where y.stream_id is null
                                 or ({string.Join(", ", Figures.Split(", ").Select(f => "x." + f))})
                                    is distinct from ({string.Join(", ", Figures.Split(", ").Select(f => "y." + f))})) THEN
                RETURN NULL;
              END IF;
            """;
        return StoredFunction.Of(name, "", "trigger", ["LANGUAGE plpgsql"], $"""
            BEGIN
            {unchanged}
              WITH changed AS (select stream_id, "on" from {added} x union all select stream_id, "on" from {removed} y),
                   affected AS (select stream_id, min("on") as from_on from changed group by stream_id),
                   window_start AS (
                     select a.stream_id, coalesce((select max(p."on") from {days} p
                                                    where p.stream_id = a.stream_id and p."on" < a.from_on), a.from_on) as on_or_after
                       from affected a),
                   now_days AS (
                     select t.stream_id, t."on", {Figures} from {days} t
                       join window_start w on w.stream_id = t.stream_id and t."on" >= w.on_or_after),
                   then_days AS (
                     select * from now_days n
                      where not exists (select 1 from {added} x where x.stream_id = n.stream_id and x."on" = n."on")
                     union all select stream_id, "on", {Figures} from {removed} y),
                   deltas AS ({Deltas(schema, "now_days", 1)} union all {Deltas(schema, "then_days", -1)})
              {Summed(schema)}
              ON CONFLICT (dimension, name, "on") DO UPDATE SET {RollupFigures.Added("r")};
              RETURN NULL;
            END;
            """, EnsureTriggersSql(schema));
    }

    /// <summary>What each day of `state` from its commitment's `affected.from_on` on changes, with a sign.</summary>
    private static string Deltas(string schema, string state, int sign) => $"""
        select c.* from (
            select s.stream_id, s."on", {Figures},
                   lag(s.stream_id) over w as before_id, lag(s.status) over w as before_status,
                   lag(s.overdue) over w as before_overdue, lag(s.due_by) over w as before_due_by,
                   lag(s.ledger_currency) over w as before_currency, lag(s.target_amount) over w as before_target,
                   lag(s.target_currency) over w as before_target_currency, lag(s.money_pledged) over w as before_pledged,
                   lag(s.money_committed) over w as before_committed, lag(s.money_disbursed) over w as before_disbursed,
                   lag(s.row) over w as before_row
              from {state} s window w as (partition by s.stream_id order by s."on")) d
          join affected a on a.stream_id = d.stream_id and d."on" >= a.from_on
          cross join lateral (
            select * from {schema}.{Contributions}(d.status, d.overdue, d.due_by, d.ledger_currency, d.target_amount,
                d.target_currency, d.money_pledged, d.money_committed, d.money_disbursed, d.row, {sign.ToString(CultureInfo.InvariantCulture)}, d."on")
            union all
            select * from {schema}.{Contributions}(d.before_status, d.before_overdue, d.before_due_by, d.before_currency,
                d.before_target, d.before_target_currency, d.before_pledged, d.before_committed, d.before_disbursed,
                d.before_row, {(-sign).ToString(CultureInfo.InvariantCulture)}, d."on")
             where d.before_id is not null) c
        """;

    private const string Figures = "status, overdue, due_by, ledger_currency, target_amount, target_currency, money_pledged, " +
                                   "money_committed, money_disbursed, row";

    /// <summary>
    /// Counts every day again from nothing: for a database whose days were kept before this table existed (at start, when
    /// the table is empty and the days are not), and for repairs. Emptied by a delete, not a truncate, whose exclusive lock
    /// would hold off every past dashboard and list until the count commits: readers see the old rows meanwhile.
    /// </summary>
    public static string RecountSql(string schema) => $"""
        DELETE FROM {schema}.{Table};
        WITH affected AS (select stream_id, min("on") as from_on from {schema}.{TimelineDays.Name} group by stream_id),
             deltas AS ({Deltas(schema, $"{schema}.{TimelineDays.Name}", 1)})
        {Summed(schema)};
        """;

    /// <summary>The changes of `deltas` summed per group and day into the table (aliased r), those that cancel out left out.</summary>
    private static string Summed(string schema) => $"""
        INSERT INTO {schema}.{Table} AS r (dimension, name, "on", n, target, pledged, committed, disbursed, overdue)
        SELECT dimension, name, "on", {RollupFigures.Sums()} FROM deltas GROUP BY dimension, name, "on"
        HAVING {RollupFigures.AnyChange()}
        """;

    /// <summary>
    /// The rows that differ from a count from nothing over the days as they stand, named "daily {dimension} {name} {on}"
    /// (the admin verify of the effective timeline, once it has caught up).
    /// </summary>
    public static string DifferencesSql(string schema) => $"""
        WITH affected AS (select stream_id, min("on") as from_on from {schema}.{TimelineDays.Name} group by stream_id),
             deltas AS ({Deltas(schema, $"{schema}.{TimelineDays.Name}", 1)}),
             expected AS (
               select dimension, name, "on", sum(n) as n, sum(target) as target, sum(pledged) as pledged,
                      sum(committed) as committed, sum(disbursed) as disbursed, sum(overdue) as overdue
                 from deltas group by dimension, name, "on"),
             kept AS (select * from {schema}.{Table})
        SELECT 'daily ' || coalesce(e.dimension, k.dimension) || ' ' || coalesce(e.name, k.name) || ' '
               || to_char(coalesce(e."on", k."on")::timestamp, 'YYYY-MM-DD')
          FROM expected e FULL JOIN kept k USING (dimension, name, "on")
         WHERE (coalesce(e.n, 0), coalesce(e.target, 0), coalesce(e.pledged, 0), coalesce(e.committed, 0),
                coalesce(e.disbursed, 0), coalesce(e.overdue, 0))
               IS DISTINCT FROM (coalesce(k.n, 0), coalesce(k.target, 0), coalesce(k.pledged, 0), coalesce(k.committed, 0),
                coalesce(k.disbursed, 0), coalesce(k.overdue, 0))
         ORDER BY 1
        """;

    /// <summary>
    /// Creates the triggers once the timeline's table exists (re-creating a function drops its trigger; on a new
    /// database the functions may come before the table). Run with the functions' DDL and at start.
    /// </summary>
    public static string EnsureTriggersSql(string schema) => $"""
        DO $rollup$ BEGIN
          IF to_regclass('{schema}.{TimelineDays.Name}') IS NOT NULL AND to_regclass('{schema}.{Table}') IS NOT NULL THEN
            IF to_regprocedure('{schema}.commitment_days_rollup_insert()') IS NOT NULL THEN
              CREATE OR REPLACE TRIGGER trg_commitment_days_rollup_insert AFTER INSERT ON {schema}.{TimelineDays.Name}
                REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {schema}.commitment_days_rollup_insert();
            END IF;
            IF to_regprocedure('{schema}.commitment_days_rollup_delete()') IS NOT NULL THEN
              CREATE OR REPLACE TRIGGER trg_commitment_days_rollup_delete AFTER DELETE ON {schema}.{TimelineDays.Name}
                REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION {schema}.commitment_days_rollup_delete();
            END IF;
            IF to_regprocedure('{schema}.commitment_days_rollup_update()') IS NOT NULL THEN
              CREATE OR REPLACE TRIGGER trg_commitment_days_rollup_update AFTER UPDATE ON {schema}.{TimelineDays.Name}
                REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT
                EXECUTE FUNCTION {schema}.commitment_days_rollup_update();
            END IF;
            IF to_regprocedure('{schema}.commitment_days_rollup_truncate()') IS NOT NULL THEN
              CREATE OR REPLACE TRIGGER trg_commitment_days_rollup_truncate AFTER TRUNCATE ON {schema}.{TimelineDays.Name}
                FOR EACH STATEMENT EXECUTE FUNCTION {schema}.commitment_days_rollup_truncate();
            END IF;
          END IF;
        END $rollup$;
        """;

    /// <summary>
    /// Days kept before this table existed (or while its triggers were missing) are counted again from nothing: at start,
    /// in a command of its own without a time limit, once the triggers are in place, holding off the daemon's writes and
    /// any other node doing the same (the lock conflicts with itself; the second node then finds the count right).
    /// </summary>
    public static string BackfillSql(string schema) => $"""
        DO $backfill$ BEGIN
          IF to_regclass('{schema}.{TimelineDays.Name}') IS NOT NULL AND to_regclass('{schema}.{Table}') IS NOT NULL
             AND (select count(*) from pg_trigger where tgname like 'trg_commitment_days_rollup_%'
                    and tgrelid = '{schema}.{TimelineDays.Name}'::regclass) = 4 THEN
            LOCK TABLE {schema}.{TimelineDays.Name} IN SHARE ROW EXCLUSIVE MODE;
            -- Every commitment with days counts once under a status over all days: a table that does not say so (new,
            -- or filled by the triggers only from some moment on) is counted again.
            IF (select coalesce(sum(n), 0) from {schema}.{Table} where dimension = 'status')
               <> (select count(distinct stream_id) from {schema}.{TimelineDays.Name}) THEN
              {RecountSql(schema)}
            END IF;
          END IF;
        END $backfill$;
        """;

}
