using Alba;
using Microsoft.Extensions.DependencyInjection;
using Marten;
using Tracker.Projections.Commitments;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Audit;

public sealed class reading_a_long_history(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

    private async Task<string> At(int version) => (await Api.Scenario(s => s.Get.Url($"{Base}?version={version}"))).ReadAsText();

    [Fact]
    public async Task a_past_stepped_from_a_checkpoint_kept_before_money_figures_were_kept_by_stage_is_measured_on_every_stage()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/progress", MoneyFigure(200_000_000m, "more-than", "2024-09-30", "announced"));
        await Api.Write($"{Base}/progress", MoneyFigure(150_000_000m, "about", "2025-03-01", "disbursed"));
        for (var i = 4; i <= 26; i++)
        {
            await Api.Write($"{Base}/evidence", new { url = $"https://example.org/report-{i}", primary = false, on = "2025-03-02" });
        }
        // The checkpoint at version 25 as the rules before 2026-12-07 kept it: no figure by stage, the goal measured on the
        // latest money figure alone (the disbursement).
        await using (var aged = Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
                         """
                         update tracker.mt_doc_progresscheckpoint
                            set data = jsonb_set(jsonb_set(data #- '{Progress,LatestMoneyInOtherStages}', '{Progress,Shape}', '4'),
                                                 '{Progress,Progress}', '{"Fraction": 0.3807, "Basis": "reported", "DisbursedFraction": 0}')
                          where (data ->> 'Version')::int = 25
                         """))
        {
            (await aged.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var stepped = (await Api.Scenario(s => s.Get.Url($"{Base}?version=26"))).Json().GetProperty("progress");

        stepped.GetProperty("fraction").GetDecimal().ShouldBe(Math.Round(200_000_000m / 394_000_000m, 4),
            "the announcement still measures the goal after a step from the older checkpoint");
        stepped.GetProperty("disbursedFraction").GetDecimal().ShouldBe(Math.Round(150_000_000m / 394_000_000m, 4));
        (await Api.Scenario(s => s.Get.Url("/api/admin/projections/CommitmentProgress/verify"))).Json()
            .GetProperty("consistent").GetBoolean().ShouldBeTrue("a checkpoint kept by the older rule is no drift");
    }

    [Fact]
    public async Task writes_keep_a_checkpoint_every_25_versions_and_a_far_past_reads_the_same_from_it_or_from_the_start()
    {
        await Api.StatedTheStabilisationGoal();
        for (var i = 1; i <= 129; i++) await Api.Write($"{Base}/progress", Progress(i));

        await using (var session = Store.QuerySession())
        {
            (await session.Query<ProgressCheckpoint>().ToListAsync()).Select(c => c.Version).Order().ShouldBe([25, 50, 75, 100, 125]);
        }
        // The checkpoints are what the events give at their versions; one changed in the database is named by the read
        // model's verification (until 2026-12-06 the past as recorded answered its figures and nothing said so).
        (await Api.Scenario(s => s.Get.Url("/api/admin/projections/CommitmentProgress/verify"))).Json()
            .GetProperty("consistent").GetBoolean().ShouldBeTrue();
        var honest = await At(60);
        await using (var forge = Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
                         "update tracker.mt_doc_progresscheckpoint set data = jsonb_set(data, '{Progress,Title}', '\"Forged\"') where (data ->> 'Version')::int = 50"))
        {
            (await forge.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        (await At(60)).ShouldNotBe(honest);
        var verified = (await Api.Scenario(s => s.Get.Url("/api/admin/projections/CommitmentProgress/verify"))).Json();
        verified.GetProperty("consistent").GetBoolean().ShouldBeFalse();
        verified.GetProperty("differing").EnumerateArray().Select(d => d.GetString()).ShouldContain(d => d!.Contains("at version 50"));
        // Saying it was kept by older rules excuses nothing; nor does a version moved in its column alone.
        await using (var older = Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
                         "update tracker.mt_doc_progresscheckpoint set data = jsonb_set(data, '{Progress,Shape}', '1') where (data ->> 'Version')::int = 50;" +
                         "update tracker.mt_doc_progresscheckpoint set version = 70 where (data ->> 'Version')::int = 75"))
        {
            await older.ExecuteNonQueryAsync();
        }
        var differing = (await Api.Scenario(s => s.Get.Url("/api/admin/projections/CommitmentProgress/verify"))).Json()
            .GetProperty("differing").EnumerateArray().Select(d => d.GetString()!).ToList();
        differing.ShouldContain(d => d.Contains("at version 50"));
        differing.ShouldContain(d => d.Contains(":75: its columns do not say what it holds"));
        await using (var putBack = Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
                         "update tracker.mt_doc_progresscheckpoint set version = 75 where (data ->> 'Version')::int = 75"))
        {
            await putBack.ExecuteNonQueryAsync();
        }
        await using (var undo = Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
                         "delete from tracker.mt_doc_progresscheckpoint where (data ->> 'Version')::int = 50"))
        {
            await undo.ExecuteNonQueryAsync();
        }

        var first = await At(120);
        (await At(100)).ShouldContain("\"version\":100");
        (await At(110)).ShouldContain("\"figure\":109");
        first.ShouldContain("\"version\":120");
        first.ShouldContain("\"figure\":119");

        await using (var cleaner = Store.LightweightSession())
        {
            cleaner.DeleteWhere<ProgressCheckpoint>(c => c.Version > 0);
            await cleaner.SaveChangesAsync();
        }
        (await At(120)).ShouldBe(first);
        await using (var session = Store.QuerySession())
        {
            (await session.Query<ProgressCheckpoint>().CountAsync()).ShouldBe(0); // a read writes nothing
        }
    }
}
