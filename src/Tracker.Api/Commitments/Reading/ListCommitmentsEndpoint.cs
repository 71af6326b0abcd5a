using System.ComponentModel.DataAnnotations;
using System.ComponentModel;
using Marten;
using Npgsql;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Audit;
using Tracker.Api.Dashboard;
using Tracker.Api.Infrastructure;
using Tracker.Api.Security;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Rollup;
using Tracker.Projections.Commitments.Timeline;
using Tracker.Api.Commitments.Reading;
using System.Globalization;
using Wolverine.Http;

namespace Tracker.Api.Commitments.Reading;

/// <summary>A page of commitments, and how many match in all.</summary>
public sealed record CommitmentPage(IReadOnlyList<CommitmentRow> Items, int Page, int PageSize, long Total, long PageCount);

public static class ListCommitmentsEndpoint
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 100;
    /// <summary>
    /// The orders the list takes: those its sort parameter's AllowedValues names, one list, which the OpenAPI document
    /// shows (QueryParameterConstraints).
    /// </summary>
    private static readonly string[] Sorts = [.. typeof(ListCommitmentsEndpoint).GetMethod(nameof(Get))!.GetParameters()
        .Single(p => p.Name == "sort").GetCustomAttributes(typeof(AllowedValuesAttribute), false).Cast<AllowedValuesAttribute>()
        .Single().Values.Cast<string>()];

    /// <summary>
    /// Commitments filtered by status, kind, lineOfEffort, actor, overdue and a text search on the title (q), sorted by
    /// sort (title, deadline, last-changed, progress, status, stated-on) in order (asc, desc), a page at a time. With
    /// effectiveAsOf (auditors): the same list on that date, from the commitments' effective timelines; with recordedAsOf:
    /// the list as the tracker showed it then, folded from the events recorded by then (see TimeTravel).
    /// </summary>
    [WolverineGet("/api/commitments", Name = "ListCommitments")]
    [EndpointSummary("List commitments with filters, sorting and paging")]
    [Tags("Commitments")]
    [ProducesResponseType<CommitmentPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> Get(IQuerySession session, NpgsqlDataSource database, HttpContext http, TimeProvider clock,
        [NamesOf(typeof(CommitmentStatus))] string? status, [NamesOf(typeof(CommitmentKind))] string? kind, string? lineOfEffort, string? actor, bool? overdue, [MaxLength(CommitmentFilter.MaxSearchLength)] string? q,
        [AllowedValues("title", "deadline", "last-changed", "progress", "status", "stated-on"), DefaultValue("title")] string? sort,
        [AllowedValues("asc", "desc"), DefaultValue("asc")] string? order, [Range(1, Paging.MaxPage), DefaultValue(1)] int? page, [Range(1, MaxPageSize), DefaultValue(DefaultPageSize)] int? pageSize,
        DateTimeOffset? recordedAsOf, DateOnly? effectiveAsOf)
    {
        var past = new TimeTravel(recordedAsOf, null, effectiveAsOf);
        var errors = past.Errors(clock, versionAllowed: false);
        var filter = CommitmentFilter.Parse(status, kind, lineOfEffort, actor, overdue, q, errors);
        var sortBy = sort ?? "title";
        if (!Sorts.Contains(sortBy)) errors["sort"] = [$"sort must be one of: {string.Join(", ", Sorts)}."];
        var descending = order switch { null or "asc" => false, "desc" => true, _ => Bad(errors, "order", "order must be asc or desc.") };
        var paging = Paging.Parse(page, pageSize, DefaultPageSize, MaxPageSize, errors);
        var (pageNumber, size) = (paging.Page, paging.PageSize);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);

        if (!past.IsPresent && await AuditAccess.Refusal(http) is { } refused) return refused;
        filter = await filter.WithStoredSpellings(database, errors, http.RequestAborted);
        if (errors.Count > 0) return QueryProblems.Invalid(errors);
        http.Response.Headers[TimeTravel.ViewHeader] = past.Describe();

        if (past.IsPresent)
        {
            var (rows, total) = await Page(session, database, filter, null, sortBy, descending, paging, http.RequestAborted);
            return Results.Ok(new CommitmentPage(rows, pageNumber, size, total, paging.PageCount(total)));
        }

        if (past.EffectiveAsOf is { } on)
        {
            var timeline = await Freshness.CaughtUp(session.DocumentStore, EffectiveTimelineProjection.ProjectionName, http.RequestAborted);
            http.Response.Headers[Freshness.LagHeader] = timeline.Lag.ToString(CultureInfo.InvariantCulture);
            var (rows, total) = await Page(session, database, filter, on, sortBy, descending, paging, http.RequestAborted);
            return Results.Ok(new CommitmentPage(rows, pageNumber, size, total, paging.PageCount(total)));
        }

        var recorded = (await filter.OfRecorded(await past.AllRecorded(session, database, http.RequestAborted), database, http.RequestAborted)).ToList();
        var then = Sorted(recorded, sortBy, descending,
            sortBy == "title" ? await TitleSearch.FoldedTitles(database, TrackerDatabase.Schema, recorded.Select(c => c.Id), http.RequestAborted) : null);
        return Results.Ok(new CommitmentPage(then.Skip(paging.Skip).Take(size).Select(CommitmentRow.Of).ToList(),
            pageNumber, size, then.Count, paging.PageCount(then.Count)));
    }

    /// <summary>
    /// A page of the commitments, counted, filtered, sorted and paged by PostgreSQL over the flat rows (StoredRows): in the
    /// present the page's models are then loaded by id; on a past date (as effective) each row comes from the timeline day
    /// it was taken from. The count and the page are two statements in one round trip, from one snapshot (a repeatable-read
    /// transaction: until 2026-12-07 each statement took its own, and a page read while commitments were being stated could
    /// hold one item more than its total said); a count over the window in the page's statement would make PostgreSQL read
    /// every matching row, not just the page's.
    /// </summary>
    private static async Task<(IReadOnlyList<CommitmentRow> Rows, long Total)> Page(IQuerySession session, NpgsqlDataSource database,
        CommitmentFilter filter, DateOnly? on, string sortBy, bool descending, Paging paging, CancellationToken token)
    {
        var column = sortBy switch
        {
            "deadline" => "due_by", "last-changed" => "last_changed_at", "progress" => "progress_fraction",
            "status" => "status", "stated-on" => "stated_on", _ => TitleSearch.Column
        };
        var past = on is not null;
        await using var command = StoredRows.Command(session, filter,
            $"id, key, {column}{(past ? $", {StoredRows.PastDay}" : "")}", on, out var rows, out var unchanging);
        var direction = descending ? "desc" : "asc";
        // On a past date a commitment last changed on the last day a fact of it took effect, then by when that was
        // recorded, then by id (a catalogue's commitments share their transaction's time): the dashboard's recently
        // changed, in the same order (StoredSummary).
        // A commitment without the value sorted on (no deadline, no progress measured) comes last either way: a list
        // by progress, highest first, opens with the highest (until 2026-12-07 PostgreSQL's order put the unmeasured first).
        var nullable = column is "due_by" or "progress_fraction";
        var order = past && column == "last_changed_at"
            ? $"{StoredRows.PastDay} {direction}, last_changed_at {direction}, id {direction}"
            : descending && nullable ? $"{column} desc nulls last, key" : $"{column} {direction}, key";
        // Descending, the measured rows are read off the column's index backwards and the rest by key, each no further
        // than the page's end, and the page sorted from those: one sort over every row otherwise, as the index gives nulls
        // first backwards.
        var ordered = !past && descending && nullable
            ? $"""
              select id from ((select id, {column}, key from ({rows}) measured where {column} is not null
                                order by {column} desc, key limit @take + @skip)
                              union all
                              (select id, {column}, key from ({rows}) unmeasured where {column} is null
                                order by key limit @take + @skip)) listed
               order by {order} limit @take offset @skip
              """
            : $"select id from ({rows}) listed order by {order} limit @take offset @skip";
        // Everything, or one status, kind, line of effort or actor, is counted by the dashboard rollup when, in the page's
        // snapshot, it has taken in every event there (its rows and its progress are committed together); otherwise every
        // selected row is counted. Unlike the dashboard, the list does not wait for the rollup: under steady writes it would
        // wait on most requests, and counting the rows costs less than the wait. (Until 2026-12-07 this was asked in three
        // round trips of its own before the page, and a write committed between them and the page was counted by neither.)
        var presentCount = !past && StoredSummary.RollupScope(filter) is { } scope
            ? $"""
              select case when coalesce((select min(last_seq_id) from {TrackerDatabase.Schema}.mt_event_progression
                                          where name like '{DashboardRollupProjection.ProjectionName}:%'), 0)
                               >= (select coalesce(max(seq_id), 0) from {TrackerDatabase.Schema}.mt_events)
                          then ({RolledUpCount(scope, command)})
                          else (select count(*) from ({rows}) counted) end
              """
            : $"select count(*) from ({rows}) counted";
        command.CommandText = $"""
            {presentCount};
            {ordered};
            """;
        var walked = false;
        Func<string, string, string, string>? undatedWalk = null;
        if (past)
        {
            var rolledUp = PastCount(filter, command);
            var count = rolledUp ?? $"select count(*) from ({rows}) counted";
            var days = $"{TrackerDatabase.Schema}.{TimelineDays.Name}";
            // By deadline, with a count from the rollup, the days are walked in due-date order (an index) and a day kept
            // when it is its commitment's last on or before the date, until the page holds what the count says it can
            // (so a last page, or one past the end, stops too): the page costs what it shows, not one look-up per
            // commitment. Descending, the dated days are walked backwards and the undated ones, last, read only for a page
            // that reaches them (an index walked backwards gives nulls first). Other orders, and other filters, take each
            // selected commitment's last day, then sort.
            walked = column == "due_by" && rolledUp is not null;
            command.CommandText = walked && !descending ? $"""
                {count};
                {Walk("true", "t.due_by, d.key", $"limit least(@take, greatest(({rolledUp}) - @skip, 0)) offset @skip")};
                """ : walked ? $"""
                {count};
                {Walk("t.due_by is not null", "t.due_by desc, d.key", "limit @take offset @skip")};
                """ : $"""
                {count};
                select t.row from (select id, {StoredRows.PastDay}, {column}, key from ({rows}) listed
                                    order by {order} limit @take offset @skip) page
                  join {days} t on t.stream_id = page.id and t."on" = page.{StoredRows.PastDay}
                 order by {PagedOrder(order)};
                """;

            string Walk(string which, string walkOrder, string limit) => $"""
                select t.row from {days} t join ({unchanging}) d on d.id = t.stream_id
                 where t."on" <= @effectiveOn and {which}
                   and not exists (select 1 from {days} l where l.stream_id = t.stream_id and l."on" > t."on" and l."on" <= @effectiveOn)
                   and (@status::text is null or t.status = @status)
                   and (@overdue::boolean is null or {EffectiveOverdue.Sql("t", "@effectiveOn")} = @overdue)
                 {(walkOrder.Length > 0 ? $"order by {walkOrder}" : "")}
                 {limit}
                """;
            undatedWalk = Walk;
        }
        command.Parameters.AddWithValue("take", paging.PageSize);
        command.Parameters.AddWithValue("skip", paging.Skip);
        await using var connection = await database.OpenConnectionAsync(token);
        command.Connection = connection;
        // The count and the page from one snapshot; the walk latest first may read twice (the dated days, then the undated):
        // both from it too, so a commitment gaining or losing a deadline between them is neither listed twice nor left out.
        // (Npgsql sends the BEGIN with the first statement.)
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, token);
        command.Transaction = snapshot;
        await using var reader = await command.ExecuteReaderAsync(token);
        await reader.ReadAsync(token);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(token);
        if (past)
        {
            var serializer = session.DocumentStore.Options.Serializer();
            var page = new List<CommitmentRow>();
            while (await reader.ReadAsync(token)) page.Add(serializer.FromJson<CommitmentRow>(reader, 0).On(on!.Value));
            await reader.DisposeAsync();
            if (walked && descending && undatedWalk is not null && page.Count < paging.PageSize && paging.Skip + page.Count < total)
            {
                // The dated days ran out within the page: the undated follow by key, after as many as the dated left of
                // the skip (counted only when the page holds none of them).
                await using var undated = new NpgsqlCommand { Connection = connection, Transaction = snapshot };
                foreach (NpgsqlParameter parameter in command.Parameters) undated.Parameters.Add(parameter.Clone());
                var dated = page.Count > 0 ? paging.Skip + page.Count
                    : await CountAsync(undated, $"select count(*) from ({undatedWalk("t.due_by is not null", "", "limit @skip")}) dated", token);
                undated.Parameters.AddWithValue("undatedTake", paging.PageSize - page.Count);
                undated.Parameters.AddWithValue("undatedSkip", Math.Max(0, paging.Skip - dated));
                undated.CommandText = undatedWalk("t.due_by is null", "d.key", "limit @undatedTake offset @undatedSkip");
                await using var rest = await undated.ExecuteReaderAsync(token);
                while (await rest.ReadAsync(token)) page.Add(serializer.FromJson<CommitmentRow>(rest, 0).On(on!.Value));
            }
            return (page, total);
        }

        var ids = new List<Guid>();
        while (await reader.ReadAsync(token)) ids.Add(reader.GetGuid(0));
        await reader.DisposeAsync();
        // The page's models from the same snapshot as its ids and its total (until 2026-12-07 loaded on another connection
        // afterwards, so an item could be newer than the page that listed it).
        await using var load = new NpgsqlCommand(
            $"select id, data from {TrackerDatabase.Schema}.mt_doc_commitmentprogress where id = any($1)", connection, snapshot);
        load.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        var models = new Dictionary<Guid, CommitmentProgress>();
        var json = session.DocumentStore.Options.Serializer();
        await using (var loaded = await load.ExecuteReaderAsync(token))
        {
            while (await loaded.ReadAsync(token)) models[loaded.GetGuid(0)] = json.FromJson<CommitmentProgress>(loaded, 1);
        }
        // A model deleted between the two reads (a rebuild's clean-up) is left out of the page.
        return (ids.Where(models.ContainsKey).Select(id => CommitmentRow.Of(models[id])).ToList(), total);
    }

    private static async Task<long> CountAsync(NpgsqlCommand command, string sql, CancellationToken token)
    {
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(token))!;
    }

    /// <summary>
    /// How many commitments one filter (or none) selects on a past date, from the daily rollup (DailyRollup: the sum of
    /// each day's changes up to the date) instead of one look-up per commitment; null for a title search or two filters
    /// at once, which are counted over the commitments. The value filtered on is a parameter of the command.
    /// </summary>
    private static string? PastCount(CommitmentFilter filter, NpgsqlCommand command)
    {
        if (filter.Search is not null) return null;
        if (filter.Overdue is { } overdue && filter == CommitmentFilter.Everything with { Overdue = overdue })
        {
            var all = $"select coalesce(sum(n), 0) from {TrackerDatabase.Schema}.{DailyRollup.Table} where dimension = 'status' and \"on\" <= @effectiveOn";
            return overdue ? $"select ({DailyRollup.OverdueOnSql(TrackerDatabase.Schema)})::bigint"
                : $"select (({all}) - ({DailyRollup.OverdueOnSql(TrackerDatabase.Schema)}))::bigint";
        }
        var (dimension, name, counted) = filter switch
        {
            _ => StoredSummary.RollupScope(filter) switch
            {
                { Scope: "" } => ("status", null, "sum(n)"),
                { } scope => (scope.Scope, scope.Name, "sum(n)"),
                null => ((string?)null, (string?)null, "")
            }
        };
        if (dimension is null) return null;
        if (name is not null) command.Parameters.AddWithValue("scopeName", name);
        var named = name is null ? "" : " and name = @scopeName";
        return $"""
            select coalesce({counted}, 0)::bigint from {TrackerDatabase.Schema}.{DailyRollup.Table}
             where dimension = '{dimension}'{named} and "on" <= @effectiveOn
            """;
    }

    /// <summary>How many commitments the present dashboard rollup counts under a scope (StoredSummary.RollupScope).</summary>
    private static string RolledUpCount((string Scope, string Name) scope, NpgsqlCommand command)
    {
        if (scope.Scope == "") return DashboardRollup.CountedSql(TrackerDatabase.Schema);
        command.Parameters.AddWithValue("scopeName", scope.Name);
        return $"""
            select coalesce(sum(n), 0)::bigint from {TrackerDatabase.Schema}.{ScopedRollup.Table}
             where scope = '{scope.Scope}' and scope_name = @scopeName and dimension = 'status'
            """;
    }

    /// <summary>The page's order again over the page's columns ("day desc, key" as "page.day desc, page.key").</summary>
    private static string PagedOrder(string order) => string.Join(", ", order.Split(", ").Select(term => "page." + term));

    /// <summary>
    /// The commitments as recorded at a past instant, in the order PostgreSQL gives the present and effective lists
    /// (<see cref="Page"/>): missing values last either way, a status sorts by its name, and
    /// ties go by key in code point order (the key's collation). Titles sort as the lists' rows keep them folded
    /// (<paramref name="folded"/>, by id), by code point, their column's collation.
    /// </summary>
    private static List<CommitmentProgress> Sorted(IEnumerable<CommitmentProgress> all, string sortBy, bool descending,
        IReadOnlyDictionary<Guid, string>? folded = null)
    {
        IOrderedEnumerable<CommitmentProgress> By<T>(Func<CommitmentProgress, T> value, IComparer<T>? comparer = null) =>
            descending
                ? all.OrderBy(c => value(c) is null).ThenByDescending(value, comparer)
                : all.OrderBy(c => value(c) is null).ThenBy(value, comparer);
        var sorted = sortBy switch
        {
            "deadline" => By(c => c.DueBy),
            "last-changed" => By(c => c.LastChangedAt),
            "progress" => By(c => c.Progress.Fraction),
            "status" => By(c => c.Status.ToString(), StringComparer.Ordinal),
            "stated-on" => By(c => c.StatedOn),
            _ => By(c => folded?.GetValueOrDefault(c.Id) ?? c.Title, CodePoints)
        };
        return sorted.ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>Strings in code point order (UTF-8's byte order, a C collation's), which UTF-16's ordinal order is not past U+FFFF.</summary>
    private static readonly Comparer<string> CodePoints = Comparer<string>.Create((a, b) =>
    {
        var (left, right) = (a.EnumerateRunes(), b.EnumerateRunes());
        while (true)
        {
            var (more, moreRight) = (left.MoveNext(), right.MoveNext());
            if (!more || !moreRight) return more.CompareTo(moreRight);
            var order = left.Current.Value.CompareTo(right.Current.Value);
            if (order != 0) return order;
        }
    });

    private static bool Bad(Dictionary<string, string[]> errors, string field, string message)
    {
        errors[field] = [message];
        return false;
    }
}
