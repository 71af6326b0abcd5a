using System.Text.Json;
using Alba;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Api.Audit;
using Tracker.Api.Audit.Checkpoints;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Tests.Commitments;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Audit;

/// <summary>
/// The log attacked the ways somebody with access to the database would (docs/reliability.md, "Tampering"): as the
/// service's role, as the schema's owner, and as a superuser behind the triggers. Each attack is refused or found.
/// </summary>
public sealed class tamper_evidence(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";

    private async Task<VerificationReport> Verify(string url = "/api/audit/verify") =>
        (await Api.Scenario(s => s.Get.Url(url))).ReadAsJson<VerificationReport>()!;

    /// <summary>The commitment's own check and the whole log's each find one break, at the sequence, for the reason.</summary>
    private async Task<VerificationReport[]> BothChecksFindOneBreak(long sequence, string reasonStart)
    {
        var reports = new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() };
        foreach (var report in reports)
        {
            report.BreakCount.ShouldBe(1, string.Join("; ", report.Breaks.Select(b => $"{b.Sequence}: {b.Reason}")));
            report.FirstBreak!.Sequence.ShouldBe(sequence);
            report.FirstBreak.Reason.ShouldStartWith(reasonStart);
        }
        return reports;
    }

    private async Task<VerificationReport> VerifyAgainst(Checkpoint kept) =>
        (await Api.Scenario(s => s.Post.Json(kept).ToUrl("/api/audit/verify"))).ReadAsJson<VerificationReport>()!;

    /// <summary>A checkpoint of every event written so far: once the daemon's high-water mark has passed them.</summary>
    private async Task<Checkpoint> TakeCheckpoint()
    {
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        return (await Api.Scenario(s =>
        {
            s.Post.Url("/api/admin/checkpoints");
            s.StatusCodeShouldBe(201);
        })).ReadAsJson<Checkpoint>()!;
    }

    private Task AsService(string sql) => Run(Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql));

    private static async Task AsOwner(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.OwnerConnectionString());
        await connection.OpenAsync();
        await Run(new NpgsqlCommand(sql, connection));
    }

    /// <summary>What a superuser can do: switch every trigger off for one transaction, then change rows.</summary>
    private static async Task AsSuperuserBehindTheTriggers(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.SuperuserConnectionString());
        await connection.OpenAsync();
        await Run(new NpgsqlCommand($"begin; set local session_replication_role = replica; {sql}; commit;", connection));
    }

    private static async Task Run(NpgsqlCommand command)
    {
        await using (command) await command.ExecuteNonQueryAsync();
    }

    private async Task<long> SequenceOf(int version)
    {
        await using var session = Store.QuerySession();
        return (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Goal))).Single(e => e.Version == version).Sequence;
    }

    /// <summary>Four events on the goal: stated, Germany's pledge, a disbursement, a reported figure.</summary>
    private async Task AHistory()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(10_000_000m));
        await Api.Write($"{Base}/progress", Progress());
    }

    /// <summary>
    /// The history signed by a checkpoint, then its last event deleted with its hash and the stream's version wound back
    /// behind the triggers, so the stream's own chain and row agree: the deleted event's sequence number.
    /// </summary>
    private async Task<long> AHistoryCutBackBehindASignedCheckpoint()
    {
        await AHistory();
        var last = await SequenceOf(4);
        await TakeCheckpoint();
        await AsSuperuserBehindTheTriggers($"""
            delete from tracker.event_hashes where seq_id = {last};
            delete from tracker.mt_events where seq_id = {last};
            update tracker.mt_streams set version = 3 where id = '{StreamIds.ForCommitment(Goal)}'
            """);
        return last;
    }

    /// <summary>
    /// The owner (no superuser) rewrites a stream's hashes as the trigger would, its tables' triggers switched off: the
    /// per-stream chain then holds, and only a signed checkpoint can tell.
    /// </summary>
    /// <summary>The owner recomputes the stream's hash chain from its events as they are now, writing it from a version on.</summary>
    private static async Task OwnerRechainsFrom(Guid stream, int fromVersion) => await OwnerRehashesTheStream(stream, fromVersion);

    private static async Task OwnerRehashesTheStream(Guid stream, int fromVersion = 1)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.OwnerConnectionString());
        await connection.OpenAsync();
        var rehashed = new List<(long Sequence, string Hash, string? Previous)>();
        await using (var read = new NpgsqlCommand($"{LogCheckpoints.EntriesSql} where e.stream_id = $1 order by e.version", connection))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = stream });
            await using var reader = await read.ExecuteReaderAsync();
            string? previous = null;
            while (await reader.ReadAsync())
            {
                var hash = HashChain.Compute(HashChain.CurrentScheme, LogCheckpoints.RecordedEventOf(reader), previous);
                if (reader.GetInt64(6) >= fromVersion) rehashed.Add((reader.GetInt64(0), hash, previous));
                previous = hash;
            }
        }
        var updates = string.Join(";\n", rehashed.Select(r =>
            $"update tracker.event_hashes set hash = '{r.Hash}', previous_hash = {(r.Previous is null ? "null" : $"'{r.Previous}'")} where seq_id = {r.Sequence}"));
        await Run(new NpgsqlCommand($"begin; alter table tracker.event_hashes disable trigger user; {updates}; " +
                                    "alter table tracker.event_hashes enable trigger user; commit;", connection));
    }

    [Theory]
    [InlineData("update tracker.mt_events set data = '{}'")]
    [InlineData("delete from tracker.mt_events")]
    [InlineData("truncate tracker.mt_events cascade")]
    [InlineData("update tracker.event_hashes set hash = 'x'")]
    [InlineData("delete from tracker.event_hashes")]
    [InlineData("truncate tracker.event_hashes")]
    [InlineData("delete from tracker.mt_streams")]
    [InlineData("truncate tracker.mt_streams cascade")]
    [InlineData("update tracker.log_checkpoints set root = 'x'")]
    [InlineData("truncate tracker.log_checkpoints")]
    [InlineData("alter table tracker.mt_events disable trigger user")]
    [InlineData("alter table tracker.mt_events enable replica trigger trg_mt_events_append_only")]
    [InlineData("insert into tracker.event_hashes (seq_id, stream_id, version, hash) values (999999, gen_random_uuid(), 1, 'x')")]
    [InlineData("insert into tracker.log_checkpoints values (999999, 0, 0, 0, 'x', now(), '', '', '')")]
    [InlineData("select setval('tracker.mt_events_sequence', 1)")]
    public async Task the_service_role_has_no_privilege_to_change_remove_or_unguard_the_log(string change)
    {
        await AHistory();
        await TakeCheckpoint();

        var refused = await Should.ThrowAsync<PostgresException>(() => AsService(change));

        refused.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        (await Verify()).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task the_service_role_can_record_a_checkpoint_only_one_that_follows_the_latest_over_events_that_exist()
    {
        await AHistory();
        var first = await TakeCheckpoint();

        var refused = await Should.ThrowAsync<PostgresException>(() => AsService(
            $"select tracker.mt_record_log_checkpoint(2, {first.ThroughSequence}, 9000000000000000000, 6, " +
            $"'{new string('0', 64)}', now(), '{new string('0', 16)}', 'forged', ''::bytea)"));
        var outOfTurn = await Should.ThrowAsync<PostgresException>(() => AsService(
            $"select tracker.mt_record_log_checkpoint(2, 0, {first.ThroughSequence}, 6, '{new string('0', 64)}', now(), " +
            $"'{new string('0', 16)}', 'forged', ''::bytea)"));

        refused.SqlState.ShouldBe(PostgresErrorCodes.CheckViolation);
        outOfTurn.SqlState.ShouldBe(PostgresErrorCodes.CheckViolation);
        (await Verify()).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task a_checkpoint_forged_into_the_table_is_reported_stops_further_checkpoints_and_fails_readiness_but_not_the_service()
    {
        await AHistory();
        var first = await TakeCheckpoint();
        await AsSuperuserBehindTheTriggers(
            $"insert into tracker.log_checkpoints values (2, {first.ThroughSequence}, 9000000000000000000, 99, 'not-a-root', now(), " +
            "'0000000000000000', 'forged', ''::bytea)");
        await Api.Write($"{Base}/evidence", new { url = "https://example.org/after-the-forgery", primary = false });
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        var report = await Verify();
        var take = await Api.Scenario(s =>
        {
            s.Post.Url("/api/admin/checkpoints");
            s.StatusCodeShouldBe(409);
        });
        var ready = await Api.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.StatusCodeShouldBe(503);
        });

        report.Intact.ShouldBeFalse();
        report.BreakCount.ShouldBe(1);
        report.FirstBreak!.Checkpoint.ShouldBe(2);
        report.FirstBreak.Reason.ShouldContain("cannot be trusted");
        take.ReadAsText().ShouldContain("cannot be trusted");
        ready.ReadAsText().ShouldContain("latest checkpoint cannot be trusted");
        // Not ready says when to ask again, as the API's 503s do (until 2026-12-06 it did not).
        ready.Context.Response.Headers.RetryAfter.ToString().ShouldBe("5");
        // The commitment's own check meets the forgery too: its event after checkpoint 1 is compared with nothing.
        var commitment = await Verify($"/api/audit/commitments/{Goal}/verify");
        commitment.BreakCount.ShouldBe(1);
        commitment.FirstBreak!.Checkpoint.ShouldBe(2);
        commitment.FirstBreak.Reason.ShouldContain("cannot be trusted");
    }

    [Fact]
    public async Task a_streams_tail_removed_with_its_hash_inside_the_unsigned_window_breaks_the_next_link()
    {
        await AHistory();
        var last = await SequenceOf(4);

        // The stream's version is left alone: the next append becomes version 5, with no version 4 before it.
        await AsSuperuserBehindTheTriggers($"delete from tracker.event_hashes where seq_id = {last}; delete from tracker.mt_events where seq_id = {last}");
        await Api.Write($"{Base}/evidence", new { url = "https://example.org/after-the-cut", primary = false });

        var report = await Verify($"/api/audit/commitments/{Goal}/verify");
        report.Intact.ShouldBeFalse();
        report.FirstBreak!.Version.ShouldBe(5);
        report.FirstBreak.Reason.ShouldContain("the event before it in its stream is missing");
    }

    [Fact]
    public async Task text_in_any_script_hashes_the_same_in_postgresql_and_in_dotnet()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/evidence", new
        {
            url = "https://example.org/réfugiés",
            primary = false,
            note = "Rückkehr: 10 000 personnes — عودة — 帰還 — \"quoted\" \\ back-slashed 🇮🇶"
        }, 200, ("X-Correlation-Id", "script-test"));

        var report = await Verify();

        report.Intact.ShouldBeTrue(string.Join("; ", report.Breaks.Select(b => b.Reason)));
    }

    [Fact]
    public async Task applying_the_schema_again_as_the_owner_keeps_every_guard_in_place()
    {
        await AHistory();

        for (var run = 0; run < 2; run++)
        {
            var (exitCode, output) = await CommandLine.Run(TestDatabase.OwnerConnectionString(), "db-apply");
            exitCode.ShouldBe(0, output);
        }
        var ready = await Api.Scenario(s => s.Get.Url("/health/ready"));

        using var body = JsonDocument.Parse(ready.ReadAsText());
        var log = body.RootElement.GetProperty("checks").GetProperty("log");
        log.GetProperty("data").GetProperty("guardsInPlace").GetBoolean().ShouldBeTrue(log.ToString());
        await Should.ThrowAsync<PostgresException>(() => AsOwner("delete from tracker.mt_events"));
    }

    [Fact]
    public async Task a_service_role_that_may_no_longer_append_is_not_ready_naming_what_it_lacks()
    {
        // (Until 2026-12-07 readiness said all was well while every write answered 500.)
        await AsOwner("revoke insert on tracker.mt_events from tracker_service");
        try
        {
            var ready = await Api.Scenario(s =>
            {
                s.Get.Url("/health/ready");
                s.StatusCodeShouldBe(503);
            });

            using var body = JsonDocument.Parse(ready.ReadAsText());
            var log = body.RootElement.GetProperty("checks").GetProperty("log");
            log.GetProperty("description").GetString().ShouldBe(
                "The service's role may not do what writes need: it lacks INSERT on mt_events. Apply the schema with `db-apply` " +
                "as its owner, which grants them (Database:ServiceRole)");
            log.GetProperty("data").GetProperty("missingPrivileges")[0].GetString().ShouldBe("INSERT on mt_events");
        }
        finally
        {
            await AsOwner("grant insert on tracker.mt_events to tracker_service");
        }
        await Api.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.StatusCodeShouldBe(200);
        });
    }

    [Fact]
    public async Task the_schema_applied_once_is_found_in_place_and_applying_it_again_recreates_no_function_or_trigger()
    {
        await AHistory();
        const string ours = """
            select string_agg(t.tgname || ':' || t.oid || ':' || p.oid, ',' order by t.tgname)
              from pg_trigger t join pg_proc p on p.oid = t.tgfoid join pg_namespace n on n.oid = p.pronamespace
             where n.nspname = 'tracker' and not t.tgisinternal
            """;
        var before = await OwnerScalar(ours);

        var (applied, applyOutput) = await CommandLine.Run(TestDatabase.OwnerConnectionString(), "db-apply");
        var (asserted, assertOutput) = await CommandLine.Run(TestDatabase.OwnerConnectionString(), "db-assert");
        var after = await OwnerScalar(ours);

        applied.ShouldBe(0, applyOutput);
        asserted.ShouldBe(0, assertOutput);
        before.ShouldContain("trg_chain_event_hash");
        before.ShouldContain("trg_mt_events_append_only");
        after.ShouldBe(before, "the same triggers calling the same functions: nothing was dropped and created again");
    }

    [Fact]
    public async Task a_function_changed_by_hand_is_found_and_put_back_with_its_triggers()
    {
        await AsOwner("""
            CREATE OR REPLACE FUNCTION tracker.commitment_days_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RETURN NULL; END;
            $$
            """);

        await NamedByAssertThenPutBackByApply("db-assert names the function changed by hand");
        var triggers = await OwnerScalar(
            "select string_agg(tgname, ',' order by tgname) from pg_trigger where tgrelid = 'tracker.commitment_days'::regclass and not tgisinternal");

        triggers.Split(',').ShouldBe(["trg_commitment_days_rollup_delete", "trg_commitment_days_rollup_insert",
            "trg_commitment_days_rollup_truncate", "trg_commitment_days_rollup_update"],
            "replacing the function dropped its trigger with it, and the statements after it created the trigger again");
    }

    [Fact]
    public async Task the_room_the_updated_tables_keep_on_their_pages_is_named_when_lost_and_put_back()
    {
        await AsOwner("alter table tracker.mt_doc_pledgeledgerrow reset (fillfactor)");

        await NamedByAssertThenPutBackByApply("db-assert finds the pledge rows' table without its room");
        var room = await OwnerScalar("""
            select string_agg(relname || ' ' || array_to_string(reloptions, ','), '; ' order by relname) from pg_class
             where oid in ('tracker.mt_doc_pledgeledgerrow'::regclass, 'tracker.mt_doc_commitmentprogress'::regclass)
            """);

        room.ShouldBe($"mt_doc_commitmentprogress fillfactor={DatabaseGuards.FillFactor}; mt_doc_pledgeledgerrow fillfactor={DatabaseGuards.FillFactor}");
    }

    [Fact]
    public async Task a_read_models_table_an_older_version_left_behind_is_named_and_dropped()
    {
        // As the pledger views' async projection stored its documents before the pledge rows replaced it.
        await AsOwner("create table tracker.mt_doc_pledgercommitment (id varchar primary key, data jsonb not null)");

        await NamedByAssertThenPutBackByApply("db-assert finds the retired table");

        (await OwnerScalar("select coalesce(to_regclass('tracker.mt_doc_pledgercommitment')::text, 'gone')")).ShouldBe("gone");
    }

    [Fact]
    public async Task checkpoint_entries_compressed_again_on_the_way_in_are_named_and_put_back()
    {
        await AsOwner("alter table tracker.log_checkpoints alter column entries set storage extended");

        await NamedByAssertThenPutBackByApply("db-assert finds the checkpoints' entries compressed when stored");

        (await OwnerScalar("select attstorage::text from pg_attribute where attrelid = 'tracker.log_checkpoints'::regclass and attname = 'entries'"))
            .ShouldBe("e");
    }

    [Fact]
    public async Task a_document_column_that_keeps_statistics_again_is_named_and_put_back()
    {
        await AsOwner("alter table tracker.mt_events alter column data set statistics -1");

        await NamedByAssertThenPutBackByApply("db-assert finds the events' data keeping statistics");
        var targets = await OwnerScalar("""
            select string_agg(c.relname || '.' || a.attname || '=' || a.attstattarget, '; ' order by c.relname, a.attname)
              from pg_attribute a join pg_class c on c.oid = a.attrelid
             where c.relnamespace = 'tracker'::regnamespace and a.attnum > 0 and a.attstattarget = 0
            """);

        targets.ShouldBe(string.Join("; ", DatabaseGuards.Unanalysed.OrderBy(c => c.Table, StringComparer.Ordinal).ThenBy(c => c.Column, StringComparer.Ordinal)
            .Select(c => $"{c.Table}.{c.Column}=0")));
    }

    /// <summary>
    /// `db-assert`, `db-apply` and `db-assert` again as the schema's owner: the first finds what a test changed (its
    /// only change), the apply succeeds, and the second finds nothing.
    /// </summary>
    private static async Task NamedByAssertThenPutBackByApply(string because)
    {
        var (drifted, _) = await CommandLine.Run(TestDatabase.OwnerConnectionString(), "db-assert");
        var (applied, applyOutput) = await CommandLine.Run(TestDatabase.OwnerConnectionString(), "db-apply");
        var (asserted, assertOutput) = await CommandLine.Run(TestDatabase.OwnerConnectionString(), "db-assert");
        drifted.ShouldNotBe(0, because);
        applied.ShouldBe(0, applyOutput);
        asserted.ShouldBe(0, assertOutput);
    }

    private static async Task<string> OwnerScalar(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.OwnerConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task a_guard_switched_off_by_the_owner_is_named_by_readiness()
    {
        await AsOwner("alter table tracker.mt_events enable replica trigger trg_mt_events_append_only");
        try
        {
            var ready = await Api.Scenario(s => s.Get.Url("/health/ready"));

            ready.ReadAsText().ShouldContain("trg_mt_events_append_only");
            ready.ReadAsText().ShouldContain("Degraded"); // in Development; 503 elsewhere
        }
        finally
        {
            await AsOwner("alter table tracker.mt_events enable trigger trg_mt_events_append_only");
        }
    }

    [Theory]
    [InlineData("update tracker.mt_events set data = '{}'")]
    [InlineData("update tracker.mt_events set user_name = 'someone else'")]
    [InlineData("update tracker.mt_events set is_archived = true")]
    [InlineData("delete from tracker.mt_events")]
    [InlineData("truncate tracker.mt_events cascade")]
    [InlineData("update tracker.event_hashes set hash = 'x'")]
    [InlineData("truncate tracker.event_hashes")]
    [InlineData("delete from tracker.mt_streams")]
    [InlineData("truncate tracker.mt_streams cascade")]
    [InlineData("update tracker.mt_streams set version = version - 1")]
    [InlineData("update tracker.mt_streams set is_archived = true")]
    [InlineData("delete from tracker.log_checkpoints")]
    [InlineData("truncate tracker.log_checkpoints")]
    public async Task the_owner_is_refused_by_the_triggers_while_they_are_on(string change)
    {
        await AHistory();
        await TakeCheckpoint();

        var refused = await Should.ThrowAsync<PostgresException>(() => AsOwner(change));

        refused.MessageText.ShouldContain("append-only");
        (await Verify()).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task an_untouched_log_verifies_intact_against_its_checkpoints()
    {
        await AHistory();
        var first = await TakeCheckpoint();
        await Api.Write($"{Base}/evidence", new { url = "https://example.org/after-the-first-checkpoint", primary = false });
        var second = await TakeCheckpoint();

        var commitment = await Verify($"/api/audit/commitments/{Goal}/verify");
        var whole = await Verify();

        commitment.Intact.ShouldBeTrue();
        commitment.EventsChecked.ShouldBe(5);
        commitment.CheckpointsChecked.ShouldBe(2);
        commitment.LatestCheckpoint!.Number.ShouldBe(2);
        whole.Intact.ShouldBeTrue();
        whole.EventsChecked.ShouldBe(6); // and the document's registration
        whole.CheckpointsChecked.ShouldBe(2);
        whole.LatestCheckpoint!.Number.ShouldBe(2);
        first.EventCount.ShouldBe(5);
        second.AfterSequence.ShouldBe(first.ThroughSequence);
        second.EventCount.ShouldBe(6);
        (await VerifyAgainst(first)).Intact.ShouldBeTrue();
        // The verification's answer has no version for If-Match to name: a 412, where until 2026-12-06 it was ignored.
        var conditional = await Api.Scenario(s =>
        {
            s.Post.Json(first).ToUrl("/api/audit/verify");
            s.WithRequestHeader("If-Match", "\"6\"");
            s.StatusCodeShouldBe(412);
        });
        conditional.ReadProblem(412).Detail.ShouldNotBeNull().ShouldContain("verification reads the whole log, which has no version");
    }

    [Fact]
    public async Task editing_an_event_row_in_postgresql_is_found_at_exactly_that_event()
    {
        await AHistory();
        var tampered = await SequenceOf(2);

        // Somebody with database access quietly raises Germany's pledge.
        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = jsonb_set(data, '{{Amount,Amount}}', '250000000') where seq_id = {tampered}");

        foreach (var report in new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() })
        {
            report.Intact.ShouldBeFalse();
            report.FirstBreak!.Sequence.ShouldBe(tampered);
            report.FirstBreak.Version.ShouldBe(2);
            // As the history and the feed name it (until 2026-12-06 as the log stores it, pledge_announced).
            report.FirstBreak.Type.ShouldBe("pledge-announced");
            report.FirstBreak.Reason.ShouldContain("changed after it was recorded");
        }
    }

    [Theory]
    [InlineData("user_name = 'somebody-else'")]
    [InlineData("timestamp = timestamp - interval '1 day'")]
    [InlineData("correlation_id = 'another-request'")]
    [InlineData("headers = '{\"reason\": \"rewritten\"}'")]
    public async Task who_when_and_which_request_are_covered_by_the_hash(string change)
    {
        await AHistory();
        var tampered = await SequenceOf(3);

        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set {change} where seq_id = {tampered}");

        var report = await Verify();
        report.Intact.ShouldBeFalse();
        report.BreakCount.ShouldBe(1);
        report.FirstBreak!.Sequence.ShouldBe(tampered);
        report.FirstBreak.Reason.ShouldContain("changed after it was recorded");
    }

    [Fact]
    public async Task an_event_removed_from_the_middle_of_its_stream_with_its_hash_left_is_one_break_even_after_a_later_checkpoint()
    {
        await AHistory();
        var removed = await SequenceOf(2);
        await TakeCheckpoint();

        await AsSuperuserBehindTheTriggers($"delete from tracker.mt_events where seq_id = {removed}");
        await Api.Write($"{Base}/evidence", new { url = "https://example.org/after-the-removal", primary = false });
        await TakeCheckpoint(); // signs the log as it is now, without the event

        foreach (var report in new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() })
        {
            report.Intact.ShouldBeFalse();
            report.BreakCount.ShouldBe(1, string.Join("; ", report.Breaks.Select(b => $"{b.Sequence}: {b.Reason}")));
            report.FirstBreak!.Sequence.ShouldBe(removed);
            report.FirstBreak.Version.ShouldBe(2);
            report.FirstBreak.Reason.ShouldContain("removed");
        }
    }

    [Fact]
    public async Task a_streams_last_event_removed_with_its_hash_left_is_one_break_not_also_its_row()
    {
        await AHistory();
        var last = await SequenceOf(4);

        await AsSuperuserBehindTheTriggers($"delete from tracker.mt_events where seq_id = {last}");

        foreach (var report in new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() })
        {
            report.BreakCount.ShouldBe(1, string.Join("; ", report.Breaks.Select(b => $"{b.Sequence}: {b.Reason}")));
            report.FirstBreak!.Sequence.ShouldBe(last);
            report.FirstBreak.Reason.ShouldContain("removed");
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    public async Task an_event_the_service_role_slips_in_below_version_1_is_named_though_no_row_or_model_moved(int version)
    {
        // Until 2026-12-06 it verified intact: no stream row, model or link names an event numbered before the first, and
        // the reads by date counted its pledge.
        await AHistory();
        var stream = StreamIds.ForCommitment(Goal);
        await AsService($"""
            insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, user_name, is_archived)
            select nextval('tracker.mt_events_sequence'), gen_random_uuid(), stream_id, {version}, data, type, now(), tenant_id, mt_dotnet_type, 'ghost', user_name, false
              from tracker.mt_events where stream_id = '{stream}' and version = 2
            """);
        long slipped;
        await using (var find = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         $"select seq_id from tracker.mt_events where stream_id = '{stream}' and version = {version}"))
        {
            slipped = (long)(await find.ExecuteScalarAsync())!;
        }

        // One break: at 0, not also the first event's link (which the trigger chained to it).
        await BothChecksFindOneBreak(slipped, $"its version is {version}, where a stream's events are numbered from 1");
    }

    [Theory]
    [InlineData("now() - interval '1 day 2 hours'", " 1 d 02:00:0")]
    // Dated before any date at all (as Marten's tombstones are, which this is not): the reads as recorded count it always.
    [InlineData("'-infinity'", "-infinity, without bound before")]
    public async Task an_event_the_service_role_appends_dated_a_day_back_is_named_though_its_row_and_model_moved_with_it(string dated, string said)
    {
        // Hashed and chained like any other, with the stream's row and the model moved to it: until 2026-12-06 it verified
        // intact, and the past as recorded on the day before counted it.
        await AHistory();
        var stream = StreamIds.ForCommitment(Goal);
        await AsService($"""
            insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, user_name, is_archived)
            select nextval('tracker.mt_events_sequence'), gen_random_uuid(), stream_id, 5, data, type, {dated},
                   tenant_id, mt_dotnet_type, 'backdated', user_name, false
              from tracker.mt_events where stream_id = '{stream}' and version = 4;
            update tracker.mt_streams set version = 5 where id = '{stream}';
            update tracker.{Tracker.Projections.Commitments.CommitmentRows.ModelTable} set data = jsonb_set(data, array['Version'], '5') where id = '{stream}'
            """);

        var reports = await BothChecksFindOneBreak(await SequenceOf(5), "it is dated ");
        foreach (var report in reports)
        {
            report.FirstBreak!.Reason.ShouldContain(said);
            report.FirstBreak.Reason.ShouldContain("before the database appended it");
            report.FirstBreak.Type.ShouldBe("progress-reported");
        }
    }

    [Fact]
    public async Task a_hash_row_without_its_time_of_hashing_after_the_trigger_began_recording_it_is_named()
    {
        // What an older trigger put back would write (and with it the check of an event's time switched off).
        await AHistory();
        var last = await SequenceOf(4);

        await AsSuperuserBehindTheTriggers($"update tracker.event_hashes set hashed_at = null where seq_id = {last}");

        await BothChecksFindOneBreak(last, "its hash row has no time of hashing, though the log's trigger records one on every row since sequence");
    }

    [Fact]
    public async Task a_commitment_without_its_model_is_named_only_once_no_starts_upgrade_is_rebuilding_the_models()
    {
        // A start's upgrade empties the models' table and rebuilds it while holding its lock: verification meanwhile
        // would name every commitment.
        await AHistory();
        await AsService($"delete from tracker.{Tracker.Projections.Commitments.CommitmentRows.ModelTable} where id = '{StreamIds.ForCommitment(Goal)}'");
        // Another database's upgrade (another service on the same server) does not hold this one's models back.
        await using (var elsewhere = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestDatabase.SuperuserConnectionString())
                     { Database = "postgres" }.ConnectionString))
        {
            await elsewhere.OpenAsync();
            await Run(new NpgsqlCommand($"select pg_advisory_lock({ProgressModelUpgrade.LockKey})", elsewhere));
            (await Verify()).Breaks.ShouldHaveSingleItem().Reason.ShouldStartWith("the stream states a commitment that has no model");
        }
        var dataSource = Api.Services.GetRequiredService<NpgsqlDataSource>();
        await using (var upgrading = await dataSource.OpenConnectionAsync())
        {
            await Run(new NpgsqlCommand($"select pg_advisory_lock({ProgressModelUpgrade.LockKey})", upgrading));

            (await Verify()).Intact.ShouldBeTrue();

            await Run(new NpgsqlCommand($"select pg_advisory_unlock({ProgressModelUpgrade.LockKey})", upgrading));
        }

        var report = await Verify();
        report.Breaks.ShouldHaveSingleItem().Reason.ShouldStartWith("the stream states a commitment that has no model");
    }

    [Fact]
    public async Task a_commitment_made_up_in_the_database_without_its_model_is_named()
    {
        // A stream row and a statement written by the service's role outside the service: hashed and chained like any
        // other, but without the model the service writes beside every statement (until 2026-12-06 verified intact).
        await AHistory();
        var ghost = StreamIds.ForCommitment("ghost-commitment");
        await AsService($"""
            insert into tracker.mt_streams (id, version, timestamp, created, tenant_id, is_archived)
            values ('{ghost}', 1, now(), now(), '*DEFAULT*', false);
            insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, user_name, is_archived)
            select nextval('tracker.mt_events_sequence'), gen_random_uuid(), '{ghost}', 1, jsonb_set(data, array['Key'], '"ghost-commitment"'), type, now(),
                   tenant_id, mt_dotnet_type, 'ghost', user_name, false
              from tracker.mt_events where stream_id = '{StreamIds.ForCommitment(Goal)}' and version = 1
            """);

        foreach (var report in new[] { await Verify(), await Verify("/api/audit/commitments/ghost-commitment/verify") })
        {
            report.Intact.ShouldBeFalse();
            report.Breaks.ShouldHaveSingleItem().Reason.ShouldStartWith("the stream states a commitment that has no model");
        }
    }

    [Fact]
    public async Task a_tombstone_slipped_into_a_stream_does_not_hide_its_archived_row()
    {
        await AHistory();
        var stream = StreamIds.ForCommitment(Goal);

        await AsSuperuserBehindTheTriggers($"""
            insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, is_archived)
            values (nextval('tracker.mt_events_sequence'), gen_random_uuid(), '{stream}', 99, jsonb_build_object(), 'tombstone', now(), '*DEFAULT*', false);
            update tracker.mt_streams set is_archived = true where id = '{stream}'
            """);

        (await Verify()).Breaks.Select(b => b.Reason).ShouldContain(r => r.Contains("archived"));
    }

    [Fact]
    public async Task a_streams_hashes_rewritten_under_the_old_scheme_to_hide_a_new_actor_are_found_by_the_streams_own_verification()
    {
        await AHistory();
        var stream = StreamIds.ForCommitment(Goal);

        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set user_name = 'someone-else', correlation_id = 'forged' where stream_id = '{stream}' and version >= 3");
        for (var version = 3; version <= 4; version++)
        {
            await AsSuperuserBehindTheTriggers($"""
                update tracker.event_hashes h set scheme = null, previous_hash = p.hash,
                       hash = encode(sha256(convert_to(e.type || E'\n' || e.version::text || E'\n' || e.data::text || E'\n' || p.hash, 'UTF8')), 'hex')
                  from tracker.mt_events e, tracker.event_hashes p
                 where e.seq_id = h.seq_id and e.stream_id = '{stream}' and e.version = {version}
                   and p.stream_id = e.stream_id and p.version = e.version - 1
                """);
        }

        var report = await Verify($"/api/audit/commitments/{Goal}/verify");
        report.Intact.ShouldBeFalse();
        report.Breaks.Select(b => b.Version).ShouldBe([3L, 4L]);
        report.Breaks.ShouldAllBe(b => b.Reason.Contains("old scheme"));
    }

    [Theory]
    [InlineData("delete from tracker.mt_streams where id = '{0}'", "row is gone")]
    [InlineData("update tracker.mt_streams set version = 300 where id = '{0}'", "says version 300, its last event is version 4")]
    [InlineData("update tracker.mt_streams set is_archived = true where id = '{0}'", "archived")]
    [InlineData("insert into tracker.mt_streams (id, type, version, timestamp, created, is_archived) values ('{1}', 'commitment', 3, now(), now(), false)", "no events")]
    public async Task a_streams_row_that_disagrees_with_its_events_is_found(string change, string reason)
    {
        await AHistory();
        var invented = Guid.NewGuid();
        await AsSuperuserBehindTheTriggers(string.Format(change, StreamIds.ForCommitment(Goal), invented));

        var whole = await Verify();
        whole.Intact.ShouldBeFalse();
        whole.Breaks.ShouldHaveSingleItem().Reason.ShouldContain(reason);
        if (!change.StartsWith("insert"))
        {
            (await Verify($"/api/audit/commitments/{Goal}/verify")).Breaks.ShouldHaveSingleItem().Reason.ShouldContain(reason);
        }
    }

    [Fact]
    public async Task an_event_whose_stored_body_no_longer_reads_is_a_problem_naming_it_on_every_route_that_reads_it()
    {
        await AHistory();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var broken = await SequenceOf(2);
        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = jsonb_set(data, '{{Amount,Amount}}', '\"abc\"') where seq_id = {broken}");

        foreach (var url in new[]
                 {
                     // (The trend and the past as effective read the stored timeline, which took the event in before it changed.)
                     $"{Base}/history", $"{Base}/changelog", $"{Base}/history.csv", $"{Base}?version=3", "/api/audit/events?after=0"
                 })
        {
            var problem = (await Api.Scenario(s =>
            {
                s.Get.Url(url);
                s.StatusCodeShouldBe(409);
            })).ReadProblem(409);
            problem.Type.ShouldBe("https://commitment-tracker.dev/problems/log-damaged", url);
            problem.Detail.ShouldNotBeNull().ShouldContain($"sequence {broken} (pledge_announced)", Case.Sensitive, url);
        }
        foreach (var model in new[] { "CommitmentProgress", "EffectiveTimeline" })
        {
            var check = (await Api.Scenario(s =>
            {
                s.Get.Url($"/api/admin/projections/{model}/verify");
                s.StatusCodeShouldBe(409);
            })).ReadProblem(409);
            check.Detail.ShouldNotBeNull().ShouldContain($"{broken} (pledge_announced", Case.Sensitive, model);
            check.Detail.ShouldNotContain("Tracker.");
            check.Detail.ShouldNotContain("LineNumber");
        }
        (await Verify()).FirstBreak!.Sequence.ShouldBe(broken);
    }

    [Fact]
    public async Task an_export_that_meets_an_unreadable_event_before_it_sends_is_a_problem_naming_it()
    {
        await AHistory();
        var broken = await SequenceOf(2);
        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = jsonb_set(data, '{{Amount,Amount}}', '\"abc\"') where seq_id = {broken}");

        // The only financial commitment holds it, so nothing was sent when it is met: a problem naming it (until 2026-12-07
        // the IATI export answered 200 with an empty, finished <iati-activities/>).
        foreach (var url in new[] { "/api/exports/iati.xml", "/api/exports/pledges.csv" })
        {
            var problem = (await Api.Scenario(s =>
            {
                s.Get.Url(url);
                s.StatusCodeShouldBe(409);
            })).ReadProblem(409);
            problem.Type.ShouldBe("https://commitment-tracker.dev/problems/log-damaged", url);
            problem.Detail.ShouldNotBeNull().ShouldContain($"sequence {broken}", Case.Sensitive, url);
        }
    }

    [Fact]
    public async Task an_export_that_meets_an_unreadable_event_far_into_the_file_is_a_problem_never_a_file_that_looks_whole()
    {
        // A commitment before the goal (by key) with transactions enough that the writer must wait for the client to
        // read before it reaches the goal. The test server's pipe holds about 128 KiB unread before a write waits
        // (measured: a client that waited 3 s before reading got 131,066 bytes), and the XML writer 6 KiB more, so more
        // than 144 KiB goes out first. (Until 2026-12-07 this test sent about 64 KiB: on a slow machine the cut came
        // before the client's first read, and a read after a cut sees nothing, not what was sent before it.)
        await AHistory();
        await Api.Write("/api/commitments", StabilisationGoal("aid-to-liberated-areas"), 201);
        const string ministry = "Federal Ministry for Economic Cooperation and Development, on behalf of the Government of the Federal Republic";
        for (var i = 0; i < 400; i++)
        {
            await Api.Write("/api/commitments/aid-to-liberated-areas/pledges", new
            {
                pledger = ministry, pledgerKey = "bmz", amount = new { amount = 1_000_000m + i, currency = "USD" }, announcedOn = "2024-10-02",
                source = new { url = "https://example.org/ministry-pledges", primary = true }
            }, 201);
        }
        var whole = await (await Api.Scenario(s => s.Get.Url("/api/exports/iati.xml"))).ReadAsTextAsync();
        var goalStarts = whole.LastIndexOf("<iati-activity ", whole.IndexOf($"{Goal}</iati-identifier>", StringComparison.Ordinal),
            StringComparison.Ordinal);
        goalStarts.ShouldBeGreaterThan(144 * 1024, "what goes out before the goal's activity");

        var broken = await SequenceOf(2);
        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = jsonb_set(data, '{{Amount,Amount}}', '\"abc\"') where seq_id = {broken}");

        // A heavy read's answer is produced whole before it is sent (HeavyReadsBuffered), so the damage met after more than
        // the connection holds is answered as the problem it is, with nothing of the file. Until 2026-12-08 the file was
        // cut short after 144 KiB and more had gone out (and until 2026-12-07 closed over the activities sent: a valid
        // IATI file one activity short).
        using var client = Api.Server.CreateClient();
        using var response = await client.GetAsync("/api/exports/iati.xml");
        ((int)response.StatusCode).ShouldBe(409);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadAsStringAsync();
        problem.ShouldContain("log-damaged");
        problem.ShouldNotContain("iati-activit");
    }

    [Theory]
    [InlineData("data = '{}'")]
    [InlineData("type = 'tombstone', data = '{}', mt_dotnet_type = 'Marten.Events.Tombstone, Marten'")]
    public async Task an_event_that_reads_as_json_but_not_as_its_fact_is_a_problem_naming_it(string change)
    {
        await AHistory();
        var damaged = await SequenceOf(3);
        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set {change} where seq_id = {damaged}");

        // (A past version may fold such an event as far as it reads: the verifier names it.)
        foreach (var url in new[] { $"{Base}/history", $"{Base}/changelog" })
        {
            var problem = (await Api.Scenario(s =>
            {
                s.Get.Url(url);
                s.StatusCodeShouldBe(409);
            })).ReadProblem(409);
            problem.Type.ShouldBe("https://commitment-tracker.dev/problems/log-damaged", url);
            problem.Detail.ShouldNotBeNull().ShouldContain($"sequence {damaged}", Case.Sensitive, url);
        }
    }

    [Fact]
    public async Task a_report_or_evidence_emptied_by_hand_is_damaged_on_every_route_not_a_fact_of_defaults()
    {
        // Until 2026-12-06 a report's body emptied to {} read as "Reported 0 as of 0001-01-01" on the history, the feed
        // and the past, and evidence without its source made the public timeline a 500.
        await AHistory();
        await Api.Write($"{Base}/evidence", new { url = "https://example.org/evidence", primary = false, on = "2024-10-05" });
        var report = await SequenceOf(4);
        var evidence = await SequenceOf(5);
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = '{{}}' where seq_id = {report}");
        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = '{{\"evidence\": 5}}' where seq_id = {evidence}");

        foreach (var url in new[] { $"{Base}/history", $"{Base}/changelog", $"{Base}?version=4", $"{Base}/timeline", "/api/audit/events?after=0" })
        {
            var problem = (await Api.Scenario(s =>
            {
                s.Get.Url(url);
                s.StatusCodeShouldBe(409);
            })).ReadProblem(409);
            problem.Type.ShouldBe("https://commitment-tracker.dev/problems/log-damaged", url);
        }
    }

    [Fact]
    public async Task an_event_whose_type_was_renamed_to_none_the_service_knows_is_a_problem_not_a_500()
    {
        await AHistory();
        var renamed = await SequenceOf(2);
        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set type = 'pledge_conjured', mt_dotnet_type = 'Nowhere.Conjured, Nowhere' where seq_id = {renamed}");

        foreach (var url in new[] { $"{Base}/history", "/api/audit/events?after=0" })
        {
            var status = (await Api.Scenario(s =>
            {
                s.Get.Url(url);
                s.IgnoreStatusCode();
            })).Context.Response.StatusCode;
            status.ShouldNotBe(500, url);
        }
    }

    [Theory]
    [InlineData("delete from tracker.mt_streams where id = '{0}'", "model version 4")]
    [InlineData("update tracker.mt_streams set version = 2 where id = '{0}'", "model version 4")]
    [InlineData("update tracker.mt_streams set is_archived = true where id = '{0}'", "archived")]
    public async Task a_write_to_a_stream_whose_row_was_deleted_wound_back_or_archived_behind_the_services_back_is_refused_as_damage(
        string change, string said)
    {
        await AHistory();
        await AsSuperuserBehindTheTriggers(string.Format(change, StreamIds.ForCommitment(Goal)));

        var problem = (await Api.Scenario(s =>
        {
            s.Post.Json(new { url = "https://example.org/after-the-row-changed", primary = false }).ToUrl($"{Base}/evidence");
            s.StatusCodeShouldBe(409);
        })).ReadProblem(409);

        problem.Type.ShouldBe("https://commitment-tracker.dev/problems/log-damaged");
        problem.Detail.ShouldNotBeNull().ShouldContain(said);
    }

    [Fact]
    public async Task a_write_to_a_stream_whose_row_was_wound_forward_answers_the_version_it_was_stored_at()
    {
        await AHistory();
        await AsSuperuserBehindTheTriggers($"update tracker.mt_streams set version = 10 where id = '{StreamIds.ForCommitment(Goal)}'");

        var written = await Api.Write($"{Base}/evidence", new { url = "https://example.org/after-the-row-moved", primary = false });

        // Stored at 11, after the row: the answer said 5, the model's next version, until 2026-12-05.
        written.Context.Response.Headers.ETag.ToString().ShouldBe("\"11\"");
        written.ReadAsJson<Tracker.Api.Commitments.Recorded>()!.Version.ShouldBe(11);
        await using var session = Store.QuerySession();
        (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Goal)))[^1].Version.ShouldBe(11);
    }

    [Fact]
    public async Task the_commitment_at_a_version_removed_from_the_log_is_told_as_damage_not_as_never_written()
    {
        await AHistory();
        await AsSuperuserBehindTheTriggers($"delete from tracker.mt_events where seq_id = {await SequenceOf(2)}");

        // Until 2026-12-06 a 404, as for a version the commitment never reached.
        var removed = (await Api.Scenario(s =>
        {
            s.Get.Url($"{Base}?version=2");
            s.StatusCodeShouldBe(409);
        })).ReadProblem(409);
        removed.Title.ShouldBe("The event log was changed outside the service");
        removed.Detail.ShouldStartWith($"Version 2 of commitment '{Goal}' is missing from the log, whose stream is at version 4");
        (await Api.Scenario(s =>
        {
            s.Get.Url($"{Base}?version=5");
            s.StatusCodeShouldBe(400);
        })).ReadProblem(400).Errors.ShouldNotBeNull()["version"].ShouldHaveSingleItem().ShouldStartWith("version 5 is past the commitment's last version, 4:");
        await Api.Scenario(s =>
        {
            s.Get.Url($"{Base}?version=3");
            s.StatusCodeShouldBe(200);
        });
    }

    [Theory]
    [InlineData("history")]
    [InlineData("changelog")]
    public async Task a_page_of_the_history_reaches_past_a_version_missing_from_the_log(string route)
    {
        await AHistory();
        await Api.Write($"{Base}/evidence", new { url = "https://example.org/a-fifth-event", primary = false });
        await AsSuperuserBehindTheTriggers($"delete from tracker.mt_events where seq_id = {await SequenceOf(2)}");

        var versions = new List<int>();
        for (int? after = 0; after is not null;)
        {
            var page = (await Api.Scenario(s =>
            {
                s.Get.Url($"{Base}/{route}?after={after}&limit=2");
                s.StatusCodeShouldBe(200);
            })).ReadAsJson<JsonElement>();
            versions.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("version").GetInt32()));
            // Each page starts from the model after the last event before it, over the gap: the report on the second page
            // changed the model (from no model at all, it changed nothing: a page's start was null after a gap).
            if (route == "changelog")
                page.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("type").GetString() == "progress-reported")
                    .ShouldAllBe(i => i.GetProperty("changes").EnumerateArray().Any(c => c.GetProperty("field").GetString()!.StartsWith("latestReport")));
            after = page.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.Number ? next.GetInt32() : null;
        }

        // Until 2026-12-05 a page was a range of versions: [1, 3] had no next, and 4 and 5 were out of reach.
        versions.ShouldBe([1, 3, 4, 5]);
    }

    [Fact]
    public async Task an_event_the_owner_appends_through_the_triggers_is_named_by_the_commitments_model_it_never_reached()
    {
        await AHistory();
        var stream = StreamIds.ForCommitment(Goal);

        // The triggers hash and link whatever they are given: a forged fifth event looks recorded by the service.
        await AsOwner($"""
            insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type,
                                           is_archived, correlation_id, causation_id, headers, user_name)
            select nextval('tracker.mt_events_sequence'), gen_random_uuid(), stream_id, 5, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived,
                   'forged', causation_id, headers, user_name
              from tracker.mt_events where seq_id = {await SequenceOf(2)};
            update tracker.mt_streams set version = 5 where id = '{stream}';
            """);

        // Until 2026-12-05 both said intact.
        foreach (var report in new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() })
        {
            report.Intact.ShouldBeFalse();
            var modelBreak = report.Breaks.ShouldHaveSingleItem();
            modelBreak.Reason.ShouldStartWith("the commitment's model is at version 4, its last event is version 5");
            // The event it is placed at, named as an event's own break names it (until 2026-12-06 no type).
            modelBreak.Type.ShouldBe("pledge-announced");
        }
    }

    [Fact]
    public async Task the_last_event_cut_with_its_hash_before_a_checkpoint_signed_it_is_named_by_the_commitments_model()
    {
        await AHistory();
        var stream = StreamIds.ForCommitment(Goal);
        var last = await SequenceOf(4);

        await AsSuperuserBehindTheTriggers($"""
            delete from tracker.event_hashes where seq_id = {last};
            delete from tracker.mt_events where seq_id = {last};
            update tracker.mt_streams set version = 3 where id = '{stream}'
            """);

        var report = await Verify($"/api/audit/commitments/{Goal}/verify");
        report.Intact.ShouldBeFalse();
        report.Breaks.ShouldHaveSingleItem().Reason.ShouldStartWith("the commitment's model is at version 4, its last event is version 3");
    }

    [Fact]
    public async Task rewriting_an_event_and_its_hash_breaks_the_link_of_the_next_event()
    {
        await AHistory();
        var tampered = await SequenceOf(2);
        var next = await SequenceOf(3);

        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = jsonb_set(data, '{{Amount,Amount}}', '250000000') where seq_id = {tampered}");
        var rewritten = await Verify($"/api/audit/commitments/{Goal}/verify");
        await AsSuperuserBehindTheTriggers($"update tracker.event_hashes set hash = 'recomputed-by-the-attacker' where seq_id = {tampered}");

        var report = await Verify($"/api/audit/commitments/{Goal}/verify");
        rewritten.FirstBreak!.Sequence.ShouldBe(tampered);
        report.Intact.ShouldBeFalse();
        report.Breaks.Select(b => b.Sequence).ShouldContain(next);
        report.Breaks.Single(b => b.Sequence == next).Reason.ShouldContain("link");
    }

    [Fact]
    public async Task a_hash_row_edited_while_its_event_is_untouched_is_named_as_the_hash_row_and_is_one_break()
    {
        await AHistory();
        var tampered = await SequenceOf(2);

        await AsSuperuserBehindTheTriggers($"update tracker.event_hashes set hash = repeat('0', 64) where seq_id = {tampered}");

        // Until 2026-12-06 the event read as changed, and the next event's link as a second break.
        var reports = await BothChecksFindOneBreak(tampered, "its hash row was edited: the event gives the hash the next event of its stream is chained to");
        // Which commitment it is, not only its stream's id (a hash of the key; since 2026-12-06).
        reports.ShouldAllBe(report => report.FirstBreak!.Commitment == Goal);
    }

    [Fact]
    public async Task without_a_checkpoint_the_last_events_hash_row_edited_reads_as_either_it_or_the_event_changed()
    {
        await AHistory();
        var last = await SequenceOf(4);
        await AsSuperuserBehindTheTriggers($"update tracker.event_hashes set hash = repeat('0', 64) where seq_id = {last}");
        var unsigned = await Verify();

        // Nothing follows the last event to say which of the two changed: the report says it could be either.
        unsigned.Breaks.ShouldHaveSingleItem().Reason.ShouldStartWith("it no longer gives the hash recorded for it");
        unsigned.FirstBreak!.Reason.ShouldContain("or its hash row was edited");
    }

    [Theory]
    [InlineData("hash row")]
    [InlineData("event")]
    public async Task a_checkpoint_tells_which_of_the_last_event_and_its_hash_row_was_changed(string changed)
    {
        await AHistory();
        var last = await SequenceOf(4);
        await TakeCheckpoint();

        await AsSuperuserBehindTheTriggers(changed == "event"
            ? $"update tracker.mt_events set user_name = 'somebody-else' where seq_id = {last}"
            : $"update tracker.event_hashes set hash = repeat('0', 64) where seq_id = {last}");

        await BothChecksFindOneBreak(last, changed == "event"
            ? "what it records (its data, type, time, actor, correlation or other metadata) changed after it was recorded (its hash is as checkpoint 1 signed it)"
            : "its hash row was edited: the event is as checkpoint 1 signed it");
    }

    [Fact]
    public async Task an_event_changed_with_its_hash_row_and_the_next_link_rewritten_to_match_is_still_changed_by_the_checkpoint()
    {
        await AHistory();
        var tampered = await SequenceOf(2);
        await TakeCheckpoint();

        // The event changed, its hash row zeroed, and the next event's link set to the hash the event gives now (its own
        // hash recomputed): the link alone would read as a hash row edited over an untouched event.
        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = jsonb_set(data, '{{Amount,Amount}}', '250000000') where seq_id = {tampered}; " +
                                           $"update tracker.event_hashes set hash = repeat('0', 64) where seq_id = {tampered}");
        await OwnerRechainsFrom(StreamIds.ForCommitment(Goal), 3);

        foreach (var report in new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() })
        {
            var found = report.Breaks.Single(b => b.Sequence == tampered);
            found.Reason.ShouldStartWith("what it records (its data, type, time, actor, correlation or other metadata) changed after it was recorded, " +
                                         "and its hash row was changed too: neither is as checkpoint 1 signed it");
        }
    }

    [Fact]
    public async Task every_hash_row_of_a_stream_removed_is_not_read_as_never_written()
    {
        await AHistory();
        var stream = StreamIds.ForCommitment(Goal);

        await AsSuperuserBehindTheTriggers($"delete from tracker.event_hashes where stream_id = '{stream}'");

        // A next event without a hash row of its own says nothing of whether the one before it ever had one.
        var report = await Verify();
        report.BreakCount.ShouldBe(4, string.Join("; ", report.Breaks.Select(b => $"{b.Sequence}: {b.Reason}")));
        report.Breaks.ShouldAllBe(b => b.Reason.StartsWith("no hash is stored for it: it was appended behind the log's trigger, or its hash row was removed"));
    }

    [Fact]
    public async Task an_event_renumbered_inside_a_signed_range_is_one_break_in_both_checks()
    {
        await AHistory();
        var pledge = await SequenceOf(2);
        await TakeCheckpoint();

        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set seq_id = {pledge + 1000} where seq_id = {pledge}");

        // Until the review, also "missing: checkpoint 1 recorded this event" at its old number.
        await BothChecksFindOneBreak(pledge + 1000, $"its sequence number was changed from {pledge}, where its hash was recorded, to {pledge + 1000}");
    }

    [Fact]
    public async Task an_event_whose_version_was_changed_is_not_said_to_be_renumbered()
    {
        await AHistory();
        var stage = await SequenceOf(3);

        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set version = 9 where seq_id = {stage}");

        var report = await Verify();
        report.Breaks.Single(b => b.Sequence == stage).Reason.ShouldStartWith(
            $"it is not the event whose hash was recorded at {stage} (stream {StreamIds.ForCommitment(Goal)}'s version 3): its stream or version was changed");
    }

    [Fact]
    public async Task a_hash_row_removed_from_the_middle_of_a_stream_is_named_as_removed_not_as_never_recorded()
    {
        await AHistory();
        var tampered = await SequenceOf(2);

        await AsSuperuserBehindTheTriggers($"delete from tracker.event_hashes where seq_id = {tampered}");

        await BothChecksFindOneBreak(tampered, "its hash row was removed: the event gives the hash the next event of its stream is chained to");
    }

    [Fact]
    public async Task two_events_whose_sequence_numbers_were_swapped_are_named_as_renumbered_not_as_broken_links()
    {
        await AHistory();
        var (pledge, stage) = (await SequenceOf(2), await SequenceOf(3));

        await AsSuperuserBehindTheTriggers($"""
            update tracker.mt_events set seq_id = -1 where seq_id = {pledge};
            update tracker.mt_events set seq_id = {pledge} where seq_id = {stage};
            update tracker.mt_events set seq_id = {stage} where seq_id = -1
            """);

        foreach (var report in new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() })
        {
            report.Breaks.Select(b => (b.Sequence, b.Version)).OrderBy(b => b.Sequence).ShouldBe([(pledge, 3L), (stage, 2L)]);
            report.Breaks.Single(b => b.Version == 2).Reason.ShouldStartWith(
                $"its sequence number was changed from {pledge}, where its hash was recorded, to {stage}: the event is otherwise as recorded");
            report.Breaks.Single(b => b.Version == 3).Reason.ShouldStartWith(
                $"its sequence number was changed from {stage}, where its hash was recorded, to {pledge}: the event is otherwise as recorded");
        }
    }

    [Fact]
    public async Task an_event_given_a_new_sequence_number_is_named_as_renumbered_not_as_removed_and_unhashed()
    {
        await AHistory();
        var pledge = await SequenceOf(2);

        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set seq_id = {pledge + 1000} where seq_id = {pledge}");

        var report = await Verify();
        report.BreakCount.ShouldBe(1, string.Join("; ", report.Breaks.Select(b => $"{b.Sequence}: {b.Reason}")));
        report.FirstBreak!.Sequence.ShouldBe(pledge + 1000);
        report.FirstBreak.Version.ShouldBe(2);
        report.FirstBreak.Reason.ShouldBe($"its sequence number was changed from {pledge}, where its hash was recorded, to {pledge + 1000}: the event is otherwise as recorded");
    }

    [Fact]
    public async Task an_event_the_owner_appends_leaving_the_stream_row_alone_is_one_break_naming_the_append()
    {
        await AHistory();

        await AsOwner($"""
            insert into tracker.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type,
                                           is_archived, correlation_id, causation_id, headers, user_name)
            select nextval('tracker.mt_events_sequence'), gen_random_uuid(), stream_id, 5, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived,
                   'forged', causation_id, headers, user_name
              from tracker.mt_events where seq_id = {await SequenceOf(2)};
            """);

        // Until 2026-12-06 two breaks, the row's saying it was changed by hand.
        foreach (var report in new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() })
        {
            report.Breaks.ShouldHaveSingleItem().Reason.ShouldStartWith(
                "events after version 4 were appended outside the service: the stream's row and the commitment's model are both at version 4, its last event is version 5");
        }
        // Until 2026-12-06 a write was told it lost a race and to retry, which it would lose again for ever.
        var refused = (await Api.Write($"{Base}/progress", Progress(), 409)).ReadProblem(409);
        refused.Title.ShouldBe("The event log was changed outside the service");
        refused.Detail.ShouldStartWith("Its log holds events after version 4, the version its stream row counts (its last event is version 5)");
    }

    [Fact]
    public async Task an_owner_who_disables_the_triggers_edits_a_row_and_recomputes_the_chain_is_caught_by_the_signed_checkpoint()
    {
        await AHistory();
        var tampered = await SequenceOf(2);
        await TakeCheckpoint();

        // The owner (no superuser) may switch its tables' triggers off.
        await AsOwner($"""
            alter table tracker.mt_events disable trigger user;
            update tracker.mt_events set data = jsonb_set(data, '{"{"}Amount,Amount{"}"}', '250000000') where seq_id = {tampered};
            alter table tracker.mt_events enable trigger user;
            """);
        await OwnerRehashesTheStream(StreamIds.ForCommitment(Goal));

        // The per-stream chain was recomputed consistently, and the checkpoint says what it was, to the commitment's own
        // check as to the whole log's (until 2026-12-05 the commitment's check found it intact).
        foreach (var report in new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() })
        {
            report.Intact.ShouldBeFalse();
            report.FirstBreak!.Sequence.ShouldBe(tampered);
            report.FirstBreak.Checkpoint.ShouldBe(1);
            report.FirstBreak.Reason.ShouldContain("differs from what checkpoint 1 recorded");
            // The later events of the stream differ from the checkpoint only by the recomputed chain: one break, not three.
            report.BreakCount.ShouldBe(1, string.Join("; ", report.Breaks.Select(b => $"{b.Sequence}: {b.Reason}")));
        }
    }

    [Fact]
    public async Task a_checkpoints_entries_altered_in_the_database_are_one_break_and_name_no_event_that_was_not_touched()
    {
        await AHistory();
        await TakeCheckpoint();

        await AsSuperuserBehindTheTriggers("update tracker.log_checkpoints set entries = set_byte(entries, 40, (get_byte(entries, 40) + 1) % 256)");

        foreach (var report in new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() })
        {
            report.BreakCount.ShouldBe(1, string.Join("; ", report.Breaks.Select(b => $"{b.Sequence}: {b.Reason}")));
            report.FirstBreak!.Reason.ShouldContain("recorded entries were altered");
        }
    }

    [Fact]
    public async Task deleting_a_streams_last_event_and_winding_its_version_back_is_found_and_refuses_later_writes()
    {
        var last = await AHistoryCutBackBehindASignedCheckpoint();
        // A write finds the row behind the commitment's model (until 2026-12-05 it chained cleanly onto the shortened stream) ...
        await Api.Write($"{Base}/evidence", new { url = "https://example.org/after-the-cut", primary = false }, 409);

        // ... the stream's own chain and row agree, cut back together, but the checkpoint recorded the event that is gone,
        // to the commitment's own check as to the whole log's (until 2026-12-05 the commitment's check found it intact)
        foreach (var report in new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() })
        {
            report.Intact.ShouldBeFalse();
            report.BreakCount.ShouldBe(1, string.Join("; ", report.Breaks.Select(b => $"{b.Sequence}: {b.Reason}")));
            report.FirstBreak!.Sequence.ShouldBe(last);
            report.FirstBreak.StreamId.ShouldBe(StreamIds.ForCommitment(Goal));
            report.FirstBreak.Reason.ShouldContain("missing");
        }
    }

    [Fact]
    public async Task a_commitment_whose_events_hashes_and_row_were_removed_before_any_checkpoint_is_named_by_the_model_left()
    {
        await AHistory();
        var stream = StreamIds.ForCommitment(Goal);

        await AsSuperuserBehindTheTriggers($"""
            delete from tracker.event_hashes where stream_id = '{stream}';
            delete from tracker.mt_events where stream_id = '{stream}';
            delete from tracker.mt_streams where id = '{stream}'
            """);

        // Until 2026-12-06 intact to both checks (and the commitment's own check a 404).
        foreach (var report in new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() })
        {
            report.Intact.ShouldBeFalse();
            var removed = report.Breaks.ShouldHaveSingleItem();
            removed.StreamId.ShouldBe(stream);
            removed.Reason.ShouldStartWith("the commitment's model is at version 4, and the log holds neither its events nor its stream row");
        }
    }

    [Fact]
    public async Task a_commitment_removed_whole_with_its_hashes_and_row_is_reported_by_its_own_check_not_unknown()
    {
        await AHistory();
        var signed = await TakeCheckpoint();
        var stream = StreamIds.ForCommitment(Goal);

        await AsSuperuserBehindTheTriggers($"""
            delete from tracker.event_hashes where stream_id = '{stream}';
            delete from tracker.mt_events where stream_id = '{stream}';
            delete from tracker.mt_streams where id = '{stream}';
            delete from tracker.mt_doc_commitmentprogress where id = '{stream}'
            """);

        var report = await Verify($"/api/audit/commitments/{Goal}/verify");
        report.EventsChecked.ShouldBe(0);
        report.Intact.ShouldBeFalse();
        report.BreakCount.ShouldBe(4, string.Join("; ", report.Breaks.Select(b => $"{b.Sequence}: {b.Reason}")));
        report.Breaks.ShouldAllBe(b => b.StreamId == stream && b.Checkpoint == signed.Number && b.Reason.Contains("missing"));
        // Stated again under the same key (the same stream), its new events come after every checkpoint: the ones a
        // checkpoint recorded are still missing.
        await Api.Write("/api/commitments", StabilisationGoal(), 201);
        var restated = await Verify($"/api/audit/commitments/{Goal}/verify");
        restated.EventsChecked.ShouldBe(1);
        restated.Breaks.Where(b => b.Reason.Contains("missing")).Count().ShouldBe(4);
        // A key nothing ever recorded is still unknown.
        await Api.Scenario(s =>
        {
            s.Get.Url("/api/audit/commitments/never-stated/verify");
            s.StatusCodeShouldBe(404);
        });
    }

    [Fact]
    public async Task a_truncated_log_fails_readiness_and_is_found_by_verification()
    {
        await AHistory();
        var checkpoint = await TakeCheckpoint();

        await AsSuperuserBehindTheTriggers("truncate tracker.mt_events, tracker.mt_streams, tracker.event_hashes cascade");

        var report = await Verify();
        var ready = await Api.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.StatusCodeShouldBe(503);
        });
        report.EventsChecked.ShouldBe(0);
        report.Intact.ShouldBeFalse();
        report.BreakCount.ShouldBe(checkpoint.EventCount);
        report.Breaks.ShouldAllBe(b => b.Reason.Contains("missing"));
        ready.ReadAsText().ShouldContain("no longer holds the last event the latest signed checkpoint covers as signed: the event is gone (the log was cut back or emptied)");
    }

    [Theory]
    [InlineData("delete from tracker.event_hashes where seq_id = {0}", "the event is there without its hash row")]
    [InlineData("update tracker.event_hashes set hash = repeat('0', 64) where seq_id = {0}", "the event is there, and its hash row holds another hash")]
    public async Task readiness_says_what_became_of_the_last_signed_event_when_only_its_hash_row_changed(string change, string said)
    {
        // Until 2026-12-06 readiness said the log was cut back or emptied, with every event still in it.
        await AHistory();
        var last = await SequenceOf(4);
        await TakeCheckpoint();

        await AsSuperuserBehindTheTriggers(string.Format(System.Globalization.CultureInfo.InvariantCulture, change, last));

        var ready = (await Api.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.StatusCodeShouldBe(503);
        })).ReadAsText();
        ready.ShouldContain(said);
        ready.ShouldNotContain("cut back");
    }

    [Fact]
    public async Task a_checkpoint_taken_through_the_api_stays_where_its_location_says()
    {
        await AHistory();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var taken = await Api.Scenario(s =>
        {
            s.Post.Url("/api/admin/checkpoints");
            s.StatusCodeShouldBe(201);
        });
        var first = taken.ReadAsJson<Checkpoint>()!;
        // Until 2026-12-07 the location was /latest, which a later checkpoint takes over.
        taken.Context.Response.Headers.Location.ToString().ShouldBe($"/api/audit/checkpoints/{first.Number}");
        await Api.Write($"{Base}/progress", Progress());
        var second = await TakeCheckpoint();

        second.Number.ShouldBe(first.Number + 1);
        (await Api.Scenario(s => s.Get.Url($"/api/audit/checkpoints/{first.Number}"))).ReadAsJson<Checkpoint>().ShouldBe(first);
        (await Api.Scenario(s => s.Get.Url($"/api/audit/checkpoints/{second.Number}"))).ReadAsJson<Checkpoint>().ShouldBe(second);
        foreach (var none in new[] { second.Number + 1, 0, -1, long.MaxValue })
        {
            (await Api.Scenario(s =>
            {
                s.Get.Url($"/api/audit/checkpoints/{none}");
                s.StatusCodeShouldBe(404);
            })).ReadProblem(404).Title.ShouldBe("No such checkpoint");
        }
        foreach (var spelled in new[] { $"+{first.Number}", $"0{first.Number}" })
        {
            await Api.Scenario(s =>
            {
                s.Get.Url($"/api/audit/checkpoints/{Uri.EscapeDataString(spelled)}");
                s.StatusCodeShouldBe(400);
            });
        }
    }

    [Fact]
    public async Task a_log_emptied_together_with_its_checkpoints_is_found_against_a_checkpoint_kept_outside()
    {
        await AHistory();
        await Api.Scenario(s =>
        {
            s.Get.Url("/api/audit/checkpoints/latest");
            s.StatusCodeShouldBe(404);
        });
        await TakeCheckpoint();
        var published = (await Api.Scenario(s => s.Get.Url("/api/audit/checkpoints/latest"))).ReadAsJson<Checkpoint>()!;

        await AsSuperuserBehindTheTriggers(
            "truncate tracker.mt_events, tracker.mt_streams, tracker.event_hashes, tracker.log_checkpoints, " +
            "tracker.mt_doc_documentview, tracker.mt_doc_commitmentprogress cascade; select setval('tracker.mt_events_sequence', 1, false)");
        Api.Services.GetRequiredService<Tracker.Api.Documents.RegisteredDocuments>().Forget();
        // A new history written into the emptied log, with a clean chain of its own.
        await AHistory();

        var fromTheDatabase = await Verify();
        var againstTheKeptCopy = await VerifyAgainst(published);

        fromTheDatabase.Intact.ShouldBeTrue(); // nothing in the database can tell ...
        againstTheKeptCopy.Intact.ShouldBeFalse(); // ... the copy kept outside it can
        againstTheKeptCopy.Breaks.Select(b => b.Reason).ShouldContain(r => r.Contains("missing from the database"));
        againstTheKeptCopy.Breaks.Select(b => b.Reason).ShouldContain(r => r.Contains("no longer gives the root"));
    }

    [Fact]
    public async Task a_node_that_remembers_its_last_checkpoint_refuses_a_database_whose_checkpoints_were_emptied()
    {
        var memory = Path.Combine(Path.GetTempPath(), $"checkpoint-memory-{Guid.NewGuid():N}.json");
        try
        {
            await using var node = await TrackerApp.StartAnotherHost(("Audit:Checkpoints:MemoryFile", memory));
            await AHistory();
            await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
            var signed = (await node.Scenario(s =>
            {
                s.Post.Url("/api/admin/checkpoints");
                s.StatusCodeShouldBe(201);
            })).ReadAsJson<Checkpoint>()!;
            File.ReadAllText(memory).ShouldContain($"\"Root\":\"{signed.Root}\"");

            // Whoever owns the database empties the checkpoints (and could rewrite the log under them).
            await AsSuperuserBehindTheTriggers("truncate tracker.log_checkpoints");

            // Until 2026-12-08 the node signed a fresh chain from number 1 over whatever the log then held.
            var refused = await node.Scenario(s =>
            {
                s.Post.Url("/api/admin/checkpoints");
                s.StatusCodeShouldBe(409);
            });
            refused.ReadAsText().ShouldContain($"Checkpoint {signed.Number}, which this node signed");
            refused.ReadAsText().ShouldContain("is missing from the database (its latest checkpoint: none): its checkpoints were removed");
            var ready = await node.Scenario(s =>
            {
                s.Get.Url("/health/ready");
                s.StatusCodeShouldBe(503);
            });
            ready.ReadAsText().ShouldContain("is missing from the database");
            // A node that keeps no memory (the shared test host) is not held to it.
            (await Api.Scenario(s => s.Get.Url("/health/ready"))).ReadAsText().ShouldNotContain("is missing from the database");

            // The operator, having looked, lets the node go on from the database as it is.
            File.Delete(memory);
            await node.Scenario(s =>
            {
                s.Post.Url("/api/admin/checkpoints");
                s.StatusCodeShouldBe(201);
            });
        }
        finally
        {
            File.Delete(memory);
        }
    }

    [Fact]
    public async Task a_node_s_memory_of_its_checkpoint_holds_while_other_nodes_sign_the_next_ones()
    {
        var memory = Path.Combine(Path.GetTempPath(), $"checkpoint-memory-{Guid.NewGuid():N}.json");
        try
        {
            await using var node = await TrackerApp.StartAnotherHost(("Audit:Checkpoints:MemoryFile", memory));
            async Task<Checkpoint> Sign(IAlbaHost by)
            {
                await Api.Write($"{Base}/progress", Progress());
                await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
                return (await by.Scenario(s =>
                {
                    s.Post.Url("/api/admin/checkpoints");
                    s.StatusCodeShouldBe(201);
                })).ReadAsJson<Checkpoint>()!;
            }
            await Api.StatedTheStabilisationGoal();
            var first = await Sign(node);
            // Another node (the shared host, which keeps no memory) signs the next: this one's memory still holds.
            await Sign(Api);
            var ready = (await node.Scenario(s => s.Get.Url("/health/ready"))).Json();
            ready.GetProperty("checks").GetProperty("log").GetProperty("data").GetProperty("latestCheckpointRemembered").GetBoolean().ShouldBeTrue();
            File.ReadAllText(memory).ShouldContain($"\"Number\":{first.Number}");
            var third = await Sign(node);
            File.ReadAllText(memory).ShouldContain($"\"Number\":{third.Number}");
        }
        finally
        {
            File.Delete(memory);
        }
    }

    [Fact]
    public void a_node_s_memory_sits_beside_its_signing_key_unless_set()
    {
        CheckpointMemory For(CheckpointOptions options) => new(Microsoft.Extensions.Options.Options.Create(options),
            Api.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostEnvironment>(), Api.Services.GetRequiredService<NpgsqlDataSource>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<CheckpointMemory>.Instance);

        // The container's key volume, where its content root is not writable.
        For(new CheckpointOptions { SigningKeyFile = "/keys/checkpoint-signing.pem" }).File.ShouldBe("/keys/checkpoint-memory.json");
        For(new CheckpointOptions { SigningKeyFile = "/keys/k.pem", MemoryFile = "/var/lib/tracker/memory.json" }).File.ShouldBe("/var/lib/tracker/memory.json");
        For(new CheckpointOptions { MemoryFile = "" }).File.ShouldBeNull();
    }

    [Fact]
    public async Task a_remembered_checkpoint_replaced_in_the_database_or_of_another_database_is_said_for_what_it_is()
    {
        var memory = Path.Combine(Path.GetTempPath(), $"checkpoint-memory-{Guid.NewGuid():N}.json");
        try
        {
            await using var node = await TrackerApp.StartAnotherHost(("Audit:Checkpoints:MemoryFile", memory));
            await AHistory();
            await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
            await node.Scenario(s =>
            {
                s.Post.Url("/api/admin/checkpoints");
                s.StatusCodeShouldBe(201);
            });
            var kept = File.ReadAllText(memory);

            // The same number in the database with another root: replaced.
            var root = System.Text.RegularExpressions.Regex.Match(kept, "\"Root\":\"([0-9a-f]+)\"").Groups[1].Value;
            File.WriteAllText(memory, kept.Replace(root, new string('0', 64)));
            (await node.Scenario(s =>
            {
                s.Post.Url("/api/admin/checkpoints");
                s.StatusCodeShouldBe(409);
            })).ReadAsText().ShouldContain("is in the database with another root");

            // A memory of another database (a new cluster, a restored copy elsewhere) holds this one to nothing, and is
            // replaced by this database's next checkpoint.
            var database = System.Text.RegularExpressions.Regex.Match(kept, "\"Database\":\"([^\"]+)\"").Groups[1].Value;
            File.WriteAllText(memory, kept.Replace(database, "1:1").Replace(root, new string('0', 64)));
            await Api.Write($"{Base}/progress", Progress());
            await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
            var next = (await node.Scenario(s =>
            {
                s.Post.Url("/api/admin/checkpoints");
                s.StatusCodeShouldBe(201);
            })).ReadAsJson<Checkpoint>()!;
            File.ReadAllText(memory).ShouldContain($"\"Database\":\"{database}\"");
            File.ReadAllText(memory).ShouldContain($"\"Number\":{next.Number}");
        }
        finally
        {
            File.Delete(memory);
        }
    }

    [Fact]
    public async Task a_kept_checkpoint_under_a_key_the_service_no_longer_holds_is_still_compared_with_the_log()
    {
        await AHistory();
        var published = await TakeCheckpoint();
        // The log emptied and written again; the copy kept names a key the service does not hold (as after its checkpoints
        // were replaced under another key, or its key was replaced without the old one listed).
        await AsSuperuserBehindTheTriggers(
            "truncate tracker.mt_events, tracker.mt_streams, tracker.event_hashes, tracker.log_checkpoints, " +
            "tracker.mt_doc_documentview, tracker.mt_doc_commitmentprogress cascade; select setval('tracker.mt_events_sequence', 1, false)");
        Api.Services.GetRequiredService<Tracker.Api.Documents.RegisteredDocuments>().Forget();
        await AHistory();
        var keptUnderAnotherKey = published with { KeyId = "00c0ffee00c0ffee" };

        var against = await VerifyAgainst(keptUnderAnotherKey);

        // Until 2026-12-08 the one break blamed the copy ("cannot be trusted"), and its root was never compared.
        against.Intact.ShouldBeFalse();
        var reasons = against.Breaks.Select(b => b.Reason).ToList();
        reasons.ShouldContain(r => r.Contains("is signed by key 00c0ffee00c0ffee, which this service neither holds nor trusts: either its key was replaced"));
        reasons.ShouldContain(r => r.Contains("no longer gives the root of the checkpoint you kept"));
    }

    [Fact]
    public async Task a_checkpoint_rewritten_in_the_database_no_longer_verifies_its_signature()
    {
        await AHistory();
        var checkpoint = await TakeCheckpoint();

        await AsSuperuserBehindTheTriggers("update tracker.log_checkpoints set event_count = event_count + 1");
        var forged = checkpoint with { EventCount = checkpoint.EventCount + 1 };

        var report = await Verify();
        var against = await VerifyAgainst(forged);
        report.Intact.ShouldBeFalse();
        report.FirstBreak!.Reason.ShouldContain("signature does not match");
        against.Breaks.Select(b => b.Reason).ShouldContain(r => r.Contains("signature does not match"));
    }

    [Fact]
    public async Task a_hash_downgraded_to_the_old_scheme_is_a_break_but_a_log_recorded_under_it_still_verifies()
    {
        await AHistory();
        var downgraded = await SequenceOf(3);

        // As the log was before the current scheme: every hash of the old kind, the chain intact.
        await AsSuperuserBehindTheTriggers("""
            update tracker.event_hashes h set scheme = null, previous_hash = null,
                   hash = encode(sha256(convert_to(e.type || E'\n' || e.version::text || E'\n' || e.data::text || E'\n', 'UTF8')), 'hex')
              from tracker.mt_events e where e.seq_id = h.seq_id and e.version = 1
            """);
        for (var version = 2; version <= 4; version++)
        {
            await AsSuperuserBehindTheTriggers($"""
                update tracker.event_hashes h set scheme = null, previous_hash = p.hash,
                       hash = encode(sha256(convert_to(e.type || E'\n' || e.version::text || E'\n' || e.data::text || E'\n' || p.hash, 'UTF8')), 'hex')
                  from tracker.mt_events e, tracker.event_hashes p
                 where e.seq_id = h.seq_id and e.stream_id = '{StreamIds.ForCommitment(Goal)}' and e.version = {version}
                   and p.stream_id = e.stream_id and p.version = e.version - 1
                """);
        }
        var oldLog = await Verify();
        // A new event chains onto the old hashes under the current scheme ...
        await Api.Write($"{Base}/evidence", new { url = "https://example.org/under-the-new-scheme", primary = false });
        var mixed = await Verify();
        // ... and an old-scheme hash after it is not something the service writes any more.
        await AsSuperuserBehindTheTriggers($"update tracker.event_hashes set scheme = 1 where seq_id = (select max(seq_id) from tracker.event_hashes)");
        var downgrade = await Verify();

        oldLog.Intact.ShouldBeTrue(string.Join("; ", oldLog.Breaks.Select(b => b.Reason)));
        mixed.Intact.ShouldBeTrue(string.Join("; ", mixed.Breaks.Select(b => b.Reason)));
        downgrade.Intact.ShouldBeFalse();
        downgrade.FirstBreak!.Sequence.ShouldBeGreaterThan(downgraded);
    }

    [Fact]
    public async Task every_changed_event_is_reported_not_only_the_first()
    {
        await AHistory();
        var pledge = await SequenceOf(2);
        var report = await SequenceOf(4);

        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = jsonb_set(data, '{{Amount,Amount}}', '250000000') where seq_id = {pledge}");
        await AsSuperuserBehindTheTriggers($"update tracker.mt_events set data = jsonb_set(data, '{{Figure}}', '1') where seq_id = {report}");

        var found = await Verify($"/api/audit/commitments/{Goal}/verify");
        found.Intact.ShouldBeFalse();
        found.BreakCount.ShouldBe(2);
        found.Breaks.Select(b => b.Sequence).ShouldBe([pledge, report]);
    }

    [Fact]
    public async Task an_event_inserted_behind_the_trigger_has_no_hash_and_is_found()
    {
        await AHistory();
        var last = await SequenceOf(4);

        await AsSuperuserBehindTheTriggers($"delete from tracker.event_hashes where seq_id = {last}");

        var report = await Verify($"/api/audit/commitments/{Goal}/verify");
        report.FirstBreak!.Sequence.ShouldBe(last);
        report.FirstBreak.Reason.ShouldContain("no hash");
    }

    [Fact]
    public async Task an_event_appended_while_the_hash_trigger_was_off_is_one_break_not_also_the_next_events_link()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);
        // The owner switches the hash trigger off for one write; the next write, hashed again, finds no hash to chain to.
        await AsOwner("alter table tracker.mt_events disable trigger trg_chain_event_hash");
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(10_000_000m));
        await AsOwner("alter table tracker.mt_events enable trigger trg_chain_event_hash");
        await Api.Write($"{Base}/progress", Progress());
        var unhashed = await SequenceOf(3);

        foreach (var report in new[] { await Verify($"/api/audit/commitments/{Goal}/verify"), await Verify() })
        {
            report.BreakCount.ShouldBe(1, string.Join("; ", report.Breaks.Select(b => $"{b.Sequence}: {b.Reason}")));
            report.FirstBreak!.Sequence.ShouldBe(unhashed);
            report.FirstBreak.Reason.ShouldContain("no hash");
        }
    }

    [Fact]
    public async Task writes_that_lose_a_race_leave_nothing_that_verification_reports_as_a_break()
    {
        await AHistory();
        var client = Api.Server.CreateClient();

        // Ten writers with the same If-Match: one wins, the others fail.
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{Base}/evidence")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { url = $"https://example.org/race-{i}", primary = false })
            };
            request.Headers.TryAddWithoutValidation("If-Match", "\"4\"");
            using var response = await client.SendAsync(request);
            return (int)response.StatusCode;
        }));
        await TakeCheckpoint();

        answers.Count(s => s == 200).ShouldBe(1);
        var whole = await Verify();
        whole.Intact.ShouldBeTrue(string.Join("; ", whole.Breaks.Select(b => b.Reason)));
        whole.BreakCount.ShouldBe(0);
    }

    [Fact]
    public async Task statements_of_one_new_commitment_that_race_leave_every_sequence_number_a_hashed_row()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        var client = Api.Server.CreateClient();

        // Eight statements of one new key at once: a loser whose append fails after Marten drew its sequence numbers has
        // them filled with tombstones (stored at -infinity), which the hash chain's trigger must take too (an outsider's
        // race left such gaps; the next test writes such a row itself, since a race here need not lose that late).
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await client.PostAsync("/api/commitments",
                System.Net.Http.Json.JsonContent.Create(StabilisationGoal("raced-goal")));
            return (int)response.StatusCode;
        }));
        await TakeCheckpoint();

        answers.Count(s => s == 201).ShouldBe(1);
        answers.Count(s => s == 409).ShouldBe(7);
        var (events, unhashed, highest) = await LogRows();
        unhashed.ShouldBe(0);
        events.ShouldBe(highest, "a sequence number without its row: a failed append left a gap");
        var whole = await Verify();
        whole.Intact.ShouldBeTrue(string.Join("; ", whole.Breaks.Select(b => b.Reason)));
    }

    [Fact]
    public async Task an_event_stored_at_an_infinite_time_is_hashed_and_verifies()
    {
        await AHistory();
        var stream = Guid.NewGuid();
        // As Marten writes a tombstone: DateTimeOffset.MinValue, which Npgsql stores as -infinity.
        await AsService($$"""
            insert into tracker.mt_streams (id, tenant_id, version, is_archived) values ('{{stream}}', '*DEFAULT*', 1, false);
            insert into tracker.mt_events (data, type, mt_dotnet_type, id, stream_id, version, timestamp, tenant_id, seq_id)
            values ('{}', 'tombstone', 'JasperFx.Events.Tombstone, JasperFx.Events', '{{Guid.NewGuid()}}', '{{stream}}', 1,
                    '-infinity', '*DEFAULT*', nextval('tracker.mt_events_sequence'))
            """);
        await TakeCheckpoint();

        var (_, unhashed, _) = await LogRows();
        unhashed.ShouldBe(0);
        var whole = await Verify();
        whole.Intact.ShouldBeTrue(string.Join("; ", whole.Breaks.Select(b => b.Reason)));
    }

    /// <summary>How many events the log holds, how many of them have no hash, and the highest sequence number.</summary>
    private async Task<(long Events, long Unhashed, long Highest)> LogRows()
    {
        await using var command = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("""
            select count(*), count(*) filter (where not exists (select 1 from tracker.event_hashes h where h.seq_id = e.seq_id)),
                   coalesce(max(e.seq_id), 0)
              from tracker.mt_events e
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    [Fact]
    public async Task a_malformed_kept_checkpoint_or_page_request_is_a_400_naming_the_field()
    {
        var badRoot = await Api.Scenario(s =>
        {
            s.Post.Json(new { number = 1, afterSequence = 0, throughSequence = 5, eventCount = 5, root = "not-hex",
                takenAt = "2026-12-01T00:00:00Z", keyId = "0000000000000000", signature = "x" }).ToUrl("/api/audit/verify");
            s.StatusCodeShouldBe(400);
        });
        var badLimit = await Api.Scenario(s =>
        {
            s.Get.Url("/api/audit/checkpoints?limit=0");
            s.StatusCodeShouldBe(400);
        });

        badRoot.ReadAsText().ShouldContain("root must be 64 lower-case hexadecimal digits");
        badLimit.ReadAsText().ShouldContain("limit must be between 1 and 200");
        // Digits past the range are a number too large (until 2026-12-06 "must be a whole number").
        var tooLarge = await Api.Scenario(s =>
        {
            s.Get.Url("/api/audit/checkpoints?before=9223372036854775808");
            s.StatusCodeShouldBe(400);
        });
        tooLarge.ReadAsText().ShouldContain("before is past the largest checkpoint number there can be (9223372036854775807).");
    }

    [Theory]
    [InlineData("\"takenAt\": \"2026-12-01T00:00:00.031968\"", "takenAt", "a date and time in ISO 8601 with its offset")]
    [InlineData("\"takenAt\": \"2026-12-01\"", "takenAt", "a date and time in ISO 8601 with its offset")]
    [InlineData("\"signature\": \"not base64!!\"", "signature", "signature must be base64, as published.")]
    [InlineData("\"afterSequence\": null", "afterSequence", "afterSequence is required")]
    // Sent, but below 1: said so, not "required" (until 2026-12-06).
    [InlineData("\"number\": -1", "number", "number is the checkpoint's number, 1 or more.")]
    [InlineData("\"number\": null", "number", "number is required")]
    // 0 sent is a number below 1, not a number left out (until 2026-12-06 it was told it is required).
    [InlineData("\"number\": 0", "number", "number is the checkpoint's number, 1 or more.")]
    [InlineData("\"eventCount\": 0", "eventCount", "eventCount is the number of events the checkpoint covers, 1 or more.")]
    [InlineData("\"throughSequence\": null", "throughSequence", "throughSequence is required")]
    [InlineData("\"takenAt\": \"0001-01-01T00:00:00Z\"", "takenAt", "takenAt must be a date between")]
    [InlineData("\"takenAt\": \"2026-12-01T00:00:00.0000001Z\"", "takenAt", "takenAt has at most six decimal places of a second, as published.")]
    [InlineData("\"throughSequence\": 0", "throughSequence", "throughSequence must be greater than afterSequence (0): a checkpoint covers at least one event.")]
    [InlineData("\"eventCount\": -5", "eventCount", "eventCount is the number of events the checkpoint covers, 1 or more.")]
    public async Task a_kept_checkpoint_that_cannot_be_as_published_is_a_400_not_a_break_of_the_log(string change, string field, string message)
    {
        // Until 2026-12-06 a time without its offset was read in the server's zone, a signature that is not base64 was
        // reported as a break of the log, and a missing afterSequence read as 0.
        var fields = new Dictionary<string, string>
        {
            ["number"] = "1", ["afterSequence"] = "0", ["throughSequence"] = "5", ["eventCount"] = "5",
            ["root"] = $"\"{new string('a', 64)}\"", ["takenAt"] = "\"2026-12-01T00:00:00Z\"", ["keyId"] = "\"0000000000000000\"",
            ["signature"] = "\"AAAA\""
        };
        var (name, value) = (change.Split(':', 2)[0].Trim().Trim('"'), change.Split(':', 2)[1].Trim());
        if (value == "null") fields.Remove(name);
        else fields[name] = value;
        var body = "{" + string.Join(", ", fields.Select(f => $"\"{f.Key}\": {f.Value}")) + "}";

        var refused = await Api.Scenario(s =>
        {
            s.Post.Text(body).ToUrl("/api/audit/verify");
            s.WithRequestHeader("Content-Type", "application/json");
            s.StatusCodeShouldBe(400);
        });

        var problem = refused.ReadAsJson<JsonElement>();
        problem.GetProperty("errors").GetProperty(field)[0].GetString().ShouldNotBeNull().ShouldContain(message);
    }

    [Fact]
    public async Task a_backlog_is_signed_a_bounded_range_at_a_time_and_verifies_as_one_log()
    {
        await AHistory();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        await using var node = await TrackerApp.StartAnotherHost(("Audit:Checkpoints:MaxEvents", "3"));

        var taken = new List<Checkpoint>();
        for (var i = 0; i < 2; i++)
        {
            taken.Add((await node.Scenario(s =>
            {
                s.Post.Url("/api/admin/checkpoints");
                s.StatusCodeShouldBe(201);
            })).ReadAsJson<Checkpoint>()!);
        }
        await node.Scenario(s =>
        {
            s.Post.Url("/api/admin/checkpoints");
            s.StatusCodeShouldBe(204);
        });

        taken.Select(c => c.EventCount).ShouldBe([3L, 5L]);
        var report = await Verify();
        report.Intact.ShouldBeTrue(string.Join("; ", report.Breaks.Select(b => b.Reason)));
        report.CheckpointsChecked.ShouldBe(2);
    }

    [Theory]
    [InlineData("2")] // parts of 2, 2 and 1
    [InlineData("5")] // one full part, then an empty one
    public async Task a_checkpoint_read_a_few_events_at_a_time_signs_the_whole_range_and_verifies(string eventsPerRead)
    {
        await AHistory();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        await using var node = await TrackerApp.StartAnotherHost(("Audit:Checkpoints:EventsPerRead", eventsPerRead),
            ("Audit:Checkpoints:PauseBetweenReads", "00:00:00.001"));

        var taken = (await node.Scenario(s =>
        {
            s.Post.Url("/api/admin/checkpoints");
            s.StatusCodeShouldBe(201);
        })).ReadAsJson<Checkpoint>()!;

        taken.EventCount.ShouldBe(5L);
        var report = await Verify();
        report.Intact.ShouldBeTrue(string.Join("; ", report.Breaks.Select(b => b.Reason)));
        report.CheckpointsChecked.ShouldBe(1);
    }

    [Fact]
    public async Task the_service_takes_signed_checkpoints_on_its_own_and_publishes_them_with_its_key_and_in_the_feed()
    {
        await AHistory();
        await using var node = await TrackerApp.StartAnotherHost(("Audit:Checkpoints:Enabled", "true"),
            ("Audit:Checkpoints:Interval", "00:00:00.2"), ("Audit:Checkpoints:SettleTime", "00:00:00"));

        // Every event of the log signed: the newest checkpoint (first in the list) counts all five, whether the service
        // signed them at once or over two ticks (events still settling when it first looked).
        var taken = await ReadModels.Eventually.Until(
            async () => (await Api.Scenario(s => s.Get.Url("/api/audit/checkpoints"))).ReadAsJson<List<Checkpoint>>()!,
            list => list.Count > 0 && list[0].EventCount == 5);
        var key = (await Api.Scenario(s => s.Get.Url("/api/audit/checkpoints/key"))).ReadAsJson<CheckpointKey>()!;
        var feed = (await Api.Scenario(s => s.Get.Url("/api/audit/events?after=0&limit=1000"))).ReadAsJson<EventFeedPage>()!;

        using var publicKey = System.Security.Cryptography.ECDsa.Create();
        publicKey.ImportFromPem(key.PublicKeyPem);
        foreach (var checkpoint in taken)
        {
            checkpoint.KeyId.ShouldBe(key.KeyId);
            publicKey.VerifyData(System.Text.Encoding.UTF8.GetBytes(checkpoint.Payload()), Convert.FromBase64String(checkpoint.Signature),
                System.Security.Cryptography.HashAlgorithmName.SHA256).ShouldBeTrue();
        }
        taken.Min(c => c.AfterSequence).ShouldBe(0);
        feed.Checkpoints.Select(c => c.Number).ShouldContain(1);
    }

    [Fact]
    public async Task readiness_reports_the_guards_in_place_for_the_service_role()
    {
        var ready = await Api.Scenario(s => s.Get.Url("/health/ready"));

        using var body = JsonDocument.Parse(ready.ReadAsText());
        var log = body.RootElement.GetProperty("checks").GetProperty("log");
        log.GetProperty("status").GetString().ShouldBe("Healthy");
        log.GetProperty("data").GetProperty("guardsInPlace").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task outside_development_readiness_fails_when_the_service_connects_as_the_logs_owner()
    {
        await using var asOwner = await TrackerApp.StartHostIn("Production",
            ("ConnectionStrings:Tracker", TestDatabase.OwnerConnectionString()),
            ("Auth:BootstrapAdminKey", "production-admin-key-for-tests"));

        var ready = await asOwner.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.WithRequestHeader("X-Api-Key", "production-admin-key-for-tests");
            s.StatusCodeShouldBe(503);
        });

        ready.ReadAsText().ShouldContain("owner of the events table");
    }

    [Fact]
    public async Task the_command_line_verifies_the_whole_log()
    {
        await AHistory();
        await TakeCheckpoint();

        var (exitCode, output) = await CommandLine.Run(TestDatabase.ConnectionString(), "audit-verify");

        exitCode.ShouldBe(0, output);
        output.ShouldContain("The log is intact: 5 events checked");
    }

    [Fact]
    public async Task the_command_line_compares_the_log_with_a_checkpoint_kept_outside_it()
    {
        await AHistory();
        await TakeCheckpoint();
        var kept = Path.Combine(Path.GetTempPath(), $"kept-checkpoint-{Guid.NewGuid():N}.json");
        var latest = (await Api.Scenario(s => s.Get.Url("/api/audit/checkpoints/latest"))).ReadAsText();
        await File.WriteAllTextAsync(kept, latest);
        // The one-letter flag with "=" as the long one takes it (until 2026-12-06 an unhandled exception, exit 134).
        var (intactCode, intact) = await CommandLine.Run(TestDatabase.ConnectionString(), "audit-verify", $"-k={kept}");
        // A flag given twice is refused, in either spelling (until 2026-12-06 the last was checked, the first passed over).
        var forged = Path.Combine(Path.GetTempPath(), $"forged-checkpoint-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(forged, latest.Replace("\"root\":\"", "\"root\":\"00", StringComparison.Ordinal));
        var (twiceCode, twice) = await CommandLine.Run(TestDatabase.ConnectionString(), "audit-verify", "--checkpoint", forged, $"-k={kept}");
        // What cannot be read is said in the command's words, not the file system's or the reader's.
        var (folderCode, folder) = await CommandLine.Run(TestDatabase.ConnectionString(), "audit-verify", "--checkpoint", Path.GetTempPath());
        await File.WriteAllTextAsync(forged, "[]");
        var (arrayCode, array) = await CommandLine.Run(TestDatabase.ConnectionString(), "audit-verify", "--checkpoint", forged);
        File.Delete(forged);
        var (goneCode, gone) = await CommandLine.Run(TestDatabase.ConnectionString(), "audit-verify", "--checkpoint", forged);
        // Given empty ("$KEPT" unset) is a mistake, not a verification without the comparison (until 2026-12-07, exit 0).
        var (emptyCode, empty) = await CommandLine.Run(TestDatabase.ConnectionString(), "audit-verify", "--checkpoint", "");
        emptyCode.ShouldBe(1, empty);
        empty.ShouldContain("--checkpoint is empty");
        empty.ShouldNotContain("intact");
        twiceCode.ShouldBe(1, twice);
        twice.ShouldContain("--checkpoint is given more than once");
        twice.ShouldNotContain("intact");
        (folderCode, arrayCode, goneCode).ShouldBe((1, 1, 1));
        folder.ShouldContain("it is a folder");
        array.ShouldContain("it is JSON, but not one object");
        gone.ShouldContain("there is no such file.");
        gone.ShouldNotContain("..");

        await AsSuperuserBehindTheTriggers(
            "truncate tracker.mt_events, tracker.mt_streams, tracker.event_hashes, tracker.log_checkpoints, " +
            "tracker.mt_doc_documentview, tracker.mt_doc_commitmentprogress cascade; select setval('tracker.mt_events_sequence', 1, false)");
        Api.Services.GetRequiredService<Tracker.Api.Documents.RegisteredDocuments>().Forget();
        await AHistory();
        var (exitCode, output) = await CommandLine.Run(TestDatabase.ConnectionString(), "audit-verify", "--checkpoint", kept);
        await File.WriteAllTextAsync(kept, """{"number": "one"}""");
        var (unreadableCode, unreadable) = await CommandLine.Run(TestDatabase.ConnectionString(), "audit-verify", "--checkpoint", kept);
        var published = System.Text.Json.Nodes.JsonNode.Parse(latest)!;
        published["takenAt"] = "0001-01-01T00:00:00Z";
        await File.WriteAllTextAsync(kept, published.ToJsonString());
        var (yearOneCode, yearOne) = await CommandLine.Run(TestDatabase.ConnectionString(), "audit-verify", "--checkpoint", kept);
        File.Delete(kept);

        intactCode.ShouldBe(0, intact);
        intact.ShouldContain("The log is intact: 5 events checked, against 2 signed checkpoints (one of them the one you kept, number 1)");
        // Until 2026-12-06 only POST /api/audit/verify took a kept checkpoint, and a checkpoint's break read as events.
        exitCode.ShouldBe(1, output);
        output.ShouldContain("The log is broken: 2 breaks found; 5 events checked");
        output.ShouldContain("  checkpoint 1 (through event 5): Checkpoint 1, which you kept, is missing from the database");
        output.ShouldNotContain("events do not match");
        unreadableCode.ShouldBe(1, unreadable);
        unreadable.ShouldContain("the value at $.number is not what a checkpoint as published holds there");
        // Held to the POST route's bounds too: out of range, not "required" (until 2026-12-06).
        yearOneCode.ShouldBe(1, yearOne);
        yearOne.ShouldContain("takenAt must be a date between");
        yearOne.ShouldNotContain("required");
    }

    [Fact]
    public async Task the_command_line_names_a_missing_event_by_what_the_checkpoint_recorded_of_it()
    {
        var last = await AHistoryCutBackBehindASignedCheckpoint();

        var (exitCode, output) = await CommandLine.Run(TestDatabase.ConnectionString(), "audit-verify");

        exitCode.ShouldBe(1, output);
        output.ShouldContain($"  event {last} (commitment {Goal}, stream {StreamIds.ForCommitment(Goal)}): it is missing: checkpoint 1 recorded this event");
        output.ShouldNotContain("version ,");
    }
}
