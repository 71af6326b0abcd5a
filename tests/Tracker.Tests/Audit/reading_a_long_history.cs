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
    public async Task a_far_past_starts_from_the_nearest_checkpoint_and_reads_the_same_as_a_fold_from_the_start()
    {
        await Api.StatedTheStabilisationGoal();
        for (var i = 1; i <= 129; i++) await Api.Write($"{Base}/progress", Progress(i));

        var first = await At(120);

        await using (var session = Store.QuerySession())
        {
            (await session.Query<ReplayCheckpoint>().ToListAsync()).Select(c => c.Version).ShouldBe([100]);
        }
        (await At(120)).ShouldBe(first);
        (await At(100)).ShouldContain("\"version\":100");
        first.ShouldContain("\"version\":120");
        first.ShouldContain("\"figure\":119");

        await using (var cleaner = Store.LightweightSession())
        {
            cleaner.DeleteWhere<ReplayCheckpoint>(c => c.Version > 0);
            await cleaner.SaveChangesAsync();
        }
        (await At(120)).ShouldBe(first);
    }
}
