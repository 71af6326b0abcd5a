using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Tracker.Projections.Commitments.Rollup;

/// <summary>
/// The present dashboard's counts and sums, kept as they change instead of summed over every commitment on each read:
/// one row per value of each thing the dashboard counts by (each status, line of effort, kind, actor and ledger
/// currency), with how many commitments have it, and for the statuses how many are overdue and for the currencies the
/// money targets and money by stage (<see cref="Groups"/>); and, per commitment, the values it is counted under
/// (<see cref="Counted"/>). The rows are as many as the distinct values, whatever the number of commitments. Asynchronous, so a write never waits on a row that every other write to the same
/// kind of commitment would also lock. Each page reconciles the commitments it touched with their progress models as they
/// are now: what a commitment was counted under is taken out, what it is now is put in. Replaying a page changes nothing,
/// so a rebuild needs no teardown.
/// </summary>
public sealed class DashboardRollupProjection : IProjection
{
    public const string ProjectionName = "DashboardRollup";

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var touched = events.Where(e => e.Data.GetType().Namespace == typeof(CommitmentStated).Namespace)
            .Select(e => e.StreamId).Distinct().ToArray();
        if (touched.Length > 0)
        {
            var schema = operations.DocumentStore.Options.DatabaseSchemaName;
            operations.QueueSqlCommand(DashboardRollup.Reconcile(schema), touched);
            // A group nobody is counted under any more goes, so the rows do not depend on how the daemon paged the events.
            operations.QueueSqlCommand(DashboardRollup.Emptied(schema));
        }
        // The pledgers' totals take in the changes their trigger recorded with the pledges (PledgerRollup): here, so that
        // writes about one pledger's pledges never wait on one row of totals, and reads add only the few not yet folded.
        if (events.Any(e => e.Data is IPledgeFact or EventCorrected))
        {
            var schema = operations.DocumentStore.Options.DatabaseSchemaName;
            operations.QueueSqlCommand(PledgerRollup.FoldSql(schema));
            operations.QueueSqlCommand(PledgerRollup.EmptiedSql(schema));
        }
        return Task.CompletedTask;
    }
}

public static class DashboardRollup
{
    public const string Groups = "commitment_rollup";

    /// <summary>How many commitments the rollup counts (each is counted under one status).</summary>
    public static string CountedSql(string schema) =>
        $"select coalesce(sum(n), 0)::bigint from {schema}.{Groups} where dimension = 'status'";
    public const string Counted = "commitment_counted";

    /// <summary>The values a commitment is counted under; an empty text or list stands for a value never recorded.</summary>
    private const string Key = "status, line_of_effort, kind, actors, ledger_currency";

    private const string Figures = "target, pledged, committed, disbursed, overdue";

    public static IEnumerable<Table> Define(string schema)
    {
        var counted = new Table(RollupFigures.Name(schema, Counted));
        counted.AddColumn<Guid>("stream_id").AsPrimaryKey();
        counted.AddColumn<string>("status").NotNull();
        counted.AddColumn<string>("line_of_effort").NotNull();
        counted.AddColumn<string>("kind").NotNull();
        counted.AddColumn("actors", "text[]").NotNull();
        counted.AddColumn<string>("ledger_currency").NotNull();
        counted.AddColumn("target", "numeric").NotNull();
        counted.AddColumn("pledged", "numeric").NotNull();
        counted.AddColumn("committed", "numeric").NotNull();
        counted.AddColumn("disbursed", "numeric").NotNull();
        counted.AddColumn<bool>("overdue").NotNull();
        yield return counted;

        // Keyed by what is counted and its value ("status", "Stalled"): each actor of a commitment counts under its own row.
        var groups = new Table(RollupFigures.Name(schema, Groups));
        groups.AddColumn<string>("dimension").AsPrimaryKey();
        groups.AddColumn<string>("name").AsPrimaryKey();
        RollupFigures.AddTo(groups);
        yield return groups;
    }

    /// <summary>What each progress model is counted under now (`where` narrows the models, alias d).</summary>
    public static string Now(string schema, string where) => $"""
        select d.id as stream_id, coalesce(d.status, '') as status, coalesce(d.line_of_effort, '') as line_of_effort,
               coalesce(d.kind, '') as kind, coalesce(d.actors, array[]::text[]) as actors,
               coalesce(d.ledger_currency, '') as ledger_currency,
               case when d.target_currency is null then 0 else coalesce(d.target_amount, 0) end as target,
               coalesce(d.money_pledged, 0) as pledged, coalesce(d.money_committed, 0) as committed,
               coalesce(d.money_disbursed, 0) as disbursed, coalesce(d.overdue, false) as overdue
          from {schema}.mt_doc_commitmentprogress d where {where}
        """;

    /// <summary>
    /// The rows a set of counted commitments (`rows`, with a column `sign`: 1 to count them in, -1 to take them out)
    /// contributes to each group: a count under each value, the overdue count under the status, the money under the
    /// ledger currency.
    /// </summary>
    private static string Contributions(string rows) => $"""
        select 'status' as dimension, status as name, sign as n, 0::numeric as target, 0::numeric as pledged,
               0::numeric as committed, 0::numeric as disbursed, sign * overdue::int as overdue from ({rows}) r
        union all select 'line', line_of_effort, sign, 0, 0, 0, 0, 0 from ({rows}) r
        union all select 'kind', kind, sign, 0, 0, 0, 0, 0 from ({rows}) r
        union all select 'actors', actor, sign, 0, 0, 0, 0, 0 from ({rows}) r, unnest(r.actors) as actor
        union all select 'money', ledger_currency, sign, sign * target, sign * pledged, sign * committed, sign * disbursed, 0
          from ({rows}) r
        """;

