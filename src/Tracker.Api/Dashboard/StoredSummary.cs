using System.Text.Json;
using Marten;
using Marten.Linq;
using Npgsql;
using Tracker.Api.Commitments;
using Tracker.Api.Commitments.Reading;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Rollup;
using Tracker.Projections.Commitments.Timeline;

namespace Tracker.Api.Dashboard;

/// <summary>
/// The dashboard of the present, or of a past date as effective, summed by PostgreSQL over the columns Marten keeps
/// beside each progress model (ListColumns), in the past with the columns that change with time taken from each
/// commitment's effective timeline (StoredRows): one statement, no document deserialised except the at most 110 rows
/// the lists show. The whole present takes its counts and sums from the dashboard rollup instead (24 ms over 100,000
/// commitments on 2 cores, against about 350 ms grouping them all; the past about 600 ms: docs/benchmarks-profile.md).
/// The same figures as <see cref="DashboardEndpoint.Summarise"/> computes in memory for a past as recorded (tests
/// compare the two).
/// </summary>
public static class StoredSummary
{
    private const string Columns = "id, key, status, kind, line_of_effort, actors, overdue, due_by, last_changed_at, " +
                                   "ledger_currency, money_pledged, money_committed, money_disbursed, " +
                                   "target_amount, target_currency";

