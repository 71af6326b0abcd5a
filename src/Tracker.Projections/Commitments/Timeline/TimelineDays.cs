using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Tracker.Projections.Commitments.Timeline;

/// <summary>
/// The tables behind each commitment's effective timeline: a row per day on which a fact took effect, with how many
/// facts took effect that day, the figures a trend point and a past dashboard read (as columns), the commitment's list row, and the
/// whole model on keyframe days (the first day, and each day that closes <see cref="KeyframeEvery"/> or more facts
/// since the previous keyframe), so the model on any date is one keyframe plus fewer than that many facts; and a row per
/// fact with the day it took effect on (<see cref="FactsName"/>), so continuing a day with ten thousand facts writes the
/// new facts' rows and the day's bounded row, never a list of every fact the day holds.
/// </summary>
public sealed class TimelineDays(IQuerySession session)
{
    public const string Name = "commitment_days";
    public const string FactsName = "commitment_day_facts";
    public const int KeyframeEvery = 25;

    /// <summary>The columns a past dashboard or list reads of a day, kept in the index that finds it.</summary>
    public const string Figures = "status, overdue, due_by, last_changed_at, fraction, ledger_currency, " +
                                  "money_pledged, money_committed, money_disbursed, target_amount, target_currency";

    private readonly string _table = $"{session.DocumentStore.Options.DatabaseSchemaName}.{Name}";
    private readonly string _facts = $"{session.DocumentStore.Options.DatabaseSchemaName}.{FactsName}";
    private readonly string _streams = $"{session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_streams";
    private readonly string _events = $"{session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events";

