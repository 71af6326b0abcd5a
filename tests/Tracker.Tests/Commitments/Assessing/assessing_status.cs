using System.Text.Json;
using Alba;
using Tracker.Domain;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Commitments.Assessing;

public sealed class assessing_status(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

    private static object Assessment(string status, string on = "2025-03-01") => new
    {
        status,
        assessedOn = on,
        rationale = "Members report projects under way in Raqqa and Deir ez-Zor",
        source = Source
    };

    [Fact]
    public async Task a_status_assessment_changes_the_status_with_its_rationale_and_evidence()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write($"{Base}/assessments", Assessment("in-progress"));

        var commitment = await Api.ReadCommitment();
        commitment.GetProperty("status").GetString().ShouldBe("in-progress");
        commitment.GetProperty("assessment").GetProperty("rationale").GetString().ShouldStartWith("Members report");
    }

    [Fact]
    public async Task an_unknown_status_is_a_400()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/assessments", Assessment("kind-of-done"), 400);

        result.ReadProblem(400);
    }

    [Fact]
    public async Task a_withdrawn_commitment_refuses_new_pledges_with_a_409_naming_the_rule()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/assessments", Assessment("withdrawn"));

        var result = await Api.Write($"{Base}/pledges", GermanPledge(), 409);

        result.Json().GetProperty("rule").GetString().ShouldBe("commitment-withdrawn");
    }
}
