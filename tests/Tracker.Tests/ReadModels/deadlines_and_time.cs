using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Domain;
using Tracker.Tests.Commitments;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.ReadModels;

public sealed class deadlines_and_time(TrackerApp app) : TrackerTest(app)
{
    private const string Ministerial = "next-ministerial-2022";

    private async Task StatedTheNextMinisterialByJune2022()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", new
        {
            key = Ministerial, title = "Hold the next ministerial meeting", kind = "milestone", lineOfEffort = "meetings",
            actors = new[] { "coalition" }, deadline = new { date = "2022-06-01", precision = "month" },
            statedIn = new { documentKey = "washington-2024", quote = "hold the next ministerial meeting by June 2022" },
            statedOn = "2021-06-28"
        }, 201);
    }

    private Task<System.Text.Json.JsonElement> OverdueMinisterial() =>
        Eventually.Until(() => Api.ReadCommitment(Ministerial), c => c.GetProperty("overdue").GetBoolean());

    [Fact]
    public async Task a_deadline_that_passed_unachieved_becomes_a_fact_recorded_by_the_service()
    {
        await StatedTheNextMinisterialByJune2022();

        var progress = await OverdueMinisterial();

        progress.GetProperty("dueBy").GetString().ShouldBe("2022-06-30");
        await using var session = Store.LightweightSession();
        var passed = (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Ministerial))).Last();
        passed.EventTypeName.ShouldBe("deadline_passed");
        passed.UserName.ShouldBe("tracker-service");
        passed.Data.ShouldBeOfType<Tracker.Domain.Commitments.DeadlinePassed>().DueBy.ShouldBe(new DateOnly(2022, 6, 30));
    }

    [Fact]
    public async Task achieving_after_the_deadline_is_achieved_late_and_no_longer_overdue()
    {
        await StatedTheNextMinisterialByJune2022();
        await OverdueMinisterial();

        await Api.Write($"/api/commitments/{Ministerial}/assessments", new
        {
            status = "achieved", assessedOn = "2022-09-09", rationale = "The ministerial met in Marrakesh", source = Source
        });

        var progress = await Api.ReadCommitment(Ministerial);
        progress.GetProperty("status").GetString().ShouldBe("achieved-late");
        progress.GetProperty("overdue").GetBoolean().ShouldBeFalse();
        progress.GetProperty("progress").GetProperty("fraction").GetDecimal().ShouldBe(1m);
    }

    [Fact]
    public async Task moving_the_deadline_later_clears_overdue_until_the_new_one_passes()
    {
        await StatedTheNextMinisterialByJune2022();
        await OverdueMinisterial();

        await Api.Write($"/api/commitments/{Ministerial}/revisions", new
        {
            deadline = new { date = "2099-01-01", precision = "year" }, reason = "postponed", source = Source
        });

        var progress = await Api.ReadCommitment(Ministerial);
        progress.GetProperty("overdue").GetBoolean().ShouldBeFalse();
        progress.GetProperty("dueBy").GetString().ShouldBe("2099-12-31");
    }

    [Fact]
    public async Task a_future_deadline_is_checked_by_a_durable_message_scheduled_for_the_day_after()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", new
        {
            key = "far-future", title = "A far future goal", kind = "milestone", lineOfEffort = "meetings",
            actors = new[] { "coalition" }, deadline = new { date = "2099-06-01", precision = "month" },
            statedIn = new { documentKey = "washington-2024", quote = "by June 2099" }
        }, 201);

        await using var query = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "select execution_time from tracker.wolverine_incoming_envelopes " +
            "where message_type like '%CheckDeadline%' and status = 'Scheduled'");
        var scheduled = (DateTimeOffset?)(await query.ExecuteScalarAsync() as DateTime?);
        scheduled.ShouldNotBeNull();
        scheduled.Value.UtcDateTime.ShouldBe(new DateTime(2099, 7, 1, 0, 0, 0, DateTimeKind.Utc));
        (await Api.ReadCommitment("far-future")).GetProperty("overdue").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task an_achieved_commitment_is_not_marked_overdue_when_its_deadline_passes()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", new
        {
            key = "brussels-small-group", title = "Small Group meeting in Brussels", kind = "milestone", lineOfEffort = "meetings",
            actors = new[] { "coalition" }, deadline = new { date = "2099-09-01", precision = "season" },
            statedIn = new { documentKey = "washington-2024", quote = "in Brussels in the fall" }
        }, 201);
        await Api.Write("/api/commitments/brussels-small-group/assessments", new
        {
            status = "achieved", assessedOn = "2099-10-01", rationale = "held", source = Source
        });

        var progress = await Api.ReadCommitment("brussels-small-group");
        progress.GetProperty("status").GetString().ShouldBe("achieved");
        progress.GetProperty("overdue").GetBoolean().ShouldBeFalse();
    }
}
