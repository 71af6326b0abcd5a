using Alba;
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
    public async Task writes_keep_a_checkpoint_every_25_versions_and_a_far_past_reads_the_same_from_it_or_from_the_start()
    {
        await Api.StatedTheStabilisationGoal();
        for (var i = 1; i <= 129; i++) await Api.Write($"{Base}/progress", Progress(i));

        await using (var session = Store.QuerySession())
        {
            (await session.Query<ProgressCheckpoint>().ToListAsync()).Select(c => c.Version).Order().ShouldBe([25, 50, 75, 100, 125]);
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
