using System.Diagnostics;
using Npgsql;

namespace Tracker.Bench;

/// <summary>Scenario 10: the dashboard and the list over many commitments.</summary>
public static class DashboardScenarios
{
    private const string Table = "tracker.mt_doc_commitmentprogress";
    private const string Days = "tracker.commitment_days";

    /// <summary>
    /// Copies of one real progress model (every column Marten keeps beside it, with the key, line of effort, status, due
    /// date and overdue varied), inserted by SQL so the scenario takes seconds; then the dashboard, a filtered dashboard
    /// and a list page, each the median of five warm reads, against a scan of the same table by Npgsql. The copies are
    /// deleted afterwards: they have no events, so the other scenarios must not see them.
    /// </summary>
    public static async Task<Section> ManyCommitments(Workload work)
    {
        var count = work.Settings.DashboardCommitments;
        await work.ProjectionsCaughtUp();
        await Copies(work.Database, count);
        try
        {
            var measures = new List<Measure>();
            // The copies join whatever earlier scenarios left (the bulk import's commitments in a full run).
            await using var counting = work.Database.CreateCommand($"select count(*) from {Table}");
            var rows = (long)(await counting.ExecuteScalarAsync())!;
            var scan = await MedianOf(5, async () =>
            {
                await using var command = work.Database.CreateCommand(
                    $"select count(*), sum(money_pledged), count(*) filter (where overdue) from {Table}");
                await command.ExecuteScalarAsync();
            });
            foreach (var (what, url) in new[]
                     {
                         ("the dashboard", "/api/dashboard"),
                         ("the dashboard of one line of effort", "/api/dashboard?lineOfEffort=finance"),
                         ("a list page of 100 by deadline", "/api/commitments?sort=deadline&pageSize=100&page=3"),
                         ("the dashboard on a past date (as effective)", $"/api/dashboard?effectiveAsOf={DateTime.UtcNow:yyyy-MM-dd}"),
                         ("the dashboard of one line of effort on a past date", $"/api/dashboard?effectiveAsOf={DateTime.UtcNow:yyyy-MM-dd}&lineOfEffort=finance"),
                         ("a list page of 100 by deadline on a past date", $"/api/commitments?effectiveAsOf={DateTime.UtcNow:yyyy-MM-dd}&sort=deadline&pageSize=100&page=3")
                     })
            {
                await Get(work.Client, url);
                var ms = await MedianOf(5, () => Get(work.Client, url));
                var target = url.Contains("effectiveAsOf") ? 500 : 100;
                measures.Add(new($"{what} over {rows:N0} commitments ({count:N0} of them copies)", $"{ms:0} ms", $"{scan:0.0} ms (one scan by Npgsql)",
                    $"{ms / scan:0.0}x", $"< {target} ms", ms < target, ms < target ? null : BenchReport.Above(ms, target, " ms", "N0")));
            }
            return new Section("10. The dashboard over many commitments",
                $"{count:N0} progress models (copies of a real one, with copies of its effective-timeline days, inserted by SQL and then " +
                "vacuumed and analysed as autovacuum leaves tables in use) beside those earlier scenarios left, then the dashboard, a " +
                "filtered dashboard and a list page, in the present and on a past date, each the median of five warm reads. Baseline: " +
                "one SQL scan of the same table (count and sum).",
                measures,
                ["The present dashboard is summed by PostgreSQL over the columns Marten keeps beside each model (one statement), " +
                 "and reads the documents of the at most 110 rows it lists. On a past date (as effective) it takes each commitment's " +
                 "last effective-timeline day on or before the date (the copies copy w-0's days) and sums those. The dashboard as " +
                 "recorded at a past instant still folds the events (scenario 5); these copies have none, so it is not measured here."]);
        }
        finally
        {
            await using var cleanup = work.Database.CreateCommand(
                $"delete from {Days} where stream_id in (select id from {Table} where key like 'many-%'); delete from {Table} where key like 'many-%'");
            cleanup.CommandTimeout = 0;
            await cleanup.ExecuteNonQueryAsync();
            await Recount(work.Database);
        }
    }

