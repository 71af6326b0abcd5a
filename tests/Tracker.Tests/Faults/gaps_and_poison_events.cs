using System.Text.Json;
using Alba;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Domain;
using Tracker.Tests.Commitments;
using Tracker.Tests.ReadModels;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Faults;

/// <summary>In the rebuild collection: a poison event makes rebuilds fail, which must not disturb other tests' rebuilds.</summary>
[Collection(RebuildCollection.Name)]
public sealed class gaps_and_poison_events(TrackerApp app) : TrackerTest(app)
{
    private NpgsqlDataSource Database => Api.Services.GetRequiredService<NpgsqlDataSource>();

    /// <summary>A pledger's page: the pledger views are read from the pledge rows each write keeps, so they are current.</summary>
    private async Task<JsonElement> Pledger(string key) => (await Api.Scenario(s => s.Get.Url($"/api/pledgers/{key}"))).Json();

    [Fact]
    public async Task a_sequence_gap_from_a_rolled_back_transaction_does_not_stall_the_async_projections()
    {
        await Api.StatedTheStabilisationGoal();
        await using (var connection = await Database.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            // What an append that failed after reserving its sequence numbers leaves behind.
            await using var reserve = new NpgsqlCommand("select nextval('tracker.mt_events_sequence') from generate_series(1, 5)", connection, transaction);
            await reserve.ExecuteNonQueryAsync();
            await transaction.RollbackAsync();
        }

        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);