    /// <param name="effectiveOn">A past date: each commitment as it stood then by everything recorded, from its
    /// effective timeline (TimelineDays), the filter's status and overdue applying to that past.</param>
    /// <param name="fromRollup">The whole present, with the counts and sums read from the dashboard rollup (caught up:
    /// the caller checked) instead of grouped over every commitment; the lists still come from the indexed columns.</param>
    /// <param name="wholePastFromDays">The whole dashboard on a past date from the daily rollup (the default); false sums
    /// every commitment's day instead, the definition the rollup is checked against.</param>
    public static async Task<DashboardSummary> Of(IQuerySession session, NpgsqlDataSource database, CommitmentFilter filter,
        DateOnly today, CancellationToken token, DateOnly? effectiveOn = null, bool fromRollup = false,
        bool wholePastFromDays = true)
    {
        // The key breaks ties by code point (its collation in the flat rows, CommitmentRows), as the in-memory summary does.
        // On a past date a commitment's most recent change is its latest day's (the day its facts took effect), then the
        // time that day's last fact was recorded, then (a tie that only a bulk import makes) its id: an index's order.
        var recentOrder = effectiveOn is null ? "last_changed_at desc, key" : "day desc, last_changed_at desc, id desc";
        await using var command = StoredRows.Command(session, filter,
            effectiveOn is null ? Columns : $"{Columns}, {StoredRows.PastDay}", effectiveOn, out var filtered);
        if (fromRollup) command.CommandText = FromRollup(filtered, RollupScope(filter));
        else if (effectiveOn is not null && filter == CommitmentFilter.Everything && wholePastFromDays)
        {
            command.CommandText = FromDailyRollup();
        }
        else
        // One pass groups the commitments four ways (and by ledger currency for the money); the lists sort what that pass
        // materialised. Grouping by the actors' whole list, then counting each actor in .NET, keeps the pass to one row
        // per distinct list.
        command.CommandText = $"""
            with f as materialized (
                   select *, status not in ('Achieved', 'AchievedLate', 'Withdrawn') and due_by between @today and @until as due_soon
                     from ({filtered}) filtered),
                 groups as (
                   select case when grouping(status) = 0 then 'status' when grouping(line_of_effort) = 0 then 'line'
                               when grouping(kind) = 0 then 'kind' when grouping(actors) = 0 then 'actors' else 'money' end as set,
                          coalesce(status, line_of_effort, kind, ledger_currency) as name, actors, count(*) as n,
                          coalesce(sum(target_amount) filter (where target_currency = ledger_currency), 0) as target,
                          coalesce(sum(money_pledged), 0) as pledged, coalesce(sum(money_committed), 0) as committed,
                          coalesce(sum(money_disbursed), 0) as disbursed,
                          count(*) filter (where overdue) as overdue, count(*) filter (where due_soon) as upcoming
                     from f group by grouping sets ((status), (line_of_effort), (kind), (actors), (ledger_currency))),
                 -- A money target in another currency than its money's (a past day before the target's currency changed,
                 -- the money counted in today's) is summed with the targets of its own currency, counting no commitment.
                 summed as (
                   select set, name, actors, sum(n)::bigint as n, sum(target) as target, sum(pledged) as pledged,
                          sum(committed) as committed, sum(disbursed) as disbursed, sum(overdue)::bigint as overdue,
                          sum(upcoming)::bigint as upcoming
                     from (select * from groups
                           union all
                           select 'money', target_currency, null, 0, sum(target_amount), 0, 0, 0, 0, 0
                             from f where target_currency is not null and target_currency is distinct from ledger_currency
                            group by target_currency) g
                    group by set, name, actors)
            select
              (select coalesce(jsonb_agg(to_jsonb(g)), '[]') from summed g),
              (select array_agg(id order by due_by, key) from (select id, due_by, key from f where overdue
                                                                order by due_by, key limit {DashboardEndpoint.MaxListed}) x),
              (select array_agg(id order by due_by, key) from (select id, due_by, key from f where due_soon
                                                                order by due_by, key limit {DashboardEndpoint.MaxListed}) x),
              (select array_agg(id order by {recentOrder})
                 from (select * from f order by {recentOrder} limit {DashboardEndpoint.RecentCount}) x),
              null::bigint, null::bigint
            """;
        if (fromRollup && RollupScope(filter) is { Scope: not "" } scoped) command.Parameters.AddWithValue("scopeName", scoped.Name);
        command.Parameters.AddWithValue("today", today);
        command.Parameters.AddWithValue("until", today.AddDays(DashboardEndpoint.UpcomingDays));
        await using var connection = await database.OpenConnectionAsync(token);
        command.Connection = connection;
        await using var reader = await command.ExecuteReaderAsync(token);
        await reader.ReadAsync(token);

        var groups = JsonSerializer.Deserialize<List<Group>>(reader.GetString(0), ColumnNames)!.ToLookup(g => g.Set);
        var overdue = Ids(reader, 1);
        var dueSoon = Ids(reader, 2);
        var recent = Ids(reader, 3);
        long? upcoming = reader.IsDBNull(4) ? null : reader.GetInt64(4);
        // The whole past counts its overdue by its date (EffectiveOverdue); otherwise each status group says how many.
        long? overdueCount = reader.IsDBNull(5) ? null : reader.GetInt64(5);
        await reader.DisposeAsync();
        var listed = overdue.Concat(dueSoon).Concat(recent).Distinct().ToArray();
        var shown = effectiveOn is { } on
            ? await RowsOn(connection, listed, on, session, token)
            : (await session.LoadManyAsync<CommitmentProgress>(token, listed)).ToDictionary(c => c.Id, CommitmentRow.Of);
        List<CommitmentRow> Rows(IEnumerable<Guid> ids) => ids.Where(shown.ContainsKey).Select(id => shown[id]).ToList();
        // A column left empty (a model written around Marten by an older build) is counted, under a name that says so.
        IReadOnlyDictionary<string, int> Counts(string set, Func<string, string> name) => groups[set]
            .Select(g => (Name: g.Name is null ? Unrecorded : name(g.Name), Count: g.N))
            .GroupBy(g => g.Name).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Sum(x => x.Count));