    /// <summary>
    /// The copies have no events for the dashboard rollup to follow: it is counted again from the models, as the admin
    /// rebuild does after rewriting them.
    /// </summary>
    private static async Task Recount(NpgsqlDataSource database)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var recount = new NpgsqlCommand(Tracker.Projections.Commitments.Rollup.DashboardRollup.Recount("tracker"),
            connection, transaction) { CommandTimeout = 0 };
        await recount.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    private static async Task Copies(NpgsqlDataSource database, int count)
    {
        var columns = new List<string>();
        await using (var read = database.CreateCommand(
                         "select column_name from information_schema.columns where table_schema = 'tracker' " +
                         "and table_name = 'mt_doc_commitmentprogress' order by ordinal_position"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        }
        string Value(string column) => column switch
        {
            "id" => "copy.id",
            "data" => "template.data || jsonb_build_object('Id', copy.id, 'Key', 'many-' || g, " +
                      "'LineOfEffort', (array['stabilisation', 'finance', 'detention', 'messaging'])[g % 4 + 1], " +
                      "'Status', (array['NotAssessed', 'InProgress', 'Achieved', 'Stalled'])[g % 4 + 1], " +
                      "'DueBy', date '2026-01-01' + (g % 1000), 'Overdue', g % 10 = 0)",
            "key" => "'many-' || g",
            "line_of_effort" => "(array['stabilisation', 'finance', 'detention', 'messaging'])[g % 4 + 1]",
            "status" => "(array['NotAssessed', 'InProgress', 'Achieved', 'Stalled'])[g % 4 + 1]",
            "due_by" => "date '2026-01-01' + (g % 1000)",
            "overdue" => "g % 10 = 0",
            _ => column
        };
        await using var insert = database.CreateCommand($"""
            insert into {Table} ({string.Join(", ", columns)})
            select {string.Join(", ", columns.Select(Value))}
              from (select * from {Table} where key = 'w-0') template,
                   (select gen_random_uuid() as id, g from generate_series(1, {count}) g) copy;
            insert into {Days} (stream_id, "on", facts, since_keyframe, through_version, keyframe, row, status, overdue, due_by,
                                ledger_currency, money_pledged, money_committed, money_disbursed, target_amount, target_currency,
                                fraction, reported, last_changed_at)
            select c.id, d."on", d.facts, d.since_keyframe, d.through_version, d.keyframe, d.row || jsonb_build_object('Key', c.key, 'LineOfEffort', c.line_of_effort),
                   (array['NotAssessed', 'InProgress', 'Achieved', 'Stalled'])[c.g % 4 + 1], c.overdue, c.due_by, d.ledger_currency,
                   d.money_pledged, d.money_committed, d.money_disbursed, d.target_amount, d.target_currency, d.fraction, d.reported,
                   d.last_changed_at
              from (select id, key, line_of_effort, overdue, due_by, substring(key from 6)::int as g from {Table} where key like 'many-%') c,
                   {Days} d where d.stream_id = (select id from {Table} where key = 'w-0');
            """);
        insert.CommandTimeout = 0;
        await insert.ExecuteNonQueryAsync();
        await Recount(database);
        // As autovacuum leaves tables that have been in use a while (VACUUM runs outside a transaction: one statement each):
        // the visibility map lets the past views read each day from its index alone.
        foreach (var table in new[] { Table, "tracker.commitment_rows", Days, "tracker.commitment_counted", "tracker.commitment_rollup" })
        {
            await using var vacuum = database.CreateCommand($"vacuum analyze {table}");
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync();
        }
    }

    private static async Task<double> MedianOf(int times, Func<Task> action)
    {
        var samples = new List<double>();
        for (var i = 0; i < times; i++)
        {
            var clock = Stopwatch.StartNew();
            await action();
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }
        return samples.Order().ElementAt(samples.Count / 2);
    }

    private static async Task Get(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode}");
        await response.Content.ReadAsByteArrayAsync();
    }
}
