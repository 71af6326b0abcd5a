using System.Text.Json;
using Alba;
using Tracker.Domain;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Commitments.Stating;

public sealed class restating_commitments(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

    [Fact]
    public async Task a_restatement_in_a_later_document_keeps_both_provenances_and_may_move_the_deadline()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.RegisterDocument(new
        {
            key = "coalition-statement-2025", title = "Coalition statement", publishedOn = "2025-06-01",
            kind = "statement", primary = true
        });

        await Api.Write($"{Base}/restatements", new
        {
            restatedIn = new { documentKey = "coalition-statement-2025", paragraph = "2", quote = "we reaffirm the $394 million goal" },
            newDeadline = new { date = "2025-12-01", precision = "month" }
        });

        var commitment = await Api.ReadCommitment();
        commitment.GetProperty("statedIn").GetProperty("documentKey").GetString().ShouldBe("washington-2024");
        var restatement = (await Api.ReadFacts("commitment-restated")).Single();
        restatement.GetProperty("restatedIn").GetProperty("documentKey").GetString().ShouldBe("coalition-statement-2025");
        restatement.GetProperty("restatedOn").GetString().ShouldBe("2025-06-01");
        commitment.GetProperty("deadline").GetProperty("date").GetString().ShouldBe("2025-12-01");
    }

    [Fact]
    public async Task a_restatement_in_a_report_dated_only_to_the_month_gives_its_own_day()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.RegisterDocument(DocumentScenarios.ShafaqReport());
        var restatedIn = new { documentKey = "shafaq-2024", quote = "The Coalition agreed to fund $394 million" };

        var refused = await Api.Write($"{Base}/restatements", new { restatedIn }, 422);
        await Api.Write($"{Base}/restatements", new { restatedIn, restatedOn = "2024-10-01" });

        refused.Json().GetProperty("rule").GetString().ShouldBe("document-day-unknown");
        (await Api.ReadFacts("commitment-restated")).Single().GetProperty("restatedOn").GetString().ShouldBe("2024-10-01");
    }

    [Fact]
    public async Task a_restatement_in_the_stating_document_is_a_409()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/restatements", new
        {
            restatedIn = new { documentKey = "washington-2024", quote = "again" }
        }, 409);

        result.Json().GetProperty("rule").GetString().ShouldBe("already-stated-in-document");
    }

    [Fact]
    public async Task a_restatement_in_an_unregistered_document_is_a_422()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write($"{Base}/restatements", new
        {
            restatedIn = new { documentKey = "not-registered", quote = "q" }
        }, 422);

        result.ReadProblem(422).Detail.ShouldNotBeNull().ShouldContain("not-registered");
    }
}