    public static Table Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("stream_id").AsPrimaryKey();
        table.AddColumn("on", "date").AsPrimaryKey();
        // How many facts took effect that day (their versions are in the facts' table).
        table.AddColumn<int>("facts").NotNull().DefaultValueByExpression("0");
        table.AddColumn<int>("since_keyframe").NotNull();
        table.AddColumn<int>("through_version").NotNull();
        table.AddColumn("keyframe", "jsonb");
        table.AddColumn("row", "jsonb").NotNull();
        table.AddColumn<string>("status").NotNull();
        table.AddColumn<bool>("overdue").NotNull();
        table.AddColumn("due_by", "date");
        table.AddColumn<string>("ledger_currency").NotNull();
        table.AddColumn("money_pledged", "numeric").NotNull();
        table.AddColumn("money_committed", "numeric").NotNull();
        table.AddColumn("money_disbursed", "numeric").NotNull();
        table.AddColumn("target_amount", "numeric");
        table.AddColumn<string>("target_currency");
        table.AddColumn("fraction", "numeric");
        table.AddColumn("reported", "numeric");
        // The reported figure's unit or currency (since 2026-12-07, when the figure became the one the progress rule picks
        // among the stages rather than the latest report; a day stored before has none, and its unit is its latest report's).
        table.AddColumn<string>("reported_unit");
        table.AddColumn("last_changed_at", "timestamptz").NotNull();
        // The past dashboard and list take each commitment's last day on or before a date: from this index alone, without
        // reading the rows (whose keyframes and list rows make them wide).
        table.Indexes.Add(new IndexDefinition("ix_commitment_days_figures")
        {
            Columns = ["stream_id", "on"],
            IncludeColumns = [.. Figures.Split(", ")]
        });
        // The whole dashboard on a past date walks the days in the order its lists show (overdue and due soon by due date;
        // recently changed back from the date) and stops once it has enough (StoredSummary): each order an index. Overdue
        // on a date is decided by that date (EffectiveOverdue), so its list walks the due dates from the earliest.
        table.Indexes.Add(new IndexDefinition("ix_commitment_days_due_by") { Columns = ["due_by"] });
        table.Indexes.Add(new IndexDefinition("ix_commitment_days_recent") { Columns = ["on", "last_changed_at", "stream_id"] });
        // Days kept before each fact had a row of their own count none (the migration's default): found at start without
        // a scan, and empty once they are filled (TimelineFactsBackfill).
        table.Indexes.Add(new IndexDefinition("ix_commitment_days_uncounted") { Columns = ["stream_id"], Predicate = "facts = 0" });
        return table;
    }

    /// <summary>
    /// The day each fact took effect on: which day a retraction reworks from, and the facts after a keyframe that a read or
    /// a refold steps. Written with the days, in the same statements' transaction.
    /// </summary>
    public static Table DefineFacts(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, FactsName, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("stream_id").AsPrimaryKey();
        table.AddColumn<int>("version").AsPrimaryKey();
        table.AddColumn("on", "date").NotNull();
        table.Indexes.Add(new IndexDefinition("ix_commitment_day_facts_on") { Columns = ["stream_id", "on"] });
        return table;
    }

    /// <summary>
    /// The last day of each of these commitments' timelines, with the model at its end (none for a commitment without a
    /// timeline): from <paramref name="known"/> when it holds the version the day took in and that version's event,
    /// else the latest keyframe and the fewer than <see cref="KeyframeEvery"/> facts after it. One query, which leaves
    /// out the keyframes of the commitments known, and two more for the facts of all those not known.
    /// </summary>
    public async Task<Dictionary<Guid, HeadDay>> Heads(Guid[] ids, LastDayModels known, CancellationToken token)
    {
        var (keptVersions, keptEvents) = known.Kept(ids);
        var rows = await session.QueryAsync<StoredHead>($"""
            select row_to_json(x) from (
              select h.stream_id as "StreamId", h."on" as "On", h.facts as "Facts", h.keyframed as "Keyframed",
                     h.since_keyframe as "SinceKeyframe",
                     h.through_version as "ThroughVersion", h.through_event as "ThroughEvent",
                     case when (h.through_version, h.through_event) = (c.through, c.event) then null else k.keyframe end as "Keyframe",
                     case when (h.through_version, h.through_event) = (c.through, c.event) then null
                          else array(select f.version from {_facts} f where f.stream_id = h.stream_id and f."on" > k."on") end as "After"
                from (select distinct on (t.stream_id) t.stream_id, t."on", t.facts, t.keyframe is not null as keyframed,
                             t.since_keyframe, t.through_version,
                             (select e.id from {_events} e where e.stream_id = t.stream_id and e.version = t.through_version) as through_event
                        from {_table} t where t.stream_id = any(?) order by t.stream_id, t."on" desc) h
                join unnest(?::uuid[], ?::integer[], ?::uuid[]) as c(stream_id, through, event) on c.stream_id = h.stream_id
                left join lateral (select "on", keyframe from {_table} where stream_id = h.stream_id and keyframe is not null
                                    order by "on" desc limit 1) k on true) x
            """, token, ids, ids, keptVersions, keptEvents);

        var heads = new Dictionary<Guid, HeadDay>(rows.Count);
        var unknown = new List<StoredHead>();
        foreach (var row in rows)
        {
            if (row.ThroughEvent is { } at && known.TryGet(row.StreamId, row.ThroughVersion, at, out var remembered))
            {
                heads[row.StreamId] = row.Head(remembered);
            }
            // No keyframe at all (or one left out for a version no longer known), or one kept by older rules, whose days
            // would carry them on (CommitmentProgress.CurrentShape): the caller folds the whole stream.
            else if (row.Keyframe is null || row.Keyframe.Shape < CommitmentProgress.CurrentShape) heads[row.StreamId] = row.Head(null);
            else if (row.After is not { Length: > 0 }) heads[row.StreamId] = row.Head(row.Keyframe);
            else unknown.Add(row);
        }
        if (unknown.Count == 0) return heads;

        // The facts after each unknown commitment's keyframe, for all of them at once.
        var pairs = unknown.SelectMany(r => r.After!.Select(v => (r.StreamId, Version: v))).ToList();
        var sequences = (await session.QueryAsync<long>($"""
            select e.seq_id from unnest(?::uuid[], ?::integer[]) as x(stream_id, version)
              join {_events} e on e.stream_id = x.stream_id and e.version = x.version
            """, token, pairs.Select(p => p.StreamId).ToArray(), pairs.Select(p => p.Version).ToArray())).ToArray();
        var facts = (await session.Events.QueryAllRawEvents().Where(e => sequences.Contains(e.Sequence)).ToListAsync(token))
            .ToLookup(e => e.StreamId);
        foreach (var row in unknown)
        {
            try
            {
                // (No fact found after the keyframe only when the log lost them behind the service's back: the keyframe.)
                heads[row.StreamId] = row.Head(EffectiveOrder.Days(row.StreamId, row.Keyframe!,
                    EffectiveOrder.Ordered(facts[row.StreamId].ToList(), row.Keyframe!.StatedOn)).LastOrDefault()?.Progress ?? row.Keyframe);
            }
            catch (PledgesNotInHandException)
            {
                heads[row.StreamId] = row.Head(null); // the caller folds the whole stream
            }
        }
        return heads;
    }

    private sealed record StoredHead(Guid StreamId, DateOnly On, int Facts, bool Keyframed, int SinceKeyframe, int ThroughVersion,
        Guid? ThroughEvent, CommitmentProgress? Keyframe, int[]? After)
    {
        public HeadDay Head(CommitmentProgress? model) => new(StreamId, On, Facts, Keyframed, SinceKeyframe, ThroughVersion, model);
    }

    /// <summary>The latest keyframe strictly before a date where the count of facts restarts (the first day, or a day
    /// that closed <see cref="KeyframeEvery"/> facts), not a last day's.</summary>
    public async Task<Keyframe?> KeyframeBefore(Guid id, DateOnly before, CancellationToken token) =>
        (await session.QueryAsync<Keyframe>($"""
            select row_to_json(x) from (select "on" as "On", keyframe as "Progress" from {_table}
             where stream_id = ? and "on" < ? and keyframe is not null
               and (since_keyframe >= ? or "on" = (select min("on") from {_table} where stream_id = ?))
             order by "on" desc limit 1) x
            """, token, id, before, KeyframeEvery, id)).SingleOrDefault();

    /// <summary>
    /// The commitment on a date by everything recorded: the latest keyframe on or before it and the fewer than
    /// <see cref="KeyframeEvery"/> facts after it, or, while the timeline has not yet taken in the stream's last events,
    /// the whole stream folded (<see cref="EffectiveOrder.On"/>, the same answer at a cost that grows with the stream).
    /// </summary>
    public async Task<CommitmentProgress?> ModelOn(Guid id, DateOnly on, CancellationToken token)
    {
        var found = (await session.QueryAsync<KeyframeOn>($"""
            select row_to_json(x) from (
              select (select version from {_streams} where id = ?) as "StreamVersion",
                     (select through_version from {_table} where stream_id = ? order by "on" desc limit 1) as "ThroughVersion",
                     k."on" as "On", k.keyframe as "Progress",
                     array(select f.version from {_facts} f where f.stream_id = ? and f."on" > k."on" and f."on" <= ?) as "After"
                from (select 1) one
                left join lateral (select "on", keyframe from {_table} where stream_id = ? and "on" <= ? and keyframe is not null
                                    order by "on" desc limit 1) k on true) x
            """, token, id, id, id, on, id, on)).Single();
        if (found.StreamVersion is null) return null;
        if (found.ThroughVersion is null || found.ThroughVersion < found.StreamVersion)
        {
            return EffectiveOrder.On(id, await session.Events.FetchStreamAsync(id, token: token), on);
        }
        if (found.Progress is null) return null;
        if (found.After is not { Length: > 0 } after) return found.Progress;
        // A keyframe kept by older rules would carry them on to the facts after it (as the projection refolds such a
        // timeline whole: EffectiveTimelineProjection): the day is folded from the stream.
        if (found.Progress.Shape < CommitmentProgress.CurrentShape)
        {
            return EffectiveOrder.On(id, await session.Events.FetchStreamAsync(id, token: token), on);
        }

        var versions = after.Select(v => (long)v).ToArray();
        var facts = await session.Events.QueryAllRawEvents().Where(e => e.StreamId == id && versions.Contains(e.Version)).ToListAsync(token);
        try
        {
            return EffectiveOrder.Days(id, found.Progress, EffectiveOrder.Ordered(facts, found.Progress.StatedOn)).LastOrDefault()?.Progress
                   ?? found.Progress;
        }
        catch (PledgesNotInHandException)
        {
            return EffectiveOrder.On(id, await session.Events.FetchStreamAsync(id, token: token), on);
        }
    }

    private sealed record KeyframeOn(int? StreamVersion, int? ThroughVersion, DateOnly? On, CommitmentProgress? Progress, int[]? After);

    /// <summary>
    /// Every day of a commitment's timeline up to a date, as trend points, and its list row on the last of them; from the
    /// stream itself while the timeline has not yet taken in its last events. Null when it did not exist by then.
    /// </summary>
    public async Task<(IReadOnlyList<TrendPoint> Points, CommitmentRow Row)?> Trend(Guid id, DateOnly? until, CancellationToken token)
    {
        var stored = (await session.QueryAsync<StoredTrend>($"""
            select row_to_json(x) from (
              select (select version from {_streams} where id = ?) as "StreamVersion",
                     (select through_version from {_table} where stream_id = ? order by "on" desc limit 1) as "ThroughVersion",
                     (select row from {_table} where stream_id = ? and "on" <= ? order by "on" desc limit 1) as "Row",
                     coalesce((select jsonb_agg(jsonb_build_object('On', "on", 'Fraction', fraction, 'Money', jsonb_build_object(
                                 'Pledged', money_pledged, 'Committed', money_committed, 'Disbursed', money_disbursed),
                                 'Reported', reported, 'Status', status, 'ReportedUnit', {ReportedUnitSql}) order by "on")
                                 from {_table} where stream_id = ? and "on" <= ?), '[]') as "Points") x
            """, token, id, id, id, until ?? DateOnly.MaxValue, id, until ?? DateOnly.MaxValue)).Single();
        if (stored.StreamVersion is null) return null;
        if (stored.ThroughVersion is not null && stored.ThroughVersion >= stored.StreamVersion)
        {
            return stored.Row is null ? null : (stored.Points, stored.Row);
        }

        var days = EffectiveOrder.AllDays(id, await session.Events.FetchStreamAsync(id, token: token))
            .Where(d => until is null || d.On <= until).ToList();
        return days.Count == 0 ? null : (days.Select(d => TrendPoint.Of(d.On, d.Progress)).ToList(), CommitmentRow.Of(days[^1].Progress));
    }

    // A day's reported figure's unit: stored beside it, or for a day stored before 2026-12-07 (whose figure is the latest
    // report's) from its list row's latest report (as LatestReport.Charted gives it).
    private const string ReportedUnitSql = """
        case when reported is not null then coalesce(reported_unit,
          case when row->'LatestReport'->>'LedgerFigure' is not null then ledger_currency
               else coalesce(row->'LatestReport'->>'Currency', row->'LatestReport'->>'Unit') end) end
        """;

    private sealed record StoredTrend(int? StreamVersion, int? ThroughVersion, CommitmentRow? Row, List<TrendPoint> Points);

    /// <summary>The day a fact took effect on; null when it is in no day (retracted, or not a fact).</summary>
    public async Task<DateOnly?> DayOf(Guid id, int version, CancellationToken token) =>
        (await session.QueryAsync<DateOnly>($"""select "on" from {_facts} where stream_id = ? and version = ?""",
            token, id, version)).Select(on => (DateOnly?)on).FirstOrDefault();

    /// <summary>
    /// The versions a refold after a day reads again, in one round trip: the facts dated after it, and the commitment's
    /// recorded deadline passings through a version (a few at most, one per due date). A passing that did not hold by the
    /// dates has no fact row (EffectiveOrder.Days), so a refold reads them all again, what it refolds for may make one hold
    /// (an achievement before it retracted), and leaves out those dated on or before the day.
    /// </summary>
    public async Task<IReadOnlyList<int>> VersionsToRefoldAfter(Guid id, DateOnly after, int through, CancellationToken token) =>
        await session.QueryAsync<int>($"""
            select version from {_facts} where stream_id = ? and "on" > ?
            union
            select version from {_events} where stream_id = ? and type = 'deadline_passed' and version <= ?
            """, token, id, after, id, through);

    /// <summary>The version of the stream the timeline has taken in (0: none).</summary>
    public async Task<int> ThroughVersion(Guid id, CancellationToken token) => (await session.QueryAsync<int>(
        $"""select through_version from {_table} where stream_id = ? order by "on" desc limit 1""", token, id)).FirstOrDefault();

    private readonly List<Cleared> _cleared = [];
    private readonly List<Through> _through = [];
    private readonly List<StoredDay> _lastDays = [];
    private readonly List<StoredDay> _rows = [];
    private readonly List<StoredFact> _newFacts = [];
    private readonly List<(Guid Id, int Through, CommitmentProgress Model)> _lastModels = [];

    /// <summary>
    /// Replaces the days from a date on (null: every day) with these, once <see cref="Flush"/> queues the change.
    /// sinceKeyframe counts the facts between the last keyframe and the first of them.
    /// </summary>
    public void Replace(Guid id, DateOnly? from, IReadOnlyList<TimelineDay> days, int sinceKeyframe, int through)
    {
        _cleared.Add(new Cleared(id, from));
        if (days.Count == 0) _through.Add(new Through(id, through));
        else _lastModels.Add((id, through, days[^1].Progress));
        // The whole timeline starts with the statement's day, a keyframe.
        _rows.AddRange(Stored(id, days, sinceKeyframe, through, firstKeyframed: from is null));
    }

    /// <summary>
    /// Continues a timeline from its last day (the usual case): `days` starts with that day, with only the facts added to
    /// it, rewritten in place, and adds the days after it. One row version for that day instead of three (a delete, an insert and the mark of the version
    /// taken in); the daily rollup's triggers rework the commitment once when the new facts fall on that day (twice when
    /// they add days: the update, then the insert).
    /// </summary>
    public void Continue(HeadDay head, IReadOnlyList<TimelineDay> days, int through)
    {
        var id = head.StreamId;
        var rows = Stored(id, days, head.SinceKeyframe - head.Facts, through, head.Facts, head.Keyframed);
        _lastDays.Add(rows[0]);
        _rows.AddRange(rows.Skip(1));
        _lastModels.Add((id, through, days[^1].Progress));
    }

    /// <summary>
    /// Keeps the model at the end of each last day written, for the next page (see <see cref="LastDayModels"/>), with the
    /// id of the event at the version taken in (the page's last event of that commitment).
    /// </summary>
    public void Remember(LastDayModels models, IReadOnlyDictionary<Guid, Guid> lastEvents)
    {
        foreach (var (id, through, model) in _lastModels)
        {
            // The pledges' totals only, as on a keyframe: what is kept for the next page stays the size of the state.
            if (lastEvents.TryGetValue(id, out var at)) models.Keep(id, through, at, model.WithoutPledgesInHand());
        }
        _lastModels.Clear();
    }

    /// <summary>
    /// The rows of these days: a keyframe on the statement's day and on each day that closes <see cref="KeyframeEvery"/>
    /// facts since the last (not on the last day: rewritten on every page that continues it, a 5-50 KB model each time,
    /// it was most of the projection's cost; the next page finds that model in <see cref="LastDayModels"/> or folds it
    /// from the keyframe); the version taken in on the last day only (reads compare it with the stream's), so the rows
    /// do not depend on how the daemon happened to page the events.
    /// </summary>
    /// <param name="firstFactsBefore">Facts the first day already held (a last day continued), not among its versions.</param>
    /// <param name="firstKeyframed">The first day is a keyframe whatever its count: the statement's day, or a last day
    /// continued that already was one.</param>
    private List<StoredDay> Stored(Guid id, IReadOnlyList<TimelineDay> days, int sinceKeyframe, int through,
        int firstFactsBefore = 0, bool firstKeyframed = false)
    {
        var rows = new List<StoredDay>(days.Count);
        for (var i = 0; i < days.Count; i++)
        {
            var day = days[i];
            var last = i == days.Count - 1;
            var facts = day.Versions.Count + (i == 0 ? firstFactsBefore : 0);
            sinceKeyframe += facts;
            var keyframe = (i == 0 && firstKeyframed) || sinceKeyframe >= KeyframeEvery;
            rows.Add(StoredDay.Of(id, day, facts, sinceKeyframe, keyframe, last ? through : 0));
            foreach (var version in day.Versions) _newFacts.Add(new StoredFact(id, version, day.On));
            if (keyframe) sinceKeyframe = 0;
        }
        return rows;
    }

    private const string Columns = """
        stream_id, "on", facts, since_keyframe, through_version, keyframe, row, status, overdue, due_by, ledger_currency,
        money_pledged, money_committed, money_disbursed, target_amount, target_currency, fraction, reported, reported_unit,
        last_changed_at
        """;

    private const string FromRows = """
        select "StreamId", "On", "Facts", "SinceKeyframe", "ThroughVersion", "Keyframe", "Row", "Status", "Overdue",
               "DueBy", "LedgerCurrency", "MoneyPledged", "MoneyCommitted", "MoneyDisbursed", "TargetAmount",
               "TargetCurrency", "Fraction", "Reported", "ReportedUnit", "LastChangedAt"
          from jsonb_to_recordset(?::jsonb) as x("StreamId" uuid, "On" date, "Facts" integer, "SinceKeyframe" integer,
               "ThroughVersion" integer, "Keyframe" jsonb, "Row" jsonb, "Status" text, "Overdue" boolean, "DueBy" date,
               "LedgerCurrency" text, "MoneyPledged" numeric, "MoneyCommitted" numeric, "MoneyDisbursed" numeric,
               "TargetAmount" numeric, "TargetCurrency" text, "Fraction" numeric, "Reported" numeric, "ReportedUnit" text,
               "LastChangedAt" timestamptz)
        """;

    /// <summary>
    /// Queues every change of the page in at most six statements, in the transaction of the daemon's page: one per page
    /// rather than three per commitment, which under a steady stream of writes to many commitments is most of the
    /// projection's cost. Each statement leaves the table consistent for the daily rollup's statement triggers, which
    /// compare it with what the statement changed: the last days rewritten (one row per commitment), then the days
    /// added after them, and, for a refold, the days replaced.
    /// </summary>
    public void Flush(IDocumentOperations operations)
    {
        if (_cleared.Count == 0 && _lastDays.Count == 0) return;
        var serializer = session.DocumentStore.Options.Serializer();
        if (_cleared.Count > 0)
        {
            // Arrays, not JSON: PostgreSQL plans an unnest of an array with its length, where it takes a JSON record set
            // for a hundred rows and, against a hundred index probes, scanned the whole facts table on every page.
            var (streams, froms) = (_cleared.Select(c => c.StreamId).ToArray(), _cleared.Select(c => c.From).ToArray());
            const string cleared = """unnest(?::uuid[], ?::date[]) as x("StreamId", "From")""";
            operations.QueueSqlCommand($"""
                delete from {_table} t using {cleared}
                 where t.stream_id = x."StreamId" and t."on" >= coalesce(x."From", '-infinity'::date)
                """, streams, froms);
            operations.QueueSqlCommand($"""
                delete from {_facts} f using {cleared}
                 where f.stream_id = x."StreamId" and f."on" >= coalesce(x."From", '-infinity'::date)
                """, streams, froms);
            // A day kept before the replaced ones (a refold) may have been the last: its mark of the version taken in goes.
            if (_cleared.Any(c => c.From is not null))
            {
                operations.QueueSqlCommand($"""
                    update {_table} t set through_version = 0 from {cleared}
                     where t.stream_id = x."StreamId" and t."on" < x."From" and t.through_version <> 0
                    """, streams, froms);
            }
        }
        if (_lastDays.Count > 0)
        {
            // An upsert, not an update, so a last day that is somehow gone is written rather than lost.
            operations.QueueSqlCommand($"""
                insert into {_table} ({Columns}) {FromRows}
                on conflict (stream_id, "on") do update set facts = excluded.facts,
                       since_keyframe = excluded.since_keyframe, through_version = excluded.through_version,
                       keyframe = excluded.keyframe, row = excluded.row, status = excluded.status, overdue = excluded.overdue,
                       due_by = excluded.due_by, ledger_currency = excluded.ledger_currency,
                       money_pledged = excluded.money_pledged, money_committed = excluded.money_committed,
                       money_disbursed = excluded.money_disbursed, target_amount = excluded.target_amount,
                       target_currency = excluded.target_currency, fraction = excluded.fraction, reported = excluded.reported,
                       reported_unit = excluded.reported_unit, last_changed_at = excluded.last_changed_at
                """, serializer.ToJson(_lastDays));
        }
        if (_rows.Count > 0)
        {
            operations.QueueSqlCommand($"insert into {_table} ({Columns}) {FromRows}", serializer.ToJson(_rows));
        }
        if (_newFacts.Count > 0)
        {
            // The facts are new to their days (a page skips the versions the timeline has taken in; a refold cleared its
            // days' facts first): the update only makes a page that somehow met one again idempotent.
            operations.QueueSqlCommand($"""
                insert into {_facts} (stream_id, version, "on") select * from unnest(?::uuid[], ?::integer[], ?::date[])
                on conflict (stream_id, version) do update set "on" = excluded."on"
                """, _newFacts.Select(f => f.StreamId).ToArray(), _newFacts.Select(f => f.Version).ToArray(),
                _newFacts.Select(f => f.On).ToArray());
        }
        if (_through.Count > 0)
        {
            // A refold that left no day after its keyframe: the keyframe's day is the last again and takes the mark.
            operations.QueueSqlCommand($"""
                update {_table} t set through_version = x."Version" from unnest(?::uuid[], ?::integer[]) as x("StreamId", "Version")
                 where t.stream_id = x."StreamId" and t."on" = (select max(l."on") from {_table} l where l.stream_id = x."StreamId")
                """, _through.Select(t => t.StreamId).ToArray(), _through.Select(t => t.Version).ToArray());
        }
        _cleared.Clear();
        _through.Clear();
        _lastDays.Clear();
        _rows.Clear();
        _newFacts.Clear();
    }

    private sealed record Cleared(Guid StreamId, DateOnly? From);

    private sealed record Through(Guid StreamId, int Version);

    private sealed record StoredFact(Guid StreamId, int Version, DateOnly On);

    /// <summary>A commitment's last day and the model at its end (null: the stream is folded whole instead).</summary>
    public sealed record HeadDay(Guid StreamId, DateOnly On, int Facts, bool Keyframed, int SinceKeyframe, int ThroughVersion,
        CommitmentProgress? Model);

    public sealed record Keyframe(DateOnly On, CommitmentProgress Progress);

    private sealed record StoredDay(Guid StreamId, DateOnly On, int Facts, int SinceKeyframe,
        int ThroughVersion, CommitmentProgress? Keyframe, CommitmentRow Row, string Status, bool Overdue, DateOnly? DueBy,
        string LedgerCurrency, decimal MoneyPledged, decimal MoneyCommitted, decimal MoneyDisbursed, decimal? TargetAmount,
        string? TargetCurrency, decimal? Fraction, decimal? Reported, string? ReportedUnit, DateTimeOffset LastChangedAt)
    {
        public static StoredDay Of(Guid id, TimelineDay day, int facts, int sinceKeyframe, bool keyframe, int throughVersion)
        {
            var p = day.Progress;
            var charted = p.ChartedReport?.Charted(p.LedgerCurrency);
            return new StoredDay(id, day.On, facts, sinceKeyframe, throughVersion, keyframe ? p.WithoutPledgesInHand() : null, CommitmentRow.Of(p),
                p.Status.ToString(), p.Overdue, p.DueBy, p.LedgerCurrency, p.Money.Pledged, p.Money.Committed,
                p.Money.Disbursed, p.Target?.Amount, p.Target?.Currency, p.Progress.Fraction,
                charted?.Figure, charted?.Unit, p.LastChangedAt);
        }
    }
}
