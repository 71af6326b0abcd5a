using System.Text.Json;
using Alba;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Tracker.Tests.Faults;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Commitments.Pledging;

/// <summary>
/// Each pledge is a ledger row of its own; the commitment's state keeps the pledges' count and totals only, so a write
/// about one pledge reads and writes that pledge and the small state, however many pledges the commitment has.
/// </summary>
public sealed class pledge_ledgers(TrackerApp app) : TrackerTest(app)
{
    private const string Pledges = $"/api/commitments/{Goal}/pledges";
    private static readonly Guid Stream = StreamIds.ForCommitment(Goal);

    private static object Pledge(string pledger, decimal dollars, string? pledgeId = null) => new
    {
        pledgeId, pledger, amount = new { amount = dollars, currency = "USD" }, announcedOn = "2024-09-30", source = Source
    };

    private async Task<JsonElement> StoredState()
    {
        await using var command = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "select data -> 'State' from tracker.mt_doc_commitmentprogress where id = $1");
        command.Parameters.AddWithValue(Stream);
        return JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!).RootElement.Clone();
    }

    private async Task<IReadOnlyList<PledgeLedgerRow>> Rows()
    {
        await using var session = Store.QuerySession();
        return await session.Query<PledgeLedgerRow>().Where(r => r.StreamId == Stream).OrderBy(r => r.AnnouncedVersion).ToListAsync();
    }

    [Fact]
    public async Task the_state_keeps_the_pledges_totals_and_each_pledge_is_a_row_of_its_own()
    {
        await Api.StatedTheStabilisationGoal();
        for (var i = 1; i <= 12; i++) await Api.Write(Pledges, Pledge($"Member {i % 4}", 1_000_000m * i), 201);
        await Api.Write($"{Pledges}/member-1-1/stages", new { stage = "disbursed", amount = new { amount = 400_000m, currency = "USD" },
            on = "2024-10-01", source = LaterSource });
        var revised = await Api.Write($"{Pledges}/member-2-1/revisions", new
        {
            amount = new { amount = 5_000_000m, currency = "USD" }, reason = "topped up", source = Source
        });

        var state = await StoredState();
        state.GetProperty("Pledges").GetArrayLength().ShouldBe(0);
        state.GetProperty("Totals").GetProperty("Count").GetInt32().ShouldBe(12);
        var rows = await Rows();
        rows.Count.ShouldBe(12);
        rows.Single(r => r.Ledger.PledgeId == "member-2-1").Ledger.Amount.Amount.ShouldBe(5_000_000m);
        rows.Single(r => r.Ledger.PledgeId == "member-1-1").Ledger.Disbursed.ShouldBe(400_000m);
        var money = (await Api.ReadCommitment()).GetProperty("money");
        money.GetProperty("pledged").GetDecimal().ShouldBe(rows.Sum(r => r.Ledger.LedgerAmount));
        money.GetProperty("pledged").GetDecimal().ShouldBe(78_000_000m - 2_000_000m + 5_000_000m);
        money.GetProperty("disbursed").GetDecimal().ShouldBe(400_000m);

        // Retracting the revision brings the amount before it back, in the row and in the totals.
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = revised.Version(), reason = "not yet", source = Source });
        (await Api.ReadCommitment()).GetProperty("money").GetProperty("pledged").GetDecimal().ShouldBe(78_000_000m);
        (await Rows()).Single(r => r.Ledger.PledgeId == "member-2-1").Ledger.Amount.Amount.ShouldBe(2_000_000m);

        var page = (await Api.Scenario(s => s.Get.Url($"{Pledges}?pageSize=5&page=3"))).Json();
        page.GetProperty("total").GetInt64().ShouldBe(12);
        page.GetProperty("pageCount").GetInt64().ShouldBe(3);
        page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("pledgeId").GetString())
            .ShouldBe(["member-3-3", "member-0-3"]);
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    [Fact]
    public async Task a_pledge_named_after_its_pledger_takes_the_number_after_the_highest_of_that_pledger_s_pledges()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 1m), 201);
        await Api.Write(Pledges, Pledge("France", 1m), 201);
        await Api.Write(Pledges, Pledge("Germany", 1m, pledgeId: "germany-3"), 201);

        // Numbers are never handed out below the highest: germany-2 stays free.
        (await Api.Write(Pledges, Pledge("Germany", 1m), 201)).Context.Response.Headers.Location.ToString().ShouldBe($"{Pledges}/germany-4");
        (await Api.Write(Pledges, Pledge("Someone", 1m, pledgeId: "france-1"), 409))
            .Json().GetProperty("rule").GetString().ShouldBe("pledge-exists");
        // A pledge another pledger was given under France's numbering counts among France's numbers.
        await Api.Write(Pledges, Pledge("Belgium", 1m, pledgeId: "france-2"), 201);
        (await Api.Write(Pledges, Pledge("France", 1m), 201)).Context.Response.Headers.Location.ToString().ShouldBe($"{Pledges}/france-3");
        (await Rows()).Select(r => r.Ledger.PledgeId)
            .ShouldBe(["germany-1", "france-1", "germany-3", "germany-4", "france-2", "france-3"]);
    }

    [Fact]
    public async Task a_number_a_retraction_left_free_below_the_highest_is_not_given_to_another_pledge()
    {
        await Api.StatedTheStabilisationGoal();
        var first = await Api.Write(Pledges, Pledge("Germany", 1m), 201);
        await Api.Write(Pledges, Pledge("Germany", 2m), 201);
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = first.Version(), reason = "announced twice", source = Source });

        (await Api.Write(Pledges, Pledge("Germany", 3m), 201)).Context.Response.Headers.Location.ToString().ShouldBe($"{Pledges}/germany-3");
        (await Rows()).Select(r => r.Ledger.PledgeId).ShouldBe(["germany-2", "germany-3"]);
    }

    [Fact]
    public async Task the_number_of_a_retracted_highest_pledge_is_not_given_again()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 1m), 201);
        var mistaken = await Api.Write(Pledges, Pledge("Germany", 2m), 201);
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = mistaken.Version(), reason = "announced twice", source = Source });

        // germany-2 named the retracted pledge: the next is germany-3, so the history never shows two germany-2s.
        (await Api.Write(Pledges, Pledge("Germany", 3m), 201)).Context.Response.Headers.Location.ToString().ShouldBe($"{Pledges}/germany-3");
        (await Rows()).Select(r => r.Ledger.PledgeId).ShouldBe(["germany-1", "germany-3"]);
        // The only pledge of a stem, retracted: its number is not given again either.
        var only = await Api.Write(Pledges, Pledge("France", 1m), 201);
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = only.Version(), reason = "not France", source = Source });
        (await Api.Write(Pledges, Pledge("France", 1m), 201)).Context.Response.Headers.Location.ToString().ShouldBe($"{Pledges}/france-2");
    }

    [Fact]
    public async Task a_mistaken_explicit_number_once_retracted_no_longer_moves_the_numbering()
    {
        // Until 2026-12-07 a typo'd "germany-1000", retracted at once, made the next "germany-1001" for good, and a
        // retracted id with the highest number there is stopped numbering after its stem.
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 1m), 201);
        var typo = await Api.Write(Pledges, Pledge("Germany", 2m, pledgeId: "germany-1000"), 201);
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = typo.Version(), reason = "meant germany-2", source = Source });
        var highest = await Api.Write(Pledges, Pledge("France", 1m, pledgeId: "france-9223372036854775807"), 201);
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = highest.Version(), reason = "a typo", source = Source });

        (await Api.Write(Pledges, Pledge("Germany", 2m), 201)).Context.Response.Headers.Location.ToString().ShouldBe($"{Pledges}/germany-2");
        (await Api.Write(Pledges, Pledge("France", 1m), 201)).Context.Response.Headers.Location.ToString().ShouldBe($"{Pledges}/france-1");
        // Counting up past the retracted number, it is passed over: an id names one pledge, ever.
        await Api.Write(Pledges, Pledge("Germany", 3m, pledgeId: "germany-999"), 201);
        (await Api.Write(Pledges, Pledge("Germany", 4m), 201)).Context.Response.Headers.Location.ToString().ShouldBe($"{Pledges}/germany-1001");
        (await Rows()).Select(r => r.Ledger.PledgeId).ShouldBe(["germany-1", "germany-2", "france-1", "germany-999", "germany-1001"]);
    }

    [Fact]
    public async Task an_id_of_digits_alone_is_one_number_with_or_without_leading_zeros_standing_or_retracted()
    {
        // Until 2026-12-06 "1" and "01" were two pledges, and "02" was taken after "2" was retracted.
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 1m, pledgeId: "1"), 201);
        var two = await Api.Write(Pledges, Pledge("Germany", 1m, pledgeId: "2"), 201);
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = two.Version(), reason = "announced twice", source = Source });

        (await Api.Write(Pledges, Pledge("France", 1m, pledgeId: "01"), 409)).Json().GetProperty("rule").GetString().ShouldBe("pledge-exists");
        (await Api.Write(Pledges, Pledge("France", 1m, pledgeId: "002"), 409)).Json().GetProperty("rule").GetString().ShouldBe("pledge-id-retracted");
        await Api.Write(Pledges, Pledge("France", 1m, pledgeId: "3"), 201);
        (await Rows()).Select(r => r.Ledger.PledgeId).ShouldBe(["1", "3"]);
    }

    [Fact]
    public async Task a_retracted_pledge_s_id_is_refused_when_given_again()
    {
        await Api.StatedTheStabilisationGoal();
        var mistaken = await Api.Write(Pledges, Pledge("Japan", 5m, pledgeId: "jp-2024-a"), 201);
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = mistaken.Version(), reason = "wrong amount", source = Source });

        var refused = await Api.Write(Pledges, Pledge("Japan", 6m, pledgeId: "jp-2024-a"), 409);
        refused.Json().GetProperty("rule").GetString().ShouldBe("pledge-id-retracted");
        refused.ReadProblem(409).Detail.ShouldNotBeNull().ShouldContain("jp-2024-a");
        await Api.Write(Pledges, Pledge("Japan", 6m, pledgeId: "jp-2024-b"), 201);
        (await Rows()).Select(r => r.Ledger.PledgeId).ShouldBe(["jp-2024-b"]);
    }

    [Fact]
    public async Task numbering_after_an_explicit_number_of_eighteen_digits_never_gives_one_id_twice_and_stops_at_the_highest()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 1m, pledgeId: "germany-999999999999999999"), 201);

        (await Api.Write(Pledges, Pledge("Germany", 2m), 201)).Context.Response.Headers.Location.ToString()
            .ShouldBe($"{Pledges}/germany-1000000000000000000");
        (await Api.Write(Pledges, Pledge("Germany", 3m), 201)).Context.Response.Headers.Location.ToString()
            .ShouldBe($"{Pledges}/germany-1000000000000000001");
        await Api.Write(Pledges, Pledge("Germany", 4m, pledgeId: "germany-9223372036854775807"), 201);
        (await Api.Write(Pledges, Pledge("Germany", 5m), 409)).Json().GetProperty("rule").GetString().ShouldBe("pledge-numbers-exhausted");
        // One past the highest counts as no number, so its leading zeros could not be told apart: refused.
        (await Api.Write(Pledges, Pledge("Spain", 1m, pledgeId: "spain-9223372036854775808"), 400)).ReadAsText()
            .ShouldContain("ends in one of at most 9,223,372,036,854,775,807");

        (await Rows()).Select(r => r.Ledger.PledgeId).Distinct().Count().ShouldBe(4);
        (await Api.ReadCommitment()).GetProperty("pledgeCount").GetInt32().ShouldBe(4);
    }

    [Fact]
    public async Task an_id_with_the_number_of_a_standing_pledge_written_otherwise_names_that_pledge()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 1m), 201);

        (await Api.Write(Pledges, Pledge("Germany", 2m, pledgeId: "germany-00001"), 409)).ReadProblem(409).Detail.ShouldNotBeNull()
            .ShouldStartWith("Pledge 'germany-1' is already recorded");
        await Api.Write(Pledges, Pledge("Germany", 2m, pledgeId: "germany-10"), 201);
        (await Rows()).Select(r => r.Ledger.PledgeId).ShouldBe(["germany-1", "germany-10"]);
    }

    [Fact]
    public async Task pledges_numbered_at_once_each_answer_with_their_own_pledge()
    {
        await Api.StatedTheStabilisationGoal();

        var answers = await Task.WhenAll(Enumerable.Range(1, 8).Select(n => Api.Scenario(s =>
        {
            s.Post.Json(Pledge("Italy", n * 11m)).ToUrl(Pledges);
            s.StatusCodeShouldBe(201);
        })));

        foreach (var (answer, n) in answers.Select((a, i) => (a, i + 1)))
        {
            var pledge = answer.Json().GetProperty("pledge");
            pledge.GetProperty("amount").GetProperty("amount").GetDecimal().ShouldBe(n * 11m);
            answer.Context.Response.Headers.Location.ToString().ShouldBe($"{Pledges}/{pledge.GetProperty("pledgeId").GetString()}");
        }
        answers.Select(a => a.Json().GetProperty("pledge").GetProperty("pledgeId").GetString())
            .ShouldBe(Enumerable.Range(1, 8).Select(n => $"italy-{n}"), ignoreOrder: true);
    }

    [Fact]
    public async Task rows_stored_before_rows_kept_their_number_still_count_when_numbering()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 1m), 201);
        await Api.Write(Pledges, Pledge("Germany", 1m, pledgeId: "germany-7"), 201);
        // As an older version stored them: the number only in the id.
        await using (var older = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         "update tracker.mt_doc_pledgeledgerrow set id_number = null where stream_id = $1"))
        {
            older.Parameters.AddWithValue(Stream);
            (await older.ExecuteNonQueryAsync()).ShouldBe(2);
        }

        (await Api.Write(Pledges, Pledge("Germany", 1m), 201)).Context.Response.Headers.Location.ToString().ShouldBe($"{Pledges}/germany-8");
    }

    [Fact]
    public async Task a_retracted_pledge_leaves_no_row_and_its_amount_leaves_the_totals()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 3_000_000m), 201);
        var mistaken = await Api.Write(Pledges, Pledge("France", 2_000_000m), 201);

        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = mistaken.Version(), reason = "not France", source = Source });

        (await Rows()).Select(r => r.Ledger.PledgeId).ShouldBe(["germany-1"]);
        var commitment = await Api.ReadCommitment();
        commitment.GetProperty("money").GetProperty("pledged").GetDecimal().ShouldBe(3_000_000m);
        commitment.GetProperty("pledgeCount").GetInt32().ShouldBe(1);
        (await Api.Write($"{Pledges}/france-1/stages", Disbursement(1m, "USD", null), 404))
            .Json().GetProperty("rule").GetString().ShouldBe("unknown-pledge");
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    [Fact]
    public async Task the_past_stepped_from_a_checkpoint_stored_before_pledge_rows_keeps_its_totals()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 3_000_000m), 201);
        await Api.Write(Pledges, Pledge("France", 2_000_000m), 201);
        for (var i = 0; i < 23; i++) await Api.Write($"/api/commitments/{Goal}/progress", Progress(1_000_000m + i));
        // The checkpoint at version 25 as a tracker from before pledge rows stored it: every pledge in the state, no totals.
        await using (var age = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("""
                         update tracker.mt_doc_progresscheckpoint c
                            set data = jsonb_set(c.data #- '{Progress,State,Totals}', '{Progress,State,Pledges}',
                                (select jsonb_agg(r.data -> 'Ledger' order by r.announced_version) from tracker.mt_doc_pledgeledgerrow r))
                         """))
        {
            (await age.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var then = (await Api.Scenario(s => s.Get.Url($"/api/commitments/{Goal}?version=26"))).Json();

        then.GetProperty("money").GetProperty("pledged").GetDecimal().ShouldBe(5_000_000m);
        then.GetProperty("pledgeCount").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task a_session_that_saves_again_steps_the_pledge_as_committed_since_not_as_it_last_wrote_it()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 3_000_000m), 201);
        PledgeStageRecorded Disbursed(decimal dollars) => new("germany-1", "Germany", PledgeStage.Disbursed,
            new Money(dollars, "USD"), new DateOnly(2024, 10, 1), null, dollars, new Evidence("washington-2024", null, true));

        await using var reused = Store.LightweightSession();
        (await reused.Events.FetchForWriting<CommitmentProgress>(Stream)).AppendOne(Disbursed(1_000_000m));
        await reused.SaveChangesAsync();
        // Another writer disburses more of the same pledge in between.
        await Api.Write($"{Pledges}/germany-1/stages", Disbursement(500_000m, "USD", null));
        reused.Events.Append(Stream, Disbursed(250_000m));
        await reused.SaveChangesAsync();

        // The row steps from what was committed. (The session's progress model is Marten's aggregate, which its identity
        // map keeps as this session last wrote it: a session that writes again fetches the stream again.)
        (await Rows()).Single().Ledger.Disbursed.ShouldBe(1_750_000m);
    }

    [Fact]
    public async Task a_revision_cannot_take_effect_before_the_revision_in_force()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 3_000_000m), 201);
        await Api.Write($"{Pledges}/germany-1/revisions", new
        {
            amount = new { amount = 2_200_000m, currency = "USD" }, reason = "cut",
            source = new { url = "https://example.org/a-later-source", primary = true, on = "2025-02-03" }
        });

        var refused = (await Api.Write($"{Pledges}/germany-1/revisions", new
        {
            amount = new { amount = 4_000_000m, currency = "USD" }, reason = "raised",
            source = new { url = "https://example.org/a-later-source", primary = true, on = "2025-01-10" }
        }, 422)).Json();

        refused.GetProperty("rule").GetString().ShouldBe("revision-out-of-order");
        refused.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("2025-02-03");
        // The same day, or later, follows it.
        await Api.Write($"{Pledges}/germany-1/revisions", new
        {
            amount = new { amount = 2_500_000m, currency = "USD" }, reason = "raised again",
            source = new { url = "https://example.org/a-later-source", primary = true, on = "2025-02-03" }
        });
    }

    [Fact]
    public async Task a_revision_cannot_take_effect_before_its_pledge_was_announced()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 3_000_000m), 201);

        (await Api.Write($"{Pledges}/germany-1/revisions", new
        {
            amount = new { amount = 4_000_000m, currency = "USD" }, reason = "raised",
            source = new { url = "https://example.org/a-later-source", primary = true, on = "2024-09-01" }
        }, 422)).Json().GetProperty("rule").GetString().ShouldBe("revision-before-announcement");

        // Undated, a revision takes effect the day it is recorded, which no announcement can follow: a pledge is not
        // announced for a later day (a day something happened is never after today).
        var future = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(2).ToString("yyyy-MM-dd");
        var refused = await Api.Write(Pledges, new
        {
            pledger = "France", amount = new { amount = 1_000_000m, currency = "USD" }, announcedOn = future, source = Source
        }, 400);
        refused.Json().GetProperty("errors").GetProperty("announcedOn")[0].GetString().ShouldStartWith("announcedOn must not be later than today");
    }

    [Fact]
    public async Task revisions_and_retractions_stored_before_they_carried_their_amounts_replay_to_the_same_totals()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(Pledges, Pledge("Germany", 3_000_000m), 201);
        await Api.Write(Pledges, Pledge("France", 2_000_000m), 201);
        // The effective timeline has taken these in, so it meets each old fact below from a model that keeps the pledges'
        // totals only, with no pledge in hand: it must fold the stream from the statement instead.
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        // Appended one by one, as writes stored them before revisions and retractions said the amounts they change.
        var source = new Evidence("washington-2024", null, true);
        foreach (var old in new object[]
                 {
                     new PledgeRevised("germany-1", "Germany", new Money(4_000_000m, "USD"), null, 4_000_000m, "raised", source),
                     new PledgeRevised("germany-1", "Germany", new Money(6_000_000m, "USD"), null, 6_000_000m, "raised again", source),
                     new PledgeRevisionRetracted(5, "germany-1", "Germany", "the second raise was wrong", source),
                     new PledgeRetracted(3, "france-1", "France", "not France", source)
                 })
        {
            await using var session = Store.LightweightSession();
            (await session.Events.FetchForWriting<CommitmentProgress>(Stream)).AppendOne(old);
            await session.SaveChangesAsync();
            // Each on a page of its own, continuing from the model the page before kept, and checked there: a later
            // retraction refolds the whole stream, which would hide a page folded wrong before it.
            await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
            var timeline = (await Api.Scenario(s => s.Get.Url("/api/admin/projections/EffectiveTimeline/verify"))).Json();
            timeline.GetProperty("consistent").GetBoolean().ShouldBeTrue($"after {old.GetType().Name}: {timeline}");
        }

        var commitment = await Api.ReadCommitment();
        commitment.GetProperty("money").GetProperty("pledged").GetDecimal().ShouldBe(4_000_000m);
        commitment.GetProperty("pledgeCount").GetInt32().ShouldBe(1);
        (await Rows()).Single().Ledger.Amount.Amount.ShouldBe(4_000_000m);
        // The past as recorded steps the stored checkpoints' small state through the same events, reading each pledge
        // those events need from the log.
        var asOf = (await Api.Scenario(s => s.Get.Url($"/api/commitments/{Goal}?version=5"))).Json();
        asOf.GetProperty("money").GetProperty("pledged").GetDecimal().ShouldBe(8_000_000m);
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }
}