        var byStatus = groups["status"].ToList();
        return new DashboardSummary(
            byStatus.Sum(g => g.N),
            Counts("status", status => Wording.Name(Enum.Parse<CommitmentStatus>(status))),
            Counts("line", line => line),
            Counts("kind", kind => Wording.Name(Enum.Parse<CommitmentKind>(kind))),
            groups["actors"].SelectMany(g => (g.Actors ?? []).Select(actor => (Actor: actor, g.N)))
                .GroupBy(a => a.Actor).OrderBy(a => a.Key).ToDictionary(a => a.Key, a => a.Sum(x => x.N)),
            groups["money"].Select(g => new MoneyTotals(g.Name ?? Unrecorded, Decimals.Normal(g.Target), Decimals.Normal(g.Pledged),
                Decimals.Normal(g.Committed), Decimals.Normal(g.Disbursed))).OrderBy(m => m.Currency).ToList(),
            Rows(overdue),
            (int)(overdueCount ?? byStatus.Sum(g => g.Overdue)),
            Rows(dueSoon),
            (int)(upcoming ?? byStatus.Sum(g => g.Upcoming)),
            Rows(recent),
            today);
    }

    /// <summary>
    /// Whether the rollup answers this filter: everything, or exactly one status, kind, line of effort or actor (its
    /// scope in <see cref="ScopedRollup"/>); null when the groups must be summed over the commitments.
    /// </summary>
    public static (string Scope, string Name)? RollupScope(CommitmentFilter filter) => filter switch
    {
        _ when filter == CommitmentFilter.Everything => ("", ""),
        { Status: { } s } when filter == CommitmentFilter.Everything with { Status = s } => ("status", s.ToString()),
        { Kind: { } k } when filter == CommitmentFilter.Everything with { Kind = k } => ("kind", k.ToString()),
        { LineOfEffort: { } l } when filter == CommitmentFilter.Everything with { LineOfEffort = l } => ("line", l),
        { Actor: { } a } when filter == CommitmentFilter.Everything with { Actor = a } => ("actors", a),
        _ => null
    };

    /// <summary>
    /// The present's groups from the rollup (a row per status, line of effort, kind, actor and ledger currency, whatever
    /// the number of commitments; for one filter, those of its scope), the lists and the count of those due soon from
    /// the indexed columns of the models the filter selects (`rows`).
    /// </summary>
    private static string FromRollup(string rows, (string Scope, string Name)? scope)
    {
        var rollup = scope is not { Scope: not "" } selected
            ? $"{TrackerDatabase.Schema}.{DashboardRollup.Groups}"
            : $"(select * from {TrackerDatabase.Schema}.{ScopedRollup.Table} where scope = '{selected.Scope}' and scope_name = @scopeName) scoped";
        const string dueSoon = "status not in ('Achieved', 'AchievedLate', 'Withdrawn') and due_by between @today and @until";
        // The overdue list only when the rollup counts any: otherwise a filter that selects none (achieved, say) would
        // walk the whole due-date index looking for one. Evaluated once, before the walk.
        const string anyOverdue = "(select coalesce(sum(overdue), 0) from groups where set = 'status') > 0";
        return $"""
            with groups as (
                   select dimension as set, nullif(name, '') as name,
                          case when dimension = 'actors' then array[name] end as actors, n, target, pledged, committed,
                          disbursed, overdue, 0 as upcoming
                     from {rollup} where n <> 0),
                 f as not materialized ({rows})
            select
              (select coalesce(jsonb_agg(to_jsonb(g)), '[]') from groups g),
              (select array_agg(id order by due_by, key) from (select id, due_by, key from f where overdue and {anyOverdue}
                                                                order by due_by, key limit {DashboardEndpoint.MaxListed}) x),
              (select array_agg(id order by due_by, key) from (select id, due_by, key from f where {dueSoon}
                                                                order by due_by, key limit {DashboardEndpoint.MaxListed}) x),
              (select array_agg(id order by last_changed_at desc, key)
                 from (select id, key, last_changed_at from f
                        order by last_changed_at desc, key limit {DashboardEndpoint.RecentCount}) x),
              (select count(*) from f where {dueSoon}),
              null::bigint
            """;
    }

    /// <summary>
    /// The whole dashboard on a past date without visiting every commitment: the groups are the sums of each day's changes
    /// up to the date (DailyRollup), the count due soon the same sums under each due date in the window; the lists walk
    /// the timeline's days in the order they show (by due date, or back from the date) and keep a day only when it is its
    /// commitment's last on or before the date, stopping once they have enough.
    /// </summary>
    private static string FromDailyRollup()
    {
        var daily = $"{TrackerDatabase.Schema}.{DailyRollup.Table}";
        var days = $"{TrackerDatabase.Schema}.{TimelineDays.Name}";
        var latest = $"""not exists (select 1 from {days} l where l.stream_id = t.stream_id and l."on" > t."on" and l."on" <= @effectiveOn)""";
        const string open = "t.status not in ('Achieved', 'AchievedLate', 'Withdrawn')";
        return $"""
            with groups as (
                   select dimension as set, nullif(name, '') as name,
                          case when dimension = 'actors' then array[name] end as actors, sum(n) as n, sum(target) as target,
                          sum(pledged) as pledged, sum(committed) as committed, sum(disbursed) as disbursed,
                          sum(overdue) as overdue, 0 as upcoming
                     from {daily} where "on" <= @effectiveOn and dimension <> '{DailyRollup.DueDimension}'
                    -- (A currency whose only figure is a target counted in another's money's stead counts no commitment.)
                    group by dimension, name having sum(n) <> 0 or dimension = 'money' and sum(target) <> 0),
                 -- How many each list has in all: a walk stops once it has found them (early dates have few or none).
                 -- Overdue by the date asked (EffectiveOverdue): the commitments still open then, due before it.
                 overdue_count as ({DailyRollup.OverdueOnSql(TrackerDatabase.Schema)}),
                 due_count as (
                   select coalesce(sum(n), 0) as n from (
                     select sum(n) as n from {daily}
                      where dimension = '{DailyRollup.DueDimension}' and "on" <= @effectiveOn
                        and name between to_char(@today, 'YYYY-MM-DD') and to_char(@until, 'YYYY-MM-DD')
                      group by name) due)
            select
              (select coalesce(jsonb_agg(to_jsonb(g)), '[]') from groups g),
              (select array_agg(stream_id order by due_by, key collate "C") from (
                 select t.stream_id, t.due_by, t.row ->> 'Key' as key from {days} t
                  where t.due_by < @effectiveOn and t.status not in {EffectiveOverdue.SettledSql} and t."on" <= @effectiveOn and {latest}
                  order by t.due_by, t.row ->> 'Key' collate "C"
                  limit least({DashboardEndpoint.MaxListed}, (select n from overdue_count))) x),
              (select array_agg(stream_id order by due_by, key collate "C") from (
                 select t.stream_id, t.due_by, t.row ->> 'Key' as key from {days} t
                  where t.due_by between @today and @until and {open} and t."on" <= @effectiveOn and {latest}
                  order by t.due_by, t.row ->> 'Key' collate "C"
                  limit least({DashboardEndpoint.MaxListed}, (select n from due_count))) x),
              (select array_agg(stream_id order by day desc, last_changed_at desc, stream_id desc) from (
                 select t.stream_id, t."on" as day, t.last_changed_at from {days} t
                  where t."on" <= @effectiveOn and {latest}
                  order by t."on" desc, t.last_changed_at desc, t.stream_id desc limit {DashboardEndpoint.RecentCount}) x),
              (select n from due_count),
              (select n from overdue_count)
            """;
    }

    /// <summary>The list rows of these commitments on a past date, from their effective timelines.</summary>
    private static async Task<Dictionary<Guid, CommitmentRow>> RowsOn(NpgsqlConnection connection, Guid[] ids, DateOnly on,
        IQuerySession session, CancellationToken token)
    {
        await using var command = new NpgsqlCommand($"""
            select t.stream_id, t.row from unnest($1) as i(id)
              join lateral (select stream_id, row from {TrackerDatabase.Schema}.{TimelineDays.Name}
                             where stream_id = i.id and "on" <= $2 order by "on" desc limit 1) t on true
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = ids });
        command.Parameters.Add(new NpgsqlParameter { Value = on });
        await using var reader = await command.ExecuteReaderAsync(token);
        var serializer = session.DocumentStore.Options.Serializer();
        var rows = new Dictionary<Guid, CommitmentRow>();
        while (await reader.ReadAsync(token))
        {
            rows[reader.GetGuid(0)] = serializer.FromJson<CommitmentRow>(reader, 1).On(on);
        }
        return rows;
    }

    /// <summary>One group of the pass: which grouping it belongs to, its value there, and its counts and sums.</summary>
    private sealed record Group(string Set, string? Name, string[]? Actors, int N, decimal Target, decimal Pledged,
        decimal Committed, decimal Disbursed, int Overdue, int Upcoming);

    private const string Unrecorded = "unrecorded";

    private static readonly JsonSerializerOptions ColumnNames = new() { PropertyNameCaseInsensitive = true };

    private static Guid[] Ids(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? [] : reader.GetFieldValue<Guid[]>(column);
}
