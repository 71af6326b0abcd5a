using System.Text.Json;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Tracker.Api.Dashboard;
using Tracker.Domain;
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
}