        var germany = await Pledger("germany");
        germany.GetProperty("pledger").GetProperty("pledges").GetArrayLength().ShouldBe(1);
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    /// <summary>
    /// A pledge with no amount, as a bug or an old version might have written it, straight into the log: a rebuild of the
    /// progress models and the pledge rows cannot apply it.
    /// </summary>
    private async Task<long> APoisonEventInTheLog(Guid? inStream = null)
    {
        var stream = inStream ?? Guid.NewGuid();
        await using var command = Database.CreateCommand("""
            with stream as (insert into tracker.mt_streams (id, type, version) values ($1, 'Commitment', 1) returning id)
            insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, correlation_id)
            select nextval('tracker.mt_events_sequence'), gen_random_uuid(), stream.id, 1,
                   '{"Pledger": "Poisonia", "PledgeId": "poisonia-1", "CommitmentKey": "nowhere", "AnnouncedOn": "2024-10-02",
                     "Amount": null, "Source": {"Primary": true, "DocumentKey": "washington-2024"}}',
                   'pledge_announced', now(), 'Tracker.Domain.Commitments.PledgeAnnounced, Tracker.Domain', 'poison'
            from stream
            returning seq_id
            """);
        command.Parameters.AddWithValue(stream);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// A commitment stated through the API, then a pledge with no amount appended to it straight into the log: the
    /// effective timeline, kept by the async daemon, cannot apply it.
    /// </summary>
    private async Task<long> APoisonPledgeAfterAStatement(string key)
    {
        await Api.Write("/api/commitments", StabilisationGoal(key), 201);
        return await TheSecondFactStraightIntoTheLog(key, "pledge_announced", "PledgeAnnounced", """
            {"Pledger": "Poisonia", "PledgeId": "poisonia-1", "CommitmentKey": "nowhere", "AnnouncedOn": "2024-10-02",
             "Amount": null, "LedgerAmount": 1, "Source": {"Primary": true, "DocumentKey": "washington-2024"}}
            """);
    }

    /// <summary>A fact appended as version 2 of a commitment's stream in SQL, past every rule; its global sequence.</summary>
    private async Task<long> TheSecondFactStraightIntoTheLog(string key, string type, string eventClass, string json)
    {
        await using var command = Database.CreateCommand("""
            with stream as (update tracker.mt_streams set version = 2 where id = $1 returning id)
            insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, correlation_id)
            select nextval('tracker.mt_events_sequence'), gen_random_uuid(), stream.id, 2, $2::jsonb, $3, now(), $4, 'poison'
            from stream
            returning seq_id
            """);
        command.Parameters.AddWithValue(StreamIds.ForCommitment(key));
        command.Parameters.AddWithValue(json);
        command.Parameters.AddWithValue(type);
        command.Parameters.AddWithValue($"Tracker.Domain.Commitments.{eventClass}, Tracker.Domain");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The version a commitment's effective timeline has taken in, through its last day.</summary>
    private async Task<object?> TakenIn(string key)
    {
        await using var timeline = Database.CreateCommand("select max(through_version) from tracker.commitment_days where stream_id = $1");
        timeline.Parameters.AddWithValue(StreamIds.ForCommitment(key));
        return await timeline.ExecuteScalarAsync();
    }

    /// <summary>The dead letters the daemon has recorded, once there is one.</summary>
    private Task<List<string>> DeadLetters() => Eventually.Until(async () =>
    {
        await using var command = Database.CreateCommand("select data::text from tracker.mt_doc_deadletterevent");
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }, rows => rows.Count > 0, TimeSpan.FromSeconds(30));

    [Fact]
    public async Task the_daemon_skips_and_records_a_poison_event_and_keeps_projecting_the_rest()
    {
        await Api.StatedTheStabilisationGoal();
        var poison = await APoisonPledgeAfterAStatement("stabilisation-2021-drive");

        await Api.Write($"/api/commitments/{Goal}/progress", Progress());

        // The goal's report, recorded after the poison, reaches its timeline; and so does a fact recorded on the poisoned
        // commitment after it (its timeline reads the poison again from the stream, and leaves it out as the daemon did).
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        await Api.Write("/api/commitments/stabilisation-2021-drive/progress", Progress());
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        (await TakenIn(Goal)).ShouldBe(2);
        (await TakenIn("stabilisation-2021-drive")).ShouldBe(3);
        var verified = (await Api.Scenario(s => s.Get.Url("/api/admin/projections/EffectiveTimeline/verify"))).Json();
        verified.GetProperty("consistent").GetBoolean().ShouldBeTrue(verified.ToString());
        var deadLetters = await DeadLetters();
        deadLetters.ShouldHaveSingleItem().ShouldContain($"\"EventSequence\": {poison}");
        var health = (await Api.Scenario(s => s.Get.Url("/health/ready"))).Json();
        health.GetProperty("checks").GetProperty("database").GetProperty("data").GetProperty("deadLetterEvents").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task an_event_no_type_can_read_is_skipped_when_read_again_and_every_timeline_moves_on()
    {
        // Until 2026-12-06 the timeline read the skipped event again from the stream on the commitment's next fact, threw,
        // and took the page again and again: no commitment's timeline moved on from it.
        await Api.StatedTheStabilisationGoal();
        await Api.Write("/api/commitments", StabilisationGoal("stabilisation-2021-drive"), 201);
        var unreadable = await TheSecondFactStraightIntoTheLog("stabilisation-2021-drive", "progress_reported", "ProgressReported", "{}");
        (await DeadLetters()).ShouldAllBe(letter => letter.Contains($"\"EventSequence\": {unreadable}"));

        await Api.Write("/api/commitments/stabilisation-2021-drive/progress", Progress());
        await Api.Write($"/api/commitments/{Goal}/progress", Progress());
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        (await TakenIn("stabilisation-2021-drive")).ShouldBe(3);
        (await TakenIn(Goal)).ShouldBe(2);
        // And verification names it, the log's and the commitment's, as the reads that refuse it say (until 2026-12-06 both
        // called the log intact once the commitment's next fact had brought its model level with its events).
        foreach (var route in new[] { "/api/audit/verify", "/api/audit/commitments/stabilisation-2021-drive/verify" })
        {
            var verified = (await Api.Scenario(s => s.Get.Url(route))).Json();
            verified.GetProperty("intact").GetBoolean().ShouldBeFalse(route);
            var named = verified.GetProperty("breaks").EnumerateArray().Single(b => b.GetProperty("sequence").GetInt64() == unreadable);
            named.GetProperty("reason").GetString().ShouldNotBeNull().ShouldStartWith("the event does not read as the kind of event it says it is");
        }
        // The timeline's own check names it, as a rebuild does.
        (await Api.Scenario(s =>
        {
            s.Get.Url("/api/admin/projections/EffectiveTimeline/verify");
            s.StatusCodeShouldBe(409);
        })).ReadProblem(409).Detail.ShouldNotBeNull().ShouldContain($"{unreadable} (progress_reported");
        // A dead letter of an event that reads names nothing: left from an older shape, or written by hand.
        await using (var forged = Database.CreateCommand("""
                         insert into tracker.mt_doc_deadletterevent (id, data, mt_last_modified, mt_version, mt_dotnet_type)
                         select gen_random_uuid(), jsonb_set(data, '{EventSequence}', to_jsonb((select min(seq_id) from tracker.mt_events))),
                                now(), gen_random_uuid(), mt_dotnet_type
                           from tracker.mt_doc_deadletterevent limit 1
                         """))
        {
            (await forged.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        var breaks = (await Api.Scenario(s => s.Get.Url("/api/audit/verify"))).Json().GetProperty("breaks").EnumerateArray()
            .Select(b => b.GetProperty("sequence").GetInt64()).ToList();
        breaks.ShouldBe([unreadable]);
        // Verification reads every event itself: with the dead letters gone (deleted by whoever holds the service's
        // credentials), the event is still named (until 2026-12-06 only the dead letters said which events to read).
        await using (var deleted = Database.CreateCommand("delete from tracker.mt_doc_deadletterevent"))
        {
            (await deleted.ExecuteNonQueryAsync()).ShouldBeGreaterThan(1);
        }
        foreach (var route in new[] { "/api/audit/verify", "/api/audit/commitments/stabilisation-2021-drive/verify" })
        {
            (await Api.Scenario(s => s.Get.Url(route))).Json().GetProperty("breaks").EnumerateArray()
                .Select(b => b.GetProperty("sequence").GetInt64()).ShouldBe([unreadable], route);
        }
        // The goal's events were recorded before and after it: its own verification names nothing of another stream's.
        var goal = (await Api.Scenario(s => s.Get.Url($"/api/audit/commitments/{Goal}/verify"))).Json();
        goal.GetProperty("intact").GetBoolean().ShouldBeTrue(goal.ToString());
    }

    [Fact]
    public async Task an_event_of_a_type_no_longer_known_is_skipped_when_read_again_and_the_timeline_moves_on()
    {
        // A type a later version dropped, or a row written by hand: the daemon skips it; a read again must too.
        await Api.StatedTheStabilisationGoal();
        await Api.Write("/api/commitments", StabilisationGoal("stabilisation-2021-drive"), 201);
        var unknown = await TheSecondFactStraightIntoTheLog("stabilisation-2021-drive", "pledge_forgotten", "PledgeForgotten", "{}");

        await Api.Write("/api/commitments/stabilisation-2021-drive/progress", Progress());
        await Api.Write($"/api/commitments/{Goal}/progress", Progress());
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        (await TakenIn("stabilisation-2021-drive")).ShouldBe(3);
        (await TakenIn(Goal)).ShouldBe(2);
        // Verification names it, by its type (until 2026-12-06 it said the log was intact: the daemon writes no dead
        // letter for a type it does not know, and only dead letters were read again).
        foreach (var route in new[] { "/api/audit/verify", "/api/audit/commitments/stabilisation-2021-drive/verify" })
        {
            var verified = (await Api.Scenario(s => s.Get.Url(route))).Json();
            verified.GetProperty("intact").GetBoolean().ShouldBeFalse(route);
            var named = verified.GetProperty("breaks").EnumerateArray().ShouldHaveSingleItem();
            named.GetProperty("sequence").GetInt64().ShouldBe(unknown);
            named.GetProperty("reason").GetString().ShouldNotBeNull().ShouldContain("no event is of the type 'pledge_forgotten' here");
        }
    }

    [Theory]
    // A body no type can read: the failure names its sequence, and the read leaves it out by it.
    [InlineData("progress_reported", "ProgressReported")]
    // A type no longer known: Marten's failure names no sequence, and the stream is read an event at a time.
    [InlineData("pledge_forgotten", "PledgeForgotten")]
    public async Task a_stream_read_again_leaves_out_an_event_that_does_not_read_and_keeps_the_rest(string type, string eventClass)
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write("/api/commitments", StabilisationGoal("stabilisation-2021-drive"), 201);
        await TheSecondFactStraightIntoTheLog("stabilisation-2021-drive", type, eventClass, "{}");
        await Api.Write("/api/commitments/stabilisation-2021-drive/progress", Progress());
        await using var session = Store.QuerySession();
        var id = StreamIds.ForCommitment("stabilisation-2021-drive");

        (await Tracker.Projections.ReadableEvents.Of(session, id, 1, 0, CancellationToken.None)).Select(e => e.Version).ShouldBe([1L, 3L]);
        (await Tracker.Projections.ReadableEvents.Of(session, id, 2, 3, CancellationToken.None)).Select(e => e.Version).ShouldBe([3L]);
        (await Tracker.Projections.ReadableEvents.At(session, id, [3, 2, 1], CancellationToken.None)).Select(e => e.Version).ShouldBe([1L, 3L]);
    }

    [Fact]
    public async Task readiness_says_a_projection_that_stands_still_a_few_events_behind_is_degraded()
    {
        // Until 2026-12-06 readiness turned Degraded only 10,000 events behind: a projection standing still on a page it
        // took again and again, a handful of events behind, read as Healthy.
        await Api.StatedTheStabilisationGoal();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        // As a projection that never took in the newest event shows it: its position one event back.
        await using (var windBack = Database.CreateCommand(
                         "update tracker.mt_event_progression set last_seq_id = last_seq_id - 1 where name = 'EffectiveTimeline:All'"))
        {
            (await windBack.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        await using var impatient = await TrackerApp.StartAnotherHost(("Health:MaxProjectionDelaySeconds", "0"));

        var ready = (await impatient.Scenario(s => s.Get.Url("/health/ready"))).Json().GetProperty("checks").GetProperty("database");

        ready.GetProperty("status").GetString().ShouldBe("Degraded", ready.ToString());
        ready.GetProperty("description").GetString().ShouldNotBeNull().ShouldStartWith("An async projection has not taken in an event stored");
        // Within the default minute, the same lag is a projection at work.
        (await Api.Scenario(s => s.Get.Url("/health/ready"))).Json().GetProperty("checks").GetProperty("database")
            .GetProperty("status").GetString().ShouldBe("Healthy");
    }

    [Fact]
    public async Task readiness_takes_neither_a_gap_at_the_log_s_end_nor_a_position_ahead_for_a_stalled_projection()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        // What failed appends leave at the log's end: numbers taken, no event stored under them. No event waits there.
        await using (var connection = await Database.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var reserve = new NpgsqlCommand("select nextval('tracker.mt_events_sequence') from generate_series(1, 5)", connection, transaction);
            await reserve.ExecuteNonQueryAsync();
            await transaction.RollbackAsync();
        }
        // And a projection's position past the newest event (a log restored from an older backup under newer progress rows).
        await using (var ahead = Database.CreateCommand(
                         "update tracker.mt_event_progression set last_seq_id = last_seq_id + 1000 where name = 'DashboardRollup:All'"))
        {
            (await ahead.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        await using var impatient = await TrackerApp.StartAnotherHost(("Health:MaxProjectionDelaySeconds", "0"));

        var ready = (await impatient.Scenario(s => s.Get.Url("/health/ready"))).Json().GetProperty("checks").GetProperty("database");

        ready.GetProperty("status").GetString().ShouldBe("Healthy", ready.ToString());
        ready.GetProperty("data").GetProperty("projectionLag").GetProperty("DashboardRollup:All").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task a_timeline_whose_last_event_is_poison_is_compared_not_left_out_as_behind()
    {
        await Api.StatedTheStabilisationGoal();
        var poison = await APoisonPledgeAfterAStatement("stabilisation-2021-drive");
        (await DeadLetters()).ShouldHaveSingleItem().ShouldContain($"\"EventSequence\": {poison}");
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        // The poisoned commitment's timeline stops at its statement, the event before the poison, and is complete there:
        // both commitments are compared, neither is waited for.
        var verified = (await Api.Scenario(s => s.Get.Url("/api/admin/projections/EffectiveTimeline/verify"))).Json();
        verified.GetProperty("consistent").GetBoolean().ShouldBeTrue(verified.ToString());
        verified.GetProperty("compared").GetInt32().ShouldBe(2, verified.ToString());
        verified.GetProperty("matching").GetInt32().ShouldBe(2, verified.ToString());
        verified.GetProperty("newerLeftOut").GetInt32().ShouldBe(0, verified.ToString());
    }

    /// <summary>
    /// A deadline revised to December of the calendar's last year, straight into the log: its step goes through, but the
    /// model cannot be summarised with it (the month's last day is past the calendar's end).
    /// </summary>
    private Task<long> ADeadlineBeyondTheCalendar(string key) =>
        TheSecondFactStraightIntoTheLog(key, "deadline_revised", "DeadlineRevised", """
            {"NewDeadline": {"Date": "9999-12-01", "Precision": "Month", "Description": null}, "Reason": "by hand",
             "Source": {"Primary": true, "DocumentKey": "washington-2024"}}
            """);

    [Fact]
    public async Task the_timeline_leaves_out_a_fact_its_day_cannot_be_summarised_with_and_keeps_the_rest_of_that_day()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write("/api/commitments", StabilisationGoal("stabilisation-2021-drive"), 201);
        var poison = await ADeadlineBeyondTheCalendar("stabilisation-2021-drive");

        // Recorded the same day as the poison: the day is summarised without it.
        await Api.Write("/api/commitments/stabilisation-2021-drive/progress", Progress());
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        (await TakenIn("stabilisation-2021-drive")).ShouldBe(3);
        var verified = (await Api.Scenario(s => s.Get.Url("/api/admin/projections/EffectiveTimeline/verify"))).Json();
        verified.GetProperty("consistent").GetBoolean().ShouldBeTrue(verified.ToString());
        var deadLetters = await DeadLetters();
        deadLetters.ShouldHaveSingleItem().ShouldContain($"\"EventSequence\": {poison}");
    }

    [Fact]
    public async Task a_rebuild_and_a_verification_name_an_event_whose_body_its_type_cannot_read()
    {
        // The amount as a bare word where its type has an amount and a currency: no object of the type can be made of it.
        await Api.StatedTheStabilisationGoal();
        var unreadable = await TheSecondFactStraightIntoTheLog(Goal, "pledge_announced", "PledgeAnnounced", """
            {"Pledger": "Norway", "PledgeId": "norway-1", "CommitmentKey": "stabilisation-2021-drive", "AnnouncedOn": "2024-10-02",
             "Amount": "a million", "LedgerAmount": 1000000, "Source": {"Primary": true, "DocumentKey": "washington-2024"}}
            """);

        var failed = await Should.ThrowAsync<Tracker.Api.Admin.PoisonEventException>(() => Api.Services
            .GetRequiredService<Tracker.Api.Admin.ProjectionRebuilds>().RebuildThrough(long.MaxValue, CancellationToken.None));

        failed.Sequence.ShouldBe(unreadable);
        failed.Message.ShouldStartWith($"Event {unreadable} (pledge_announced, stream {StreamIds.ForCommitment(Goal)} version 2) cannot be read");
        var verify = await Api.Scenario(s =>
        {
            s.Get.Url("/api/admin/projections/CommitmentProgress/verify");
            s.StatusCodeShouldBe(409);
        });
        verify.ReadProblem(409).Detail.ShouldNotBeNull().ShouldStartWith($"Event {unreadable} (pledge_announced");
    }

    [Fact]
    public async Task a_rebuild_over_a_poison_event_fails_loudly_and_names_it()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        var poison = await APoisonEventInTheLog();

        var started = await Api.Scenario(s =>
        {
            s.Post.Url("/api/admin/projections/CommitmentProgress/rebuild");
            s.StatusCodeShouldBe(202);
        });
        var location = started.Context.Response.Headers.Location.ToString();
        var finished = await Eventually.Until(async () => (await Api.Scenario(s => s.Get.Url(location))).Json(),
            p => p.GetProperty("status").GetString() != "running", TimeSpan.FromSeconds(30));

        finished.GetProperty("status").GetString().ShouldBe("failed");
        finished.GetProperty("error").GetString().ShouldNotBeNull().ShouldStartWith($"Event {poison} (pledge_announced");
        (await Pledger("germany")).GetProperty("pledger").GetProperty("pledges").GetArrayLength().ShouldBe(1,
            "a failed rebuild leaves the live models as they were");
        var verify = await Api.Scenario(s =>
        {
            s.Get.Url("/api/admin/projections/CommitmentProgress/verify");
            s.StatusCodeShouldBe(409);
        });
        verify.ReadProblem(409).Detail.ShouldNotBeNull().ShouldContain($"Event {poison}");
    }

    [Fact]
    public async Task a_rebuild_that_fails_after_writing_models_leaves_their_list_rows_and_pledgers_following_them()
    {
        const string Drive = "stabilisation-2021-drive";
        await Api.StatedTheStabilisationGoal();
        await Api.Write("/api/commitments", StabilisationGoal(Drive), 201);
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"/api/commitments/{Drive}/pledges", GermanPledge(5_000_000m), 201);
        // Spoiled models, which a rebuild writes again; their triggers carry the spoiling to the list rows and the pledgers.
        await using (var spoil = Database.CreateCommand("""
                         update tracker.mt_doc_commitmentprogress set data = jsonb_set(data, '{Title}', '"spoiled"'), title = 'spoiled';
                         update tracker.mt_doc_pledgeledgerrow set data = jsonb_set(data, '{Pledged}', '1');
                         """))
        {
            await spoil.ExecuteNonQueryAsync();
        }
        // The stream read last, its one event poison: the rebuild fails after writing the streams before it, one event a page.
        var poison = await APoisonEventInTheLog(Guid.Parse("ffffffff-ffff-ffff-ffff-ffffffffffff"));
        var rebuilds = Api.Services.GetRequiredService<Tracker.Api.Admin.ProjectionRebuilds>();
        JsonElement finished;
        rebuilds.EventsPerPage = 1;
        try
        {
            var started = await Api.Scenario(s =>
            {
                s.Post.Url("/api/admin/projections/all/rebuild");
                s.StatusCodeShouldBe(202);
            });
            var location = started.Context.Response.Headers.Location.ToString();
            finished = await Eventually.Until(async () => (await Api.Scenario(s => s.Get.Url(location))).Json(),
                p => p.GetProperty("status").GetString() != "running", TimeSpan.FromSeconds(30));
        }
        finally
        {
            rebuilds.EventsPerPage = Tracker.Api.Admin.ReadModelReplay.EventsPerPage;
        }

        finished.GetProperty("status").GetString().ShouldBe("failed");
        finished.GetProperty("error").GetString().ShouldNotBeNull().ShouldStartWith($"Event {poison} (pledge_announced");
        finished.GetProperty("modelsWritten").GetInt32().ShouldBeGreaterThan(0, "the streams before the poison were written");
        (await Differing(Tracker.Projections.Commitments.CommitmentRows.Differences("tracker"))).ShouldBeEmpty();
        (await Differing(Tracker.Projections.Commitments.Pledges.PledgerRollup.Differences("tracker"))).ShouldBeEmpty();
        (await RebuildsNotFollowedUp()).ShouldBe(0, "its failure path followed it up");
    }

    [Fact]
    public async Task a_start_after_a_rebuild_that_never_reached_its_end_brings_the_list_rows_and_pledgers_back_to_its_models()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await ARebuildKilledAfterItsWrites();
        (await Differing(Tracker.Projections.Commitments.CommitmentRows.Differences("tracker"))).ShouldNotBeEmpty();
        (await Differing(Tracker.Projections.Commitments.Pledges.PledgerRollup.Differences("tracker"))).ShouldNotBeEmpty();

        await TheNextStart();

        (await Differing(Tracker.Projections.Commitments.CommitmentRows.Differences("tracker"))).ShouldBeEmpty();
        (await Differing(Tracker.Projections.Commitments.Pledges.PledgerRollup.Differences("tracker"))).ShouldBeEmpty();
        (await RebuildsNotFollowedUp()).ShouldBe(0);
        var list = (await Api.Scenario(s => s.Get.Url("/api/commitments"))).Json();
        list.GetProperty("items")[0].GetProperty("title").GetString().ShouldBe("As the killed rebuild wrote it");
    }

    [Fact]
    public async Task a_start_leaves_the_follow_up_to_a_rebuild_running_on_another_node()
    {
        await Api.StatedTheStabilisationGoal();
        await ARebuildKilledAfterItsWrites();
        await using var otherNode = await ASessionOfItsOwn();
        await using (var rebuilding = new NpgsqlCommand(
                         $"select pg_advisory_lock({Tracker.Api.Admin.ProjectionRebuilds.LockClass}, {Tracker.Api.Admin.ProjectionRebuilds.LockObject})", otherNode))
        {
            await rebuilding.ExecuteNonQueryAsync();
        }

        await TheNextStart();

        (await RebuildsNotFollowedUp()).ShouldBe(1, "the running rebuild's end, or the next start, follows it up");
        (await Differing(Tracker.Projections.Commitments.CommitmentRows.Differences("tracker"))).ShouldNotBeEmpty();
    }

    [Fact]
    public async Task a_start_that_cannot_have_the_tables_in_time_leaves_the_follow_up_to_the_next()
    {
        await Api.StatedTheStabilisationGoal();
        await ARebuildKilledAfterItsWrites();
        await using var longTransaction = await ASessionOfItsOwn();
        await using var holding = await longTransaction.BeginTransactionAsync();
        // The progress models' table, which the list rows' repair locks (the pledgers are put right without a table lock).
        await using (var hold = new NpgsqlCommand("lock table tracker.mt_doc_commitmentprogress in exclusive mode", longTransaction, holding))
        {
            await hold.ExecuteNonQueryAsync();
        }

        var followedUp = await Api.Services.GetRequiredService<Tracker.Api.Admin.ProjectionRebuilds>()
            .FollowUpInterrupted(TimeSpan.FromMilliseconds(300), CancellationToken.None);

        followedUp.ShouldBe(0);
        (await RebuildsNotFollowedUp()).ShouldBe(1, "the next start follows it up");
        await holding.RollbackAsync();
        await TheNextStart();
        (await RebuildsNotFollowedUp()).ShouldBe(0);
        (await Differing(Tracker.Projections.Commitments.CommitmentRows.Differences("tracker"))).ShouldBeEmpty();
    }

    [Fact]
    public async Task a_rebuild_that_fails_before_writing_follows_up_one_before_it_that_never_reached_its_end()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await ARebuildKilledAfterItsWrites();
        // The stream read first, its one event poison: the rebuild fails before it writes anything.
        await APoisonEventInTheLog(Guid.Empty);

        var failed = await Should.ThrowAsync<Tracker.Api.Admin.PoisonEventException>(() => Api.Services
            .GetRequiredService<Tracker.Api.Admin.ProjectionRebuilds>().RebuildThrough(long.MaxValue, CancellationToken.None));

        failed.ShouldNotBeNull();
        (await Differing(Tracker.Projections.Commitments.CommitmentRows.Differences("tracker"))).ShouldBeEmpty();
        (await Differing(Tracker.Projections.Commitments.Pledges.PledgerRollup.Differences("tracker"))).ShouldBeEmpty();
        (await RebuildsNotFollowedUp()).ShouldBe(0);
    }

    [Fact]
    public async Task a_rebuild_follows_up_one_before_it_that_never_reached_its_end()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await ARebuildKilledAfterItsWrites();
        // Beside what the killed rebuild wrote past the triggers (which this one writes back the same way, to what the
        // pledgers still count), Germany's figures drifted: the log does not undo that, the rebuild's end does.
        await using (var drift = Database.CreateCommand("insert into tracker.pledger_changes values ('germany', 'EUR', 0, 1, 0, 0, 0, 0)"))
        {
            await drift.ExecuteNonQueryAsync();
        }

        var rebuilt = await Api.Services.GetRequiredService<Tracker.Api.Admin.ProjectionRebuilds>()
            .RebuildThrough(long.MaxValue, CancellationToken.None);

        rebuilt.Status.ShouldBe(Tracker.Api.Admin.RebuildStatus.Completed);
        rebuilt.PledgersRecounted.ShouldBeTrue();
        (await Differing(Tracker.Projections.Commitments.CommitmentRows.Differences("tracker"))).ShouldBeEmpty();
        (await Differing(Tracker.Projections.Commitments.Pledges.PledgerRollup.Differences("tracker"))).ShouldBeEmpty();
        (await RebuildsNotFollowedUp()).ShouldBe(0);
    }

    /// <summary>
    /// What a rebuild whose node died mid-way leaves: its name among those not followed up, and models it wrote past the
    /// list rows' and the pledgers' triggers (in a transaction marked as a rebuild's, as its writes are).
    /// </summary>
    private async Task ARebuildKilledAfterItsWrites()
    {
        await using var killed = Database.CreateCommand($$"""
            insert into tracker.{{Tracker.Api.Admin.UnfollowedRebuilds.Table}} (rebuild_id) values (gen_random_uuid());
            {{Tracker.Projections.RebuildWrites.MarkSql}};
            update tracker.mt_doc_commitmentprogress
               set data = jsonb_set(data, '{Title}', '"As the killed rebuild wrote it"'), title = 'As the killed rebuild wrote it';
            update tracker.mt_doc_pledgeledgerrow set data = jsonb_set(data, '{Pledged}', '1');
            """);
        await killed.ExecuteNonQueryAsync();
    }

    /// <summary>A session of its own, not a pooled one: closing it ends the session, and the locks it took, with it.</summary>
    private static async Task<NpgsqlConnection> ASessionOfItsOwn()
    {
        var session = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString()) { Pooling = false }.ConnectionString);
        await session.OpenAsync();
        return session;
    }

    private Task TheNextStart() => Api.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()
        .OfType<Tracker.Api.Admin.InterruptedRebuilds>().Single().StartAsync(CancellationToken.None);

    private async Task<long> RebuildsNotFollowedUp()
    {
        await using var count = Database.CreateCommand($"select count(*) from tracker.{Tracker.Api.Admin.UnfollowedRebuilds.Table}");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>What a verification query names (its first column, as text).</summary>
    private async Task<List<string>> Differing(string query)
    {
        await using var command = Database.CreateCommand($"select d::text from ({query}) d");
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }
}
