using System.Text.Json;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Marten;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Tracker.Tests.Commitments;
using Tracker.Tests.ReadModels;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Faults;

/// <summary>In the rebuild collection: it rebuilds the progress models.</summary>
[Collection(RebuildCollection.Name)]
public sealed class event_versions(TrackerApp app) : TrackerTest(app)
{
    /// <summary>
    /// A pledge as version 1 of the tracker stored it ("pledge_made", a bare amount beside its currency), appended to the
    /// goal's stream as the old code would have, so only what reads events can see it.
    /// </summary>
    private async Task<long> AVersionOnePledgeInTheLog()
    {
        await using var command = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("""
            with stream as (update tracker.mt_streams set version = version + 1 where id = $1 returning version)
            insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, correlation_id)
            select nextval('tracker.mt_events_sequence'), gen_random_uuid(), $1, stream.version,
                   '{"CommitmentKey": "stabilisation-394m", "PledgeId": "united-states-1", "Pledger": "United States",
                     "Amount": 50000000, "Currency": "USD", "AnnouncedOn": "2024-09-30", "DocumentKey": "washington-2024"}',
                   'pledge_made', now(), 'version-1'
            from stream
            returning version
            """);
        command.Parameters.AddWithValue(StreamIds.ForCommitment(Goal));
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private const string Base = $"/api/commitments/{Goal}";

    private async Task<JsonElement> Get(string url) => (await Api.Scenario(s => s.Get.Url(url))).Json();

    [Fact]
    public async Task a_pledge_in_its_version_one_shape_reads_as_today_s_in_live_aggregation_and_a_rebuild()
    {
        await Api.StatedTheStabilisationGoal();
        var version = await AVersionOnePledgeInTheLog();

        // Live aggregation: the commitment folded from its events at that version.
        var then = await Get($"/api/commitments/{Goal}?version={version}");
        then.GetProperty("money").GetProperty("pledged").GetDecimal().ShouldBe(50_000_000m);
        then.GetProperty("pledgeCount").GetInt32().ShouldBe(1);
        var history = (await Get($"/api/commitments/{Goal}/history")).GetProperty("items").EnumerateArray().ToList();
        history[^1].GetProperty("type").GetString().ShouldBe("pledge-announced");
        history[^1].GetProperty("summary").GetString().ShouldBe("United States pledged USD 50,000,000 on 2024-09-30");

        // Rebuild: the progress model and the pledge rows (which the old write never updated here) rebuilt from the log
        // count it, and so does the pledger view, which reads the pledge rows.
        var started = await Api.Scenario(s => { s.Post.Url("/api/admin/projections/CommitmentProgress/rebuild"); s.StatusCodeShouldBe(202); });
        var location = started.Context.Response.Headers.Location.ToString();
        (await Eventually.Until(() => Get(location), p => p.GetProperty("status").GetString() != "running", TimeSpan.FromSeconds(30)))
            .GetProperty("status").GetString().ShouldBe("completed");
        (await Api.ReadCommitment()).GetProperty("money").GetProperty("pledged").GetDecimal().ShouldBe(50_000_000m);
        (await Api.ReadPledges()).Single().GetProperty("pledger").GetString().ShouldBe("United States");
        (await Get("/api/pledgers/united-states")).GetProperty("pledger").GetProperty("totals")[0].GetProperty("pledged").GetDecimal()
            .ShouldBe(50_000_000m);
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    [Fact]
    public async Task a_correction_stored_before_retractions_replays_as_the_retraction_it_stands_for()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(), 201);
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(20_000_000m));

        // Appended as the tracker wrote corrections before retractions: a version and the name of what it reversed.
        var id = StreamIds.ForCommitment(Goal);
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(id, new EventCorrected(3, "pledge-stage-recorded", "the report was about another fund",
                new Evidence("washington-2024", null, true), "Germany"));
            await session.SaveChangesAsync();
        }

        await using var query = Store.QuerySession();
        var state = (await query.LoadAsync<CommitmentProgress>(id)).ShouldNotBeNull().State;
        state.Version.ShouldBe(4);
        state.Retracted.ShouldBe([3]);
        state.PledgeSums.Disbursed.ShouldBe(0m);
        (await query.LoadAsync<PledgeLedgerRow>(PledgeLedgerRow.IdOf(id, "germany-1"))).ShouldNotBeNull().Ledger.Disbursed.ShouldBe(0m);
        (await Api.ReadCommitment()).GetProperty("money").GetProperty("disbursed").GetDecimal().ShouldBe(0m);

        // The rules decide against the corrected state: the whole pledge can be disbursed again, and not twice corrected.
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(25_000_000m));
        (await Api.Write($"{Base}/corrections", new { version = 3, reason = "again", source = Source }, 409))
            .Json().GetProperty("rule").GetString().ShouldBe("already-corrected");
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    [Fact]
    public async Task a_disbursement_s_retraction_stored_before_it_carried_the_date_takes_the_date_of_the_stage_it_names()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(), 201);
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(20_000_000m));

        // Appended as the tracker wrote a disbursement's retraction before retractions named the stage's date.
        var id = StreamIds.ForCommitment(Goal);
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(id, new PledgeStageRetracted(3, "germany-1", "Germany", PledgeStage.Disbursed,
                new Money(20_000_000m, "EUR"), 21_000_000m, "the report was about another fund", new Evidence("washington-2024", null, true)));
            await session.SaveChangesAsync();
        }

        await using var query = Store.QuerySession();
        var row = (await query.LoadAsync<PledgeLedgerRow>(PledgeLedgerRow.IdOf(id, "germany-1"))).ShouldNotBeNull();
        (row.Ledger.Disbursed, row.FirstDisbursedOn).ShouldBe((0m, null));
        row.DisbursedByDay.ShouldBeEmpty();
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(25_000_000m));
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    [Fact]
    public async Task a_pledge_row_stored_when_it_listed_each_disbursement_reads_as_its_days_and_steps_on()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(), 201);
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(10_000_000m));
        var id = StreamIds.ForCommitment(Goal);
        // The row as a tracker stored it before disbursements were summed by day: each one, with its version.
        await using (var age = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("""
                         update tracker.mt_doc_pledgeledgerrow
                            set data = data - 'DisbursedByDay' || '{"Disbursements": [{"Version": 3, "Value": {"On": "2024-12-01", "Amount": 10000000}}]}'
                         """))
        {
            (await age.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        await using (var query = Store.QuerySession())
        {
            (await query.LoadAsync<PledgeLedgerRow>(PledgeLedgerRow.IdOf(id, "germany-1"))).ShouldNotBeNull()
                .DisbursedByDay.ShouldBe([new DisbursedOn(new DateOnly(2024, 12, 1), 10_000_000m, 1)]);
        }
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(15_000_000m));

        var pledge = (await Get("/api/pledgers/germany")).GetProperty("pledger").GetProperty("pledges")[0];
        pledge.GetProperty("fullyDisbursedOn").GetString().ShouldBe("2024-12-01");
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }
}
