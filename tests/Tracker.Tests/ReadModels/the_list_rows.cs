using System.Text.Json;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Tracker.Api.Dashboard;
using Tracker.Domain;
using Tracker.Projections.Commitments;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.ReadModels;

/// <summary>
/// The flat row of each commitment (CommitmentRows) that the list and the dashboard filter, sort and sum: in the rebuild
/// collection, since one story rebuilds the progress models.
/// </summary>
[Collection(RebuildCollection.Name)]
public sealed class the_list_rows(TrackerApp app) : TrackerTest(app)
{
    private NpgsqlDataSource Database => Api.Services.GetRequiredService<NpgsqlDataSource>();

    private async Task<object?> Scalar(string sql)
    {
        await using var command = Database.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    private async Task<JsonElement> Get(string url) => (await Api.Scenario(s => s.Get.Url(url))).Json();

    private async Task<JsonElement> VerifyProgressModels() => await Get("/api/admin/projections/CommitmentProgress/verify");

    [Fact]
    public async Task each_write_changes_the_row_in_its_own_transaction_so_a_list_read_right_after_it_sees_it()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);

        var pledged = await Scalar($"select money_pledged from tracker.commitment_rows where key = '{Goal}'");
        var listed = (await Get("/api/commitments?sort=last-changed&order=desc")).GetProperty("items").EnumerateArray().First();

        // EUR 25 million, counted in the goal's ledger currency.
        pledged.ShouldBe(27_100_000m);
        listed.GetProperty("key").GetString().ShouldBe(Goal);
        listed.GetProperty("money").GetProperty("pledged").GetDecimal().ShouldBe(27_100_000m);
        (await VerifyProgressModels()).GetProperty("consistent").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task keys_break_ties_by_code_point_whatever_the_database_s_collation()
    {
        var collation = await Scalar(
            "select collation_name from information_schema.columns where table_name = 'commitment_rows' and column_name = 'key'");

        collation.ShouldBe("C");
    }

    [Fact]
    public async Task a_row_changed_around_its_model_is_named_by_the_verification_and_written_again_by_a_rebuild()
    {
        await Api.StatedTheStabilisationGoal();
        var status = await Scalar($"select status from tracker.commitment_rows where key = '{Goal}'");
        await Scalar($"update tracker.commitment_rows set status = 'Withdrawn' where key = '{Goal}'");

        var report = await VerifyProgressModels();
        report.GetProperty("consistent").GetBoolean().ShouldBeFalse();
        report.GetProperty("differing").EnumerateArray().Select(d => d.GetString())
            .ShouldContain($"list row {StreamIds.ForCommitment(Goal)}");

        var started = await Api.Scenario(s => { s.Post.Url("/api/admin/projections/CommitmentProgress/rebuild"); s.StatusCodeShouldBe(202); });
        var location = started.Context.Response.Headers.Location.ToString();
        (await Eventually.Until(() => Get(location), p => p.GetProperty("status").GetString() != "running", TimeSpan.FromSeconds(30)))
            .GetProperty("status").GetString().ShouldBe("completed");

        (await Scalar($"select status from tracker.commitment_rows where key = '{Goal}'")).ShouldBe(status);
        (await VerifyProgressModels()).GetProperty("consistent").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task a_row_a_writer_changes_under_the_rebuild_s_unlocked_rewrite_is_put_right_by_the_locked_repair_after_it()
    {
        await Api.StatedTheStabilisationGoal();
        var id = StreamIds.ForCommitment(Goal);
        var stated = (string?)await Scalar($"select status from tracker.commitment_rows where id = '{id}'");
        // The rebuild wrote the model past its trigger, so its row differs.
        await Scalar($"update tracker.commitment_rows set status = 'Withdrawn' where id = '{id}'");

        // A writer changes the model (its trigger writes the row) and has not committed yet.
        await using var writer = await Database.OpenConnectionAsync();
        await using var writing = await writer.BeginTransactionAsync();
        await using (var change = new NpgsqlCommand(
                         $"update tracker.mt_doc_commitmentprogress set status = 'Achieved' where id = '{id}'", writer, writing))
        {
            await change.ExecuteNonQueryAsync();
        }
        // The unlocked pass over the row's part of the ids reads the model as it was, and waits for the writer's row.
        var rewriting = Scalar(CommitmentRows.RewriteSql("tracker", Convert.ToInt32(id.ToString()[..1], 16)));
        await Eventually.Until(() => Scalar(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%INSERT INTO tracker.commitment_rows%'"),
            waiting => (long)waiting! == 1);
        await writing.CommitAsync();
        await rewriting;

        // It wrote the row back to the model it read: the writer's change is lost from the row...
        (await Scalar($"select status from tracker.commitment_rows where id = '{id}'")).ShouldBe(stated);
        (await Scalar($"select status from tracker.mt_doc_commitmentprogress where id = '{id}'")).ShouldBe("Achieved");

        // ...until the locked repair, which every rebuild's end runs after it, finds it.
        await using (var repairing = await Database.OpenConnectionAsync())
        await using (var repair = await repairing.BeginTransactionAsync())
        {
            await using var command = new NpgsqlCommand(CommitmentRows.RepairSql("tracker"), repairing, repair);
            await command.ExecuteNonQueryAsync();
            await repair.CommitAsync();
        }
        (await Scalar($"select status from tracker.commitment_rows where id = '{id}'")).ShouldBe("Achieved");
        (await Scalar($"select count(*) from ({CommitmentRows.Differences("tracker")}) d")).ShouldBe(0L);
    }

    [Fact]
    public async Task rows_lost_while_their_trigger_was_off_are_written_again_at_start()
    {
        await Api.StatedTheStabilisationGoal();
        await Scalar("delete from tracker.commitment_rows");
        (await Get("/api/commitments")).GetProperty("items").GetArrayLength().ShouldBe(0);

        var backfill = Api.Services.GetServices<IHostedService>().OfType<RollupBackfill>().Single();
        await backfill.StartAsync(CancellationToken.None);

        (await Get("/api/commitments")).GetProperty("items").EnumerateArray().Single().GetProperty("key").GetString().ShouldBe(Goal);
        (await VerifyProgressModels()).GetProperty("consistent").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task rows_written_before_they_kept_their_title_folded_are_searched_once_the_service_has_started()
    {
        await Api.StatedTheStabilisationGoal();
        // A row as a version before 2026-12-07 left it: no folded title, so no title search finds it.
        await Scalar($"update tracker.commitment_rows set {TitleSearch.Column} = null");
        (await Get("/api/commitments?q=LIB%C3%89RATED")).GetProperty("total").GetInt64().ShouldBe(0);

        var backfill = Api.Services.GetServices<IHostedService>().OfType<RollupBackfill>().Single();
        await backfill.StartAsync(CancellationToken.None);

        (await Scalar($"select {TitleSearch.Column} from tracker.commitment_rows")).ShouldBe(
            await Scalar("select tracker.search_folded(title) from tracker.commitment_rows"));
        (await Get("/api/commitments?q=LIB%C3%89RATED")).GetProperty("items").EnumerateArray().Single().GetProperty("key").GetString()
            .ShouldBe(Goal);
    }
}
