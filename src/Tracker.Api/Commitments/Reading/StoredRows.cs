using Marten;
using Marten.Linq;
using Npgsql;
using NpgsqlTypes;
using Tracker.Api.Infrastructure;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Timeline;

namespace Tracker.Api.Commitments.Reading;

/// <summary>
/// The SQL of the commitments a filter selects, as rows of the columns Marten keeps beside each progress model, for the
/// dashboard and the list to sum, sort and page in PostgreSQL: in the present from their flat rows (CommitmentRows); on a past date
/// (as effective) with every column that changes with time from the commitment's last effective-timeline day on or before
/// it (TimelineDays), the filter's status and overdue applying to that past.
/// </summary>
public static class StoredRows
{
    /// <summary>Every column a row source offers.</summary>
    public const string Columns = "id, key, title, status, kind, line_of_effort, actors, overdue, due_by, stated_on, " +
                                  "last_changed_at, progress_fraction, ledger_currency, money_pledged, " +
                                  "money_committed, money_disbursed, target_amount, target_currency";

    /// <summary>On a past date, a column of the timeline day each commitment's columns come from (`day`).</summary>
    public const string PastDay = "day";

    /// <summary>The columns that change with time, and where the timeline keeps each.</summary>
    private static readonly Dictionary<string, string> Timed = new()
    {
        ["status"] = "status", ["due_by"] = "due_by", ["last_changed_at"] = "last_changed_at",
        ["progress_fraction"] = "fraction",
        ["ledger_currency"] = "ledger_currency", ["money_pledged"] = "money_pledged", ["money_committed"] = "money_committed",
        ["money_disbursed"] = "money_disbursed", ["target_amount"] = "target_amount", ["target_currency"] = "target_currency"
    };

    /// <summary>
    /// A command whose parameters the row source needs; `rows` is the source's SQL, to wrap in a statement that becomes
    /// the command's text.
    /// </summary>
    public static NpgsqlCommand Command(IQuerySession session, CommitmentFilter filter, string columns, DateOnly? effectiveOn,
        out string rows) => Command(session, filter, columns, effectiveOn, out rows, out _);

    /// <param name="unchanging">The flat rows (alias d) the filter selects by what cannot change with time: on a past date,
    /// what the rows' days are to be joined with; in the present, the same rows as `rows`.</param>
    public static NpgsqlCommand Command(IQuerySession session, CommitmentFilter filter, string columns, DateOnly? effectiveOn,
        out string rows, out string unchanging)
    {
        // The filter's SQL is Marten's, from the same LINQ the list uses. In a past only what cannot change (kind, line of
        // effort, actors, title) filters the stored models.
        var stored = effectiveOn is null ? filter : filter with { Status = null, Overdue = null };
        var command = stored.Apply(session.Query<CommitmentProgress>()).Select(c => c.Id).ToCommand(FetchType.FetchMany);
        // Marten's statement selects the models' ids by the columns beside them; its condition is asked of the flat rows
        // instead, which have the same columns and are indexed (CommitmentRows). Should Marten ever word it otherwise, the
        // models' ids narrow the rows.
        var table = $"{TrackerDatabase.Schema}.{CommitmentRows.Table}";
        var marten = command.CommandText.TrimEnd().TrimEnd(';');
        var ids = $"select d.id from {TrackerDatabase.Schema}.{CommitmentRows.ModelTable} as d";
        var where = marten.StartsWith(ids, StringComparison.Ordinal) ? marten[ids.Length..] : $" where d.id in ({marten})";
        if (filter.TitleCondition(command) is { } titled)
        {
            var condition = where.Trim();
            where = condition.Length == 0 ? $" where {titled}"
                : condition.StartsWith("where ", StringComparison.Ordinal) ? $" where ({condition["where ".Length..]}) and {titled}"
                : $" where d.id in ({marten}) and {titled}";
        }
        var names = columns.Split(", ");
        unchanging = $"select d.* from {table} as d{where}";
        if (effectiveOn is not { } on)
        {
            rows = $"select {string.Join(", ", names.Select(c => "d." + c))} from {table} as d{where}";
            return command;
        }

        // Overdue by the date asked, not by the day the row was last changed (EffectiveOverdue).
        var overdue = EffectiveOverdue.Sql("p", "@effectiveOn");
        var select = string.Join(", ", names.Select(c =>
            c == PastDay ? "p.\"on\" as day" : c == "overdue" ? $"{overdue} as overdue"
            : Timed.TryGetValue(c, out var then) ? $"p.{then} as {c}" : "d." + c));
        rows = $"""
            select {select} from {table} as d
              join lateral (select "on", {TimelineDays.Figures} from {TrackerDatabase.Schema}.{TimelineDays.Name} t
                             where t.stream_id = d.id and t."on" <= @effectiveOn order by t."on" desc limit 1) p
                on (@status::text is null or p.status = @status) and (@overdue::boolean is null or {overdue} = @overdue){where}
            """;
        command.Parameters.AddWithValue("effectiveOn", on);
        command.Parameters.Add(new NpgsqlParameter<string?>("status", filter.Status?.ToString()) { NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<bool?>("overdue", filter.Overdue) { NpgsqlDbType = NpgsqlDbType.Boolean });
        return command;
    }
}
