using Microsoft.AspNetCore.Builder;
using Marten.Events;
using Tracker.Tests.Faults;
using Microsoft.Extensions.DependencyInjection;
using Alba;
using Tracker.Domain;
using Tracker.Tests.Support;
using Tracker.Tests.Documents;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Commitments;

public sealed class concurrency_and_idempotency(TrackerApp app) : TrackerTest(app)
{
    private const string ProgressUrl = $"/api/commitments/{Goal}/progress";

    private async Task<int> EventCount()
    {
        await using var session = Store.LightweightSession();
        return (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Goal))).Count;
    }

    [Fact]
    public async Task a_write_with_the_current_version_in_if_match_is_accepted()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write(ProgressUrl, Progress(), 200, ("If-Match", "\"1\""));

        result.Context.Response.Headers.ETag.ToString().ShouldBe("\"2\"");
    }

    [Fact]
    public async Task a_write_with_a_stale_if_match_is_a_412_and_appends_nothing()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(ProgressUrl, Progress());

        var result = await Api.Write(ProgressUrl, Progress(300_000_000m), 412, ("If-Match", "\"1\""));

        // The version it is at, said and tagged, as a read's 412 does (until 2026-12-07 neither: the client read it again).
        result.ReadProblem(412).Detail.ShouldBe("Nothing was recorded: the commitment is at version 2 (ETag \"2\"), not one If-Match names. Read it again and decide anew.");
        result.Context.Response.Headers.ETag.ToString().ShouldBe("\"2\"");
        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public async Task if_match_takes_any_version_with_a_star_or_any_of_a_list_of_versions()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write(ProgressUrl, Progress(), 200, ("If-Match", "*"));
        await Api.Write(ProgressUrl, Progress(300_000_000m), 200, ("If-Match", "\"1\", \"2\""));
        var stale = await Api.Write(ProgressUrl, Progress(400_000_000m), 412, ("If-Match", "\"1\", \"2\""));

        stale.ReadProblem(412);
        (await EventCount()).ShouldBe(3);
        // Empty elements of the list are ignored; a list of nothing is refused.
        await Api.Write(ProgressUrl, Progress(500_000_000m), 200, ("If-Match", "\"3\", , \"9\""));
        (await Api.Write(ProgressUrl, Progress(), 400, ("If-Match", " , "))).ReadProblem(400);
        (await Api.Write("/api/commitments/no-such-goal/progress", Progress(), 404, ("If-Match", "*"))).ReadProblem(404);
    }

    [Fact]
    public async Task if_match_naming_a_version_on_a_write_that_has_none_is_a_412_and_nothing_is_done()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());

        // Until 2026-12-06 the creating routes ignored If-Match: a client that sent "1" believing it guarded the write
        // had the commitment created.
        var versioned = await Api.Write("/api/commitments", StabilisationGoal(), 412, ("If-Match", "\"1\""));
        var document = await Api.Write("/api/documents", DocumentScenarios.Washington2024("rome-2021"), 412, ("If-Match", "\"3\""));
        var malformed = await Api.Write("/api/commitments", StabilisationGoal(), 400, ("If-Match", "yesterday"));

        versioned.ReadProblem(412).Detail.ShouldNotBeNull().ShouldContain("writes to no existing commitment");
        document.ReadProblem(412);
        malformed.ReadProblem(400).Title.ShouldBe("A request header is not valid");
        await Api.Scenario(s => { s.Get.Url($"/api/commitments/{Goal}"); s.StatusCodeShouldBe(404); });
        await Api.Scenario(s => { s.Get.Url("/api/documents/rome-2021"); s.StatusCodeShouldBe(404); });
        // A method the path does not answer is a 405 whatever the header says.
        var wrongMethod = await Api.Scenario(s =>
        {
            s.Delete.Url("/api/documents");
            s.WithRequestHeader("If-Match", "\"3\"");
            s.StatusCodeShouldBe(405);
        });
        wrongMethod.ReadProblem(405);

        // "*" asks only that the target exists: the collection does.
        await Api.Write("/api/commitments", StabilisationGoal(), 201, ("If-Match", "*"));
    }

    [Fact]
    public async Task if_none_match_on_a_write_is_a_412_when_it_holds_of_what_is_there()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(ProgressUrl, Progress());

        // Until 2026-12-07 every write ignored If-None-Match: each of these was recorded.
        var current = await Api.Write(ProgressUrl, Progress(300_000_000m), 412, ("If-None-Match", "\"2\""));
        var weakly = await Api.Write(ProgressUrl, Progress(300_000_000m), 412, ("If-None-Match", "\"9\", W/\"2\""));
        var exists = await Api.Write(ProgressUrl, Progress(300_000_000m), 412, ("If-None-Match", "*"));
        var malformed = await Api.Write(ProgressUrl, Progress(300_000_000m), 400, ("If-None-Match", "garbage"));
        (await EventCount()).ShouldBe(2);

        current.ReadProblem(412).Detail.ShouldBe("Nothing was done: the commitment is at version 2, and If-None-Match (\"2\") names that version.");
        weakly.ReadProblem(412);
        exists.ReadProblem(412).Detail.ShouldNotBeNull().ShouldContain("* asks that it not exist");
        malformed.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldContain("If-None-Match");
        // A version it is not at: the write goes on.
        await Api.Write(ProgressUrl, Progress(300_000_000m), 200, ("If-None-Match", "\"1\""));
        (await EventCount()).ShouldBe(3);
        // On a write with no version: * is a 412 (the collection exists), tags name nothing here and pass.
        (await Api.Write("/api/commitments", StabilisationGoal("another-goal"), 412, ("If-None-Match", "*"))).ReadProblem(412);
        await Api.Write("/api/commitments", StabilisationGoal("another-goal"), 201, ("If-None-Match", "\"1\""));
        (await Api.Write("/api/commitments", StabilisationGoal("third-goal"), 400, ("If-None-Match", "1"))).ReadProblem(400);
        // Malformed, it is a 400 before anything else is said (an unknown commitment, a stale If-Match).
        (await Api.Write("/api/commitments/no-such-goal/progress", Progress(), 400, ("If-None-Match", "garbage"))).ReadProblem(400);
        (await Api.Write(ProgressUrl, Progress(), 400, ("If-Match", "\"1\""), ("If-None-Match", "garbage"))).ReadProblem(400);
    }

    [Fact]
    public async Task a_malformed_if_match_is_a_400()
    {
        await Api.StatedTheStabilisationGoal();
        var before = await Api.EventCount();

        var result = await Api.Write(ProgressUrl, Progress(), 400, ("If-Match", "yesterday"));
        var weak = await Api.Write(ProgressUrl, Progress(), 400, ("If-Match", "W/\"1\""));
        var unquoted = await Api.Write(ProgressUrl, Progress(), 400, ("If-Match", "1"));
        // "*" is a header of its own, not a tag of a list.
        (await Api.Write(ProgressUrl, Progress(), 400, ("If-Match", "\"3\", *"))).ReadProblem(400);
        (await Api.Write(ProgressUrl, Progress(), 400, ("If-Match", "*, *"))).ReadProblem(400);
        // Strong tags compare exactly: "01" is not version 1's tag, nor any version's; well-formed, it matches none (a 412,
        // until 2026-12-06 a 400), as another resource's tag and a number past the largest do.
        var padded = await Api.Write(ProgressUrl, Progress(), 412, ("If-Match", "\"01\""));
        await Api.Write(ProgressUrl, Progress(), 412, ("If-Match", "\"h-abc\""));
        await Api.Write(ProgressUrl, Progress(), 412, ("If-Match", "\"99999999999999999999999\""));

        result.ReadProblem(400).Detail.ShouldNotBeNull().ShouldContain("If-Match");
        var weakProblem = weak.ReadProblem(400);
        weakProblem.Detail.ShouldNotBeNull().ShouldContain("strong ETag");
        weakProblem.Errors.ShouldNotBeNull().Keys.ShouldContain("If-Match");
        unquoted.ReadProblem(400);
        padded.ReadProblem(412);
        (await Api.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task racing_writers_without_if_match_never_see_a_server_error_and_every_accepted_write_is_one_event()
    {
        await Api.StatedTheStabilisationGoal();

        var results = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Api.Scenario(s =>
        {
            s.Post.Json(Progress(i)).ToUrl(ProgressUrl);
            s.IgnoreStatusCode();
        })));

        var statuses = results.Select(r => r.Context.Response.StatusCode).ToList();
        statuses.ShouldAllBe(s => s == 200 || s == 409);
        (await EventCount()).ShouldBe(1 + statuses.Count(s => s == 200));
    }

    [Fact]
    public async Task three_times_as_many_requests_at_once_as_a_pool_has_connections_all_get_through()
    {
        await Api.StatedTheStabilisationGoal();
        var reads = new[] { $"/api/commitments/{Goal}", "/api/commitments", "/api/dashboard", "/api/pledgers" };
        var many = 3 * Tracker.Api.Infrastructure.TrackerDatabase.DefaultMaxPoolSize;

        var results = await Task.WhenAll(Enumerable.Range(0, many).Select(i => Api.Scenario(s =>
        {
            if (i % 3 == 0) s.Post.Json(Progress(i)).ToUrl(ProgressUrl);
            else s.Get.Url(reads[i % reads.Length]);
            s.IgnoreStatusCode();
        })));

        var statuses = results.Select(r => r.Context.Response.StatusCode).ToList();
        statuses.Where((_, i) => i % 3 != 0).ShouldAllBe(s => s == 200);
        statuses.Where((_, i) => i % 3 == 0).ShouldAllBe(s => s == 200 || s == 409);
        (await EventCount()).ShouldBe(1 + statuses.Where((_, i) => i % 3 == 0).Count(s => s == 200));
    }

    [Fact]
    public async Task racing_writers_with_the_same_if_match_let_exactly_one_through()
    {
        await Api.StatedTheStabilisationGoal();

        var results = await Task.WhenAll(Enumerable.Range(1, 10).Select(i => Api.Scenario(s =>
        {
            s.Post.Json(Progress(i)).ToUrl(ProgressUrl);
            s.WithRequestHeader("If-Match", "\"1\"");
            s.IgnoreStatusCode();
        })));

        var statuses = results.Select(r => r.Context.Response.StatusCode).ToList();
        statuses.Count(s => s == 200).ShouldBe(1);
        statuses.Where(s => s != 200).ShouldAllBe(s => s == 412);
        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public async Task a_repeated_idempotency_key_replays_the_first_response_and_appends_nothing()
    {
        await Api.StatedTheStabilisationGoal();

        var first = await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "progress-2024-09-30"), ("X-Correlation-Id", "the-first-try"));
        var again = await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "progress-2024-09-30"), ("X-Correlation-Id", "the-retry"));

        again.ReadAsText().ShouldBe(first.ReadAsText());
        again.Context.Response.Headers.ETag.ToString().ShouldBe(first.Context.Response.Headers.ETag.ToString());
        again.Context.Response.Headers["Idempotent-Replayed"].ToString().ShouldBe("true");
        // The id the event was recorded under, not the retry's own (which an answer's last touch wrote over it for a few
        // hours on 2026-12-06).
        again.Context.Response.Headers["X-Correlation-Id"].ToString().ShouldBe("the-first-try");
        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public async Task a_retry_to_the_same_path_in_other_letter_case_replays_the_first_response()
    {
        // The routes and the keys in them match whatever the case of their ASCII letters: until 2026-12-06 the retry was
        // taken for another request under the same key, a 422.
        await Api.StatedTheStabilisationGoal();

        var first = await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "cased"));
        var again = await Api.Write(ProgressUrl.Replace("/api/commitments/stabilisation", "/API/Commitments/Stabilisation"),
            Progress(), 200, ("Idempotency-Key", "cased"));

        again.ReadAsText().ShouldBe(first.ReadAsText());
        again.Context.Response.Headers["Idempotent-Replayed"].ToString().ShouldBe("true");
        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public async Task a_retry_with_a_trailing_slash_replays_the_first_response()
    {
        // The routes match ".../progress/" as ".../progress": until 2026-12-06 the retry was another request, a 422.
        await Api.StatedTheStabilisationGoal();

        var first = await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "slashed"));
        var again = await Api.Write(ProgressUrl + "/", Progress(), 200, ("Idempotency-Key", "slashed"));

        again.ReadAsText().ShouldBe(first.ReadAsText());
        again.Context.Response.Headers["Idempotent-Replayed"].ToString().ShouldBe("true");
        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public async Task a_write_answered_without_a_body_is_kept_and_replayed_without_one()
    {
        // A checkpoint with nothing new answers 204; until 2026-12-06 the key's middleware wrote the empty body after it,
        // which Kestrel refuses (it threw and dropped the connection, on the first answer and on every replay). The test
        // server takes such a write, so this host refuses it as Kestrel does.
        await using var node = await TrackerApp.StartHostWith("Development",
            services => services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, NoBodyAfterNoContent>());
        await node.StatedTheStabilisationGoal();
        await node.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        await node.Scenario(s => { s.Post.Url("/api/admin/checkpoints"); s.StatusCodeShouldBe(201); });

        var nothingNew = await node.Scenario(s =>
        {
            s.Post.Url("/api/admin/checkpoints");
            s.WithRequestHeader("Idempotency-Key", "checkpoint-again");
            s.StatusCodeShouldBe(204);
        });
        var replayed = await node.Scenario(s =>
        {
            s.Post.Url("/api/admin/checkpoints");
            s.WithRequestHeader("Idempotency-Key", "checkpoint-again");
            s.StatusCodeShouldBe(204);
        });

        nothingNew.ReadAsText().ShouldBeEmpty();
        replayed.ReadAsText().ShouldBeEmpty();
        replayed.Context.Response.Headers["Idempotent-Replayed"].ToString().ShouldBe("true");
    }

    [Fact]
    public async Task checkpoints_asked_for_at_once_with_one_key_are_all_answered_with_the_one_taken()
    {
        // Until 2026-12-07 a duplicate that found nothing new (the first had just taken it) could keep its 204 under the key
        // before the first kept its 201: all ten were told "nothing new", and the checkpoint taken was nobody's answer.
        await Api.StatedTheStabilisationGoal();
        // A checkpoint is taken up to the high-water mark: the daemon's mark past every event first, so there is one to take.
        await using (var marked = Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
                         "select coalesce((select last_seq_id from tracker.mt_event_progression where name = 'HighWaterMark'), 0) >= " +
                         "(select max(seq_id) from tracker.mt_events)"))
        {
            await Tracker.Tests.ReadModels.Eventually.Until(async () => (bool)(await marked.ExecuteScalarAsync())!, past => past,
                TimeSpan.FromSeconds(30));
        }
        for (var attempt = 1; ; attempt++)
        {
            var before = await CheckpointCount();
            var key = $"one-checkpoint-{attempt}";

            var results = await Task.WhenAll(Enumerable.Range(1, 10).Select(_ => Api.Scenario(s =>
            {
                s.Post.Url("/api/admin/checkpoints");
                s.WithRequestHeader("Idempotency-Key", key);
                s.IgnoreStatusCode();
            })));

            // Every answer 204 and no checkpoint taken: there was nothing to take yet (on a cold machine the events were
            // not yet past what a checkpoint covers), which says nothing of the race; the next burst, a moment later, with
            // a key of its own. (A checkpoint taken while all were told 204 is the failure, and is not retried.)
            if (attempt < 20 && results.All(r => r.Context.Response.StatusCode == 204) && await CheckpointCount() == before)
            {
                await Task.Delay(250);
                continue;
            }
            results.Select(r => r.Context.Response.StatusCode).ShouldAllBe(status => status == 201);
            results.Select(r => r.ReadAsText()).Distinct().Count().ShouldBe(1);
            results.Count(r => r.Context.Response.Headers["Idempotent-Replayed"].ToString() != "true").ShouldBe(1);
            (await CheckpointCount()).ShouldBe(before + 1);
            break;
        }
    }

    [Fact]
    public async Task an_answer_that_may_be_owed_to_a_duplicate_is_not_kept_in_the_requests_own_transaction()
    {
        // A checkpoint's "nothing new" kept in its own transaction could win the key from the duplicate that took the
        // checkpoint, which then replayed the 204 (until 2026-12-07, found by a soak on a real server: two requests at once
        // with one key, both told 204, a checkpoint taken). It is kept after waiting for the duplicate's answer instead.
        var claim = new Tracker.Api.Infrastructure.Idempotency.IdempotencyClaim("key:admin", "one-checkpoint", "hash");
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = Api.Services };
        http.Items[typeof(Tracker.Api.Infrastructure.Idempotency.IdempotencyClaim)] = claim;
        http.Items[Tracker.Api.Infrastructure.Idempotency.IdempotentRequests.MayBeAnsweredByItsFirst] = true;
        await using var session = Store.LightweightSession();

        await Tracker.Api.Infrastructure.Idempotency.IdempotentWrite.Record(http, session, Microsoft.AspNetCore.Http.Results.NoContent());

        claim.Recorded.ShouldBeFalse();
        http.Items.Remove(Tracker.Api.Infrastructure.Idempotency.IdempotentRequests.MayBeAnsweredByItsFirst);
        await Tracker.Api.Infrastructure.Idempotency.IdempotentWrite.Record(http, session, Microsoft.AspNetCore.Http.Results.NoContent());
        claim.Recorded.ShouldBeTrue();
    }

    private async Task<long> CheckpointCount()
    {
        await using var count = Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand("select count(*) from tracker.log_checkpoints");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Refuses a write to a 204's or a 304's body, as Kestrel does (RFC 9110: they have none).</summary>
    private sealed class NoBodyAfterNoContent : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextStep) =>
            {
                context.Response.Body = new Refusing(context.Response.Body, context.Response);
                await nextStep(context);
            });
            next(app);
        };

        private sealed class Refusing(Stream inner, Microsoft.AspNetCore.Http.HttpResponse response) : Stream
        {
            private void Check()
            {
                if (response.StatusCode is 204 or 304)
                {
                    throw new InvalidOperationException($"Writing to the response body is invalid for responses with status code {response.StatusCode}.");
                }
            }

            public override void Write(byte[] buffer, int offset, int count) { Check(); inner.Write(buffer, offset, count); }
            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken token) { Check(); return inner.WriteAsync(buffer, offset, count, token); }
            public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken token = default) { Check(); return inner.WriteAsync(buffer, token); }
            public override void Flush() => inner.Flush();
            public override Task FlushAsync(CancellationToken token) => inner.FlushAsync(token);
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("\"1\"")]
    public async Task duplicates_sent_at_once_all_get_the_first_response_and_one_event_is_appended(string? ifMatch)
    {
        await Api.StatedTheStabilisationGoal();

        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(_ => Api.Scenario(s =>
        {
            s.Post.Json(Progress()).ToUrl(ProgressUrl);
            s.WithRequestHeader("Idempotency-Key", "sent-eight-times");
            if (ifMatch is not null) s.WithRequestHeader("If-Match", ifMatch);
            s.IgnoreStatusCode();
        })));

        results.Select(r => r.Context.Response.StatusCode).ShouldAllBe(status => status == 200);
        results.Select(r => r.ReadAsText()).Distinct().Count().ShouldBe(1);
        results.Count(r => r.Context.Response.Headers["Idempotent-Replayed"].ToString() != "true").ShouldBe(1);
        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public void a_repeat_losing_the_race_for_its_key_is_not_logged_as_an_error_and_every_other_failure_still_is()
    {
        var marten = new RecordedFailures();
        var quiet = new Tracker.Api.Infrastructure.Idempotency.KeyRaceQuietLogger(marten);
        Npgsql.PostgresException Unique(string table) => new("duplicate key value violates unique constraint", "ERROR", "ERROR",
            Npgsql.PostgresErrorCodes.UniqueViolation, tableName: table);

        using var batch = new Npgsql.NpgsqlBatch();
        quiet.LogFailure(batch, new Marten.Exceptions.MartenCommandException(new Npgsql.NpgsqlCommand("commit"), Unique("idempotency_keys")));
        quiet.LogFailure(batch, Unique("mt_streams"));
        quiet.LogFailure(new InvalidOperationException("something else"), "failed");

        marten.Failures.ShouldBe(["mt_streams", "something else"]);
    }

    private sealed class RecordedFailures : Marten.IMartenSessionLogger
    {
        public List<string> Failures { get; } = [];
        public void LogFailure(Npgsql.NpgsqlBatch batch, Exception ex) => Failures.Add((ex as Npgsql.PostgresException)?.TableName ?? ex.Message);
        public void LogFailure(Npgsql.NpgsqlCommand command, Exception ex) => Failures.Add(ex.Message);
        public void LogFailure(Exception ex, string message) => Failures.Add(ex.Message);
        public void LogSuccess(Npgsql.NpgsqlCommand command) { }
        public void LogSuccess(Npgsql.NpgsqlBatch batch) { }
        public void RecordSavedChanges(Marten.IDocumentSession session, Marten.Services.IChangeSet commit) { }
        public void OnBeforeExecute(Npgsql.NpgsqlCommand command) { }
        public void OnBeforeExecute(Npgsql.NpgsqlBatch batch) { }
    }

    [Fact]
    public async Task the_same_idempotency_key_with_a_different_body_is_a_422()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "k-1"));

        var result = await Api.Write(ProgressUrl, Progress(999m), 422, ("Idempotency-Key", "k-1"));

        result.ReadProblem(422).Type.ShouldNotBeNull().ShouldEndWith("idempotency-key-reused");
        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public async Task the_same_body_with_its_properties_in_another_order_is_the_same_request()
    {
        await Api.StatedTheStabilisationGoal();
        Task<IScenarioResult> Send(string json, int status) => Api.Scenario(s =>
        {
            s.Post.Text(json).ToUrl(ProgressUrl);
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Idempotency-Key", "reordered");
            s.StatusCodeShouldBe(status);
        });

        await Send("""{"figure":200000000,"currency":"USD","comparator":"more-than","asOf":"2024-09-30","source":{"documentKey":"washington-2024","primary":true}}""", 200);
        var again = await Send("""
            { "source": { "primary": true, "documentKey": "washington-2024" }, "asOf": "2024-09-30",
              "comparator": "more-than", "currency": "USD", "figure": 200000000 }
            """, 200);
        // The same amount written another way is the same request, as the endpoint reads it.
        var sameAmount = await Send("""{"figure":2.000e8,"currency":"USD","comparator":"more-than","asOf":"2024-09-30","source":{"documentKey":"washington-2024","primary":true}}""", 200);
        var other = await Send("""{"figure":200000001,"currency":"USD","comparator":"more-than","asOf":"2024-09-30","source":{"documentKey":"washington-2024","primary":true}}""", 422);
        // A number no decimal holds exactly is compared as sent: until 2026-12-06 it was rounded to 200000000 and replayed
        // the first answer, though on its own it is refused.
        var tooLong = await Send("""{"figure":200000000.00000000000000000001,"currency":"USD","comparator":"more-than","asOf":"2024-09-30","source":{"documentKey":"washington-2024","primary":true}}""", 422);
        tooLong.ReadProblem(422).Type.ShouldNotBeNull().ShouldEndWith("idempotency-key-reused");

        again.Context.Response.Headers["Idempotent-Replayed"].ToString().ShouldBe("true");
        sameAmount.Context.Response.Headers["Idempotent-Replayed"].ToString().ShouldBe("true");
        other.ReadProblem(422).Type.ShouldNotBeNull().ShouldEndWith("idempotency-key-reused");
        (await EventCount()).ShouldBe(2);
    }

    /// <summary>The key's request as an earlier service kept it: under the hash that service computed.</summary>
    private async Task KeptWithHash(string key, string hash)
    {
        await using var command = Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
            $"update tracker.{Tracker.Api.Infrastructure.Idempotency.IdempotencyKeysTable.Name} set request_hash = $1 where key = $2");
        command.Parameters.AddWithValue(hash);
        command.Parameters.AddWithValue(key);
        (await command.ExecuteNonQueryAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task a_key_kept_with_the_hash_of_the_bodys_bytes_still_replays_the_same_bytes()
    {
        await Api.StatedTheStabilisationGoal();
        var json = System.Text.Json.JsonSerializer.Serialize(Progress(), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        Task<IScenarioResult> Send(int status) => Api.Scenario(s =>
        {
            s.Post.Text(json).ToUrl(ProgressUrl);
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Idempotency-Key", "kept-before");
            s.StatusCodeShouldBe(status);
        });
        await Send(200);
        // As a service before bodies were hashed as JSON kept it: the hash of the method, the path and the bytes.
        var bytesHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"POST {ProgressUrl}\n{json}")));
        await KeptWithHash("kept-before", bytesHash);

        var again = await Send(200);

        again.Context.Response.Headers["Idempotent-Replayed"].ToString().ShouldBe("true");
        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public async Task a_key_kept_with_its_numbers_hashed_as_sent_still_replays_the_same_body()
    {
        await Api.StatedTheStabilisationGoal();
        // Properties in order of name and no spacing: the body is its own canonical form as numbers-as-sent hashed it.
        const string json = """{"asOf":"2024-09-30","comparator":"more-than","currency":"USD","figure":200000000.0,"source":{"documentKey":"washington-2024","primary":true}}""";
        Task<IScenarioResult> Send(int status) => Api.Scenario(s =>
        {
            s.Post.Text(json).ToUrl(ProgressUrl);
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Idempotency-Key", "numbers-as-sent");
            s.StatusCodeShouldBe(status);
        });
        await Send(200);
        var keptBefore = "json:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"POST {ProgressUrl}\n{json}")));
        await KeptWithHash("numbers-as-sent", keptBefore);

        var again = await Send(200);

        again.Context.Response.Headers["Idempotent-Replayed"].ToString().ShouldBe("true");
        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public async Task a_first_attempt_that_failed_validation_does_not_burn_the_key()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write(ProgressUrl, new { figure = -1 }, 400, ("Idempotency-Key", "k-2"));
        await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "k-2"));

        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public async Task a_first_attempt_refused_by_a_rule_does_not_burn_the_key_either()
    {
        await Api.StatedTheStabilisationGoal();
        var inPounds = new { figure = 1m, currency = "GBP", comparator = "about", asOf = "2024-09-30", source = Source };

        await Api.Write(ProgressUrl, inPounds, 422, ("Idempotency-Key", "k-3"));
        await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "k-3"));

        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public async Task idempotency_keys_are_kept_in_postgresql_so_a_restarted_service_still_recognises_them()
    {
        await Api.StatedTheStabilisationGoal();
        var first = await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "survives-restart"));

        await using (var restarted = await TrackerApp.StartAnotherHost())
        {
            var again = await restarted.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "survives-restart"));
            again.ReadAsText().ShouldBe(first.ReadAsText());
        }

        (await EventCount()).ShouldBe(2);
    }

    [Fact]
    public async Task keys_are_scoped_to_the_acting_user()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "shared"), ("X-Api-Key", await Api.KeyFor("alice")));
        await Api.Write(ProgressUrl, Progress(), 200, ("Idempotency-Key", "shared"), ("X-Api-Key", await Api.KeyFor("bob")));

        (await EventCount()).ShouldBe(3);
    }
}