    /// <summary>
    /// The commitments whose counted values differ from their models now (`missing`: never counted; `unexpected`: counted
    /// without a model), leaving out commitments with events after the given sequence (the rollup's position), and then the groups
    /// that differ from the sums of what is counted, in the whole and in each scope (present only when no model was left
    /// out).
    /// </summary>
    public static string Differences(string schema) => $"""
        with now as ({Now(schema, "true")}),
             newer as (select distinct stream_id as id from {schema}.mt_events where seq_id > $1)
        select coalesce(n.stream_id, c.stream_id)::text, n.stream_id is null as unexpected, c.stream_id is null as missing
          from now n full join {schema}.{Counted} c using (stream_id)
         where coalesce(n.stream_id, c.stream_id) not in (select id from newer)
           and (n.stream_id is null or c.stream_id is null
                or (n.status, n.line_of_effort, n.kind, n.actors, n.ledger_currency, n.target, n.pledged, n.committed,
                    n.disbursed, n.overdue)
                   is distinct from (c.status, c.line_of_effort, c.kind, c.actors, c.ledger_currency, c.target, c.pledged,
                    c.committed, c.disbursed, c.overdue))
        union all
        select 'group ' || coalesce(e.dimension, g.dimension) || ' ' || coalesce(e.name, g.name), false, false
          from (select dimension, name, sum(n) as n, sum(target) as target, sum(pledged) as pledged,
                       sum(committed) as committed, sum(disbursed) as disbursed, sum(overdue) as overdue
                  from ({Contributions($"select *, 1 as sign from {schema}.{Counted}")}) c group by dimension, name) e
          full join {schema}.{Groups} g using (dimension, name)
         where not exists (select 1 from newer)
           and (e.n, e.target, e.pledged, e.committed, e.disbursed, e.overdue)
               is distinct from (g.n, g.target, g.pledged, g.committed, g.disbursed, g.overdue)
        union all
        {ScopedRollup.Differences(schema)}
        """;

    /// <summary>
    /// Counts every commitment again from its progress model, in the caller's transaction, holding off the daemon's pages
    /// until it commits (they then reconcile whatever changed meanwhile). Every commitment is compared, but only those
    /// counted under other values than their model's are written (and those without a model taken out), so a rebuild that
    /// changed few models costs a comparison, not every row again with its scoped groups; the groups are summed again
    /// from what is counted (as many rows as values), and the scoped groups, which the triggers keep with what is
    /// counted, are summed again only if they no longer count every commitment (<see cref="ScopedRollup.BackfillSql"/>),
    /// or always when asked (`everyScope`: a repair of drift that keeps the count right).
    /// </summary>
    public static string Recount(string schema, bool everyScope = false) => $"""
        lock table {schema}.{Counted}, {schema}.{Groups} in exclusive mode;
        delete from {schema}.{Counted} c
         where not exists (select 1 from {schema}.mt_doc_commitmentprogress d where d.id = c.stream_id);
        insert into {schema}.{Counted} (stream_id, {Key}, {Figures})
        select n.stream_id, {Columns("n", Key)}, {Columns("n", Figures)}
          from ({Now(schema, "true")}) n left join {schema}.{Counted} c using (stream_id)
         where c.stream_id is null or ({Columns("n", Key)}, {Columns("n", Figures)}) is distinct from ({Columns("c", Key)}, {Columns("c", Figures)})
        on conflict (stream_id) do update set {CountedAgain};
        delete from {schema}.{Groups};
        insert into {schema}.{Groups} (dimension, name, n, {Figures})
        select dimension, name, {RollupFigures.Sums()}
          from ({Contributions($"select *, 1 as sign from {schema}.{Counted}")}) c group by dimension, name;
        {(everyScope ? ScopedRollup.RecountSql(schema) : ScopedRollup.BackfillSql(schema))}
        """;

    private static string Columns(string alias, string columns) => string.Join(", ", columns.Split(", ").Select(c => $"{alias}.{c}"));

    /// <summary>An upsert's set list: what a commitment is counted under, taken from the row it tried to insert.</summary>
    private static readonly string CountedAgain =
        string.Join(", ", $"{Key}, {Figures}".Split(", ").Select(c => $"{c} = excluded.{c}"));

    /// <summary>A group nobody is counted under any more goes, so the rows do not depend on how the daemon paged the events.</summary>
    public static string Emptied(string schema) =>
        $"delete from {schema}.{Groups} where n = 0 and target = 0 and pledged = 0 and committed = 0 and disbursed = 0 and overdue = 0";

    /// <summary>
    /// One statement for a page's commitments (parameter: their ids): every CTE reads the snapshot from before it, so
    /// `before` is what they were counted under and `now` what their models say; the difference goes into the groups.
    /// </summary>
    public static string Reconcile(string schema) => $"""
        with now as ({Now(schema, "d.id = any(?::uuid[])")}),
             before as (select c.* from {schema}.{Counted} c join now using (stream_id)),
             recount as (
               insert into {schema}.{Counted} (stream_id, {Key}, {Figures})
               select stream_id, {Key}, {Figures} from now
               on conflict (stream_id) do update set {CountedAgain}),
             delta as (
               select dimension, name, sum(n) as n, sum(target) as target, sum(pledged) as pledged,
                      sum(committed) as committed, sum(disbursed) as disbursed, sum(overdue) as overdue
                 from ({Contributions("select *, 1 as sign from now union all select *, -1 from before")}) c
                group by dimension, name)
        insert into {schema}.{Groups} as g (dimension, name, n, {Figures})
        select dimension, name, n, {Figures} from delta
        on conflict (dimension, name) do update set {RollupFigures.Added("g")}
        """;
}
