using System.Net.Http.Json;
using System.Text.Json;
using Alba;
using Marten.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Marten;
using Npgsql;
using Tracker.Api.Admin;
using Tracker.Api.Infrastructure;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Pledges;
using Tracker.Api.Catalogue;
using Tracker.Tests.Catalogue;
using Tracker.Tests.Commitments;
using Tracker.Tests.Faults;
using Tracker.Tests.ReadModels;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Audit;

public sealed class rebuilding_while_serving(TrackerApp app) : TrackerTest(app)
{
    private async Task<string> Stored(string table, string what = "data::text") =>
        await Scalar($"select coalesce(string_agg(id::text || ' ' || {what}, E'\\n' order by id), '') from tracker.{table}");

    private async Task<string> Scalar(string sql)
    {
        await using var command = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task Sql(string sql)
    {
        await using var command = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<JsonElement> Rebuild(string projection, Func<Task>? whileRunning = null)
    {
        var started = await Api.Scenario(s =>
        {
            s.Post.Url($"/api/admin/projections/{projection}/rebuild");
            s.StatusCodeShouldBe(202);
        });
        var location = started.Context.Response.Headers.Location.ToString();
        return await Eventually.Until(async () =>
        {
            if (whileRunning is not null) await whileRunning();
            return (await Api.Scenario(s => s.Get.Url(location))).Json();
        }, p => p.GetProperty("status").GetString() != "running");
    }

    private static readonly int CatalogueCommitments = CatalogueData.Load().Commitments.Count;

    private async Task ACatalogueAndSomeMoney()
    {
        await Api.Services.GetRequiredService<CatalogueImporter>().Import(CatalogueData.Load(), CancellationToken.None);
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(10_000_000m));
        // The service's own deadline checks for the two meetings already overdue must have landed before "live" is read.
        await Eventually.Until(async () => (await Api.Scenario(s => s.Get.Url("/api/dashboard"))).Json(),
            d => d.GetProperty("overdue").GetArrayLength() == 2);
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task a_rebuild_is_followed_from_any_node_and_one_whose_node_stopped_writing_its_progress_is_failed()
    {
        await Api.StatedTheStabilisationGoal();
        await using var otherNode = await TrackerApp.StartAnotherHost();
        async Task<JsonElement> Followed(IAlbaHost node, string url) => (await node.Scenario(s => s.Get.Url(url))).Json();

        var started = await Api.Scenario(s =>
        {
            s.Post.Url("/api/admin/projections/all/rebuild");
            s.WithRequestHeader("X-Correlation-Id", "rebuild-after-the-upgrade");
            s.StatusCodeShouldBe(202);
        });
        var location = started.Context.Response.Headers.Location.ToString();
        // Who asked, and under which correlation id, as a write's events say them (until 2026-12-07 nothing said who).
        started.Json().GetProperty("requestedBy").GetString().ShouldBe("demo-admin");
        started.Json().GetProperty("correlationId").GetString().ShouldBe("rebuild-after-the-upgrade");

        // Behind a load balancer the Location reaches any node (until 2026-12-05 only the starting one knew it: 404 elsewhere).
        var elsewhere = await Eventually.Until(() => Followed(otherNode, location), p => p.GetProperty("status").GetString() != "running");
        elsewhere.GetProperty("status").GetString().ShouldBe("completed");
        elsewhere.GetProperty("modelsUnchanged").GetInt32().ShouldBe(1);
        elsewhere.GetProperty("requestedBy").GetString().ShouldBe("demo-admin");
        (await Followed(Api, location)).GetProperty("status").GetString().ShouldBe("completed");

        // Its node gone mid-way: the progress still says running, but nothing has written it for a minute.
        await Sql("""
            update tracker.rebuild_progress set progress = jsonb_set(progress, '{status}', '"Running"'),
                   written_at = now() - interval '1 minute'
            """);
        var interrupted = await Followed(otherNode, location);
        interrupted.GetProperty("status").GetString().ShouldBe("failed");
        interrupted.GetProperty("error").GetString()!.ShouldStartWith("Interrupted");
        await otherNode.Scenario(s =>
        {
            s.Get.Url($"/api/admin/rebuilds/{Guid.NewGuid()}");
            s.StatusCodeShouldBe(404);
        });
    }

    [Fact]
    public async Task streams_read_over_many_small_pages_fold_to_the_same_models_as_the_live_ones()
    {
        // A stream longer than a page is read over several: here every stream with more than two events is.
        await ACatalogueAndSomeMoney();
        var store = Api.Services.GetRequiredService<IDocumentStore>();
        var highWaterMark = await store.Storage.Database.FetchHighestEventSequenceNumber();
        var json = store.Options.Serializer();

        var progress = await ReadModelReplay.All(
            ReadModelReplay.CommitmentProgress(store, highWaterMark, _ => { }, CancellationToken.None, eventsPerPage: 2), p => p.Id);
        var ledgerRows = await ReadModelReplay.All(
            ReadModelReplay.PledgeLedgers(store, highWaterMark, _ => { }, CancellationToken.None, eventsPerPage: 2), r => r.Id);

        await using var session = store.QuerySession();
        var liveProgress = await session.Query<CommitmentProgress>().ToListAsync();
        progress.Keys.Order().ShouldBe(liveProgress.Select(p => p.Id).Order());
        liveProgress.ShouldAllBe(live => json.ToJson(progress[live.Id]) == json.ToJson(live));
        var liveRows = await session.Query<PledgeLedgerRow>().ToListAsync();
        ledgerRows.Keys.Order().ShouldBe(liveRows.Select(r => r.Id).Order());
        liveRows.ShouldAllBe(live => json.ToJson(ledgerRows[live.Id]) == json.ToJson(live));
    }

    [Fact]
    public async Task readers_keep_seeing_every_commitment_while_the_progress_models_are_rebuilt_and_the_result_equals_the_live_ones()
    {
        await ACatalogueAndSomeMoney();
        var live = await Stored("mt_doc_commitmentprogress");
        var ledgers = await Stored("mt_doc_pledgeledgerrow");
        var dashboard = (await Api.Scenario(s => s.Get.Url("/api/dashboard"))).Json().GetRawText();
        // The document and the columns the dashboard sums (kept beside it) both spoiled: the rebuild restores both, and
        // the pledges' ledger rows that go with the models.
        await Sql("update tracker.mt_doc_commitmentprogress set data = jsonb_set(data, '{Title}', '\"spoiled\"'), status = null, money_pledged = 0");
        await Sql("update tracker.mt_doc_pledgeledgerrow set data = jsonb_set(data, '{Ledger,Disbursed}', '1')");
        var totals = new List<long>();

        var progress = await Rebuild("CommitmentProgress", async () =>
            totals.Add((await Api.Scenario(s => s.Get.Url("/api/commitments?pageSize=1"))).Json().GetProperty("total").GetInt64()));

        progress.GetProperty("status").GetString().ShouldBe("completed");
        progress.GetProperty("modelsWritten").GetInt32().ShouldBe(CatalogueCommitments + 1); // and Germany's pledge's row
        progress.GetProperty("eventsProcessed").GetInt64().ShouldBe(progress.GetProperty("highWaterMark").GetInt64());
        totals.ShouldNotBeEmpty();
        totals.ShouldAllBe(t => t == CatalogueCommitments);
        (await Stored("mt_doc_commitmentprogress")).ShouldBe(live);
        (await Stored("mt_doc_pledgeledgerrow")).ShouldBe(ledgers);
        (await Api.Scenario(s => s.Get.Url("/api/dashboard"))).Json().GetRawText().ShouldBe(dashboard);
    }

    private async Task<JsonElement> Verified(string projection) =>
        (await Api.Scenario(s => s.Get.Url($"/api/admin/projections/{projection}/verify"))).Json();

    [Fact]
    public async Task writes_made_while_the_models_are_verified_are_left_out_not_reported_as_faults()
    {
        // Until 2026-12-06 a pledge committed while the check read the models was reported as an unexpected pledge row, or
        // its model as differing: the check asked which streams changed before it had read them.
        await ACatalogueAndSomeMoney();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var client = Api.Server.CreateClient();
        using var stop = new CancellationTokenSource();
        var written = 0;
        var writes = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var response = await client.PostAsync($"/api/commitments/{Goal}/pledges", JsonContent.Create(new
                {
                    pledger = $"Racer {i}", amount = new { amount = 1_000m + i, currency = "USD" }, announcedOn = "2024-10-01", source = LaterSource
                }));
                response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
                written++;
            }
        });
        var checks = new List<JsonElement>();
        for (var i = 0; i < 12; i++) checks.Add(await Verified("CommitmentProgress"));
        await stop.CancelAsync();
        await writes;
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        checks.Add(await Verified("CommitmentProgress"));

        written.ShouldBeGreaterThan(checks.Count);
        checks.ShouldAllBe(check => check.GetProperty("consistent").GetBoolean(), string.Join("\n", checks.Select(c => c.GetRawText())));
    }

    [Fact]
    public async Task the_dashboard_rollups_are_counted_again_while_serving_when_they_drifted_with_every_count_right()
    {
        await ACatalogueAndSomeMoney();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        // The whole dashboard, narrowed by a filter, and on a past date (the daily rollup's sums).
        string[] dashboards = ["/api/dashboard", "/api/dashboard?actor=coalition", "/api/dashboard?kind=milestone",
            "/api/dashboard?effectiveAsOf=2024-11-20"];
        async Task<string[]> Dashboards() =>
            await Task.WhenAll(dashboards.Select(async url => (await Api.Scenario(s => s.Get.Url(url))).Json().GetRawText()));
        var before = await Dashboards();
        // Drift that keeps every count right (as a faulty trigger would leave it), which no start notices: the sums of
        // the groups, of what each commitment is counted under, of every filter's groups, and of every day's changes.
        await Sql("update tracker.commitment_rollup set pledged = pledged + 1");
        await Sql("update tracker.commitment_counted set target = target + 3");
        await Sql("update tracker.commitment_rollup_scoped set pledged = pledged + 1");
        await Sql("update tracker.commitment_rollup_days set target = target + 5");
        (await Dashboards()).ShouldNotBe(before);
        (await Verified("DashboardRollup")).GetProperty("differing").GetArrayLength().ShouldBeGreaterThan(0);
        (await Verified("EffectiveTimeline")).GetProperty("differing").EnumerateArray()
            .ShouldContain(d => d.GetString()!.StartsWith("daily ", StringComparison.Ordinal));

        var recount = await Rebuild("dashboardrollup");

        recount.GetProperty("status").GetString().ShouldBe("completed", recount.ToString());
        recount.GetProperty("projection").GetString().ShouldBe("DashboardRollup");
        var rollup = await Verified("DashboardRollup");
        rollup.GetProperty("consistent").GetBoolean().ShouldBeTrue(rollup.ToString());
        var timeline = await Verified("EffectiveTimeline");
        timeline.GetProperty("consistent").GetBoolean().ShouldBeTrue(timeline.ToString());
        (await Dashboards()).ShouldBe(before);
        // It reads no log: no high-water mark, no events, no models.
        recount.GetProperty("highWaterMark").GetInt64().ShouldBe(0);
        recount.GetProperty("eventsProcessed").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task every_read_model_rebuilds_in_one_pass_over_the_log()
    {
        await ACatalogueAndSomeMoney();
        var live = (Progress: await Stored("mt_doc_commitmentprogress"), Pledges: await Stored("mt_doc_pledgeledgerrow"));
        var germany = (await Api.Scenario(s => s.Get.Url("/api/pledgers/germany"))).Json().GetRawText();
        await Sql("update tracker.mt_doc_commitmentprogress set data = jsonb_set(data, '{Title}', '\"spoiled\"')");
        // The pledge's row spoiled in its figures: rewritten by the rebuild, whose write the pledgers' triggers count.
        await Sql("update tracker.mt_doc_pledgeledgerrow set data = jsonb_set(data, '{Pledged}', '1')");
        await Sql("update tracker.commitment_counted set pledged = pledged + 1");

        var progress = await Rebuild("all");
        var rollup = (await Api.Scenario(s => s.Get.Url("/api/admin/projections/DashboardRollup/verify"))).Json();

        progress.GetProperty("status").GetString().ShouldBe("completed");
        // The commitments and Germany's pledge's ledger row.
        progress.GetProperty("modelsWritten").GetInt32().ShouldBe(CatalogueCommitments + 1);
        progress.GetProperty("eventsProcessed").GetInt64().ShouldBe(progress.GetProperty("highWaterMark").GetInt64());
        (await Stored("mt_doc_commitmentprogress")).ShouldBe(live.Progress);
        (await Stored("mt_doc_pledgeledgerrow")).ShouldBe(live.Pledges);
        (await Api.Scenario(s => s.Get.Url("/api/pledgers/germany"))).Json().GetRawText().ShouldBe(germany);
        // The rebuild wrote a pledge row, which the pledgers' triggers leave to its end: counted again from the rows.
        progress.GetProperty("pledgersRecounted").GetBoolean().ShouldBeTrue();
        // The dashboard rollup counts the progress models: counted again from the rebuilt ones.
        rollup.GetProperty("consistent").GetBoolean().ShouldBeTrue(rollup.ToString());
        rollup.GetProperty("matching").GetInt32().ShouldBe(CatalogueCommitments);
    }

    [Fact]
    public async Task a_rebuild_plans_its_writes_afresh_and_leaves_the_pooled_connections_as_they_were()
    {
        await ACatalogueAndSomeMoney();
        // Spoiled so that the rebuild writes models and pledge rows again, on the service's pooled connections.
        await Sql("update tracker.mt_doc_commitmentprogress set data = jsonb_set(data, '{Title}', '\"spoiled\"')");
        await Sql("update tracker.mt_doc_pledgeledgerrow set data = jsonb_set(data, '{Pledged}', '1')");

        var progress = await Rebuild("all");

        progress.GetProperty("modelsWritten").GetInt32().ShouldBe(CatalogueCommitments + 1);
        // Each batch is planned for its own rows (a plan made while a table was nearly empty would scan it whole for
        // every later batch), in the batch's own transaction: no connection the pool hands out keeps that setting.
        var database = Api.Services.GetRequiredService<NpgsqlDataSource>();
        var pool = TrackerDatabase.PoolSize(Api.Services.GetRequiredService<IConfiguration>());
        var connections = new List<NpgsqlConnection>();
        try
        {
            // Every connection of the pool at once, so each one the rebuild used is among them.
            for (var i = 0; i < pool; i++) connections.Add(await database.OpenConnectionAsync());
            foreach (var connection in connections)
            {
                await using var setting = new NpgsqlCommand(
                    "select setting = reset_val from pg_settings where name = 'plan_cache_mode'", connection);
                ((bool)(await setting.ExecuteScalarAsync())!).ShouldBeTrue();
            }
        }
        finally
        {
            foreach (var connection in connections) await connection.DisposeAsync();
        }
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    [Fact]
    public async Task a_rebuild_leaves_alone_the_models_that_agree_with_the_log_and_writes_again_one_whose_column_drifted()
    {
        await ACatalogueAndSomeMoney();
        var pledged = await Scalar($"select money_pledged::text from tracker.mt_doc_commitmentprogress where key = '{Goal}'");
        // The document intact, the column the list and the dashboard sum beside it spoiled.
        await Sql($"update tracker.mt_doc_commitmentprogress set money_pledged = 1 where key = '{Goal}'");
        // Another's document spoiled only in a figure's trailing zero, which jsonb's equality does not see.
        var other = await Scalar($"select key from tracker.mt_doc_commitmentprogress where key <> '{Goal}' order by key limit 1");
        await Sql($"update tracker.mt_doc_commitmentprogress set data = jsonb_set(data, '{{Money,Committed}}', " +
                  $"((data -> 'Money' ->> 'Committed') || '.0')::jsonb) where key = '{other}'");
        var lastModified = await Stored("mt_doc_commitmentprogress", "mt_last_modified::text");

        var progress = await Rebuild("all");

        progress.GetProperty("status").GetString().ShouldBe("completed");
        progress.GetProperty("modelsWritten").GetInt32().ShouldBe(2);
        // Every other commitment's model and Germany's pledge's row, as the log has them.
        progress.GetProperty("modelsUnchanged").GetInt32().ShouldBe(CatalogueCommitments - 1);
        progress.GetProperty("modelsKeptNewer").GetInt32().ShouldBe(0);
        (await Scalar($"select money_pledged::text from tracker.mt_doc_commitmentprogress where key = '{Goal}'")).ShouldBe(pledged);
        var rewritten = (await Stored("mt_doc_commitmentprogress", "mt_last_modified::text")).Split('\n')
            .Except(lastModified.Split('\n')).Select(row => row.Split(' ')[0]).Order().ToList();
        rewritten.ShouldBe((await Task.WhenAll(new[] { Goal, other }.Select(key =>
            Scalar($"select id::text from tracker.mt_doc_commitmentprogress where key = '{key}'")))).Order().ToList());
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    [Fact]
    public async Task a_pledge_retracted_while_the_rebuild_ran_stays_retracted_and_one_announced_again_stays()
    {
        await Api.StatedTheStabilisationGoal();
        var pledges = $"/api/commitments/{Goal}/pledges";
        await Api.Write(pledges, GermanPledge(25_000_000m), 201);                                                  // version 2
        await Api.Write(pledges, new { pledger = "France", amount = new { amount = 1_000_000m, currency = "USD" },
            announcedOn = "2024-10-02", source = LaterSource }, 201);                                                   // 3
        await Api.Write(pledges, new { pledger = "Belgium", amount = new { amount = 2_000_000m, currency = "USD" },
            announcedOn = "2024-10-02", source = LaterSource }, 201);                                                   // 4
        var store = Api.Services.GetRequiredService<IDocumentStore>();
        var highWaterMark = await store.Storage.Database.FetchHighestEventSequenceNumber();
        // Written after the rebuild took its high-water mark: France's pledge retracted, Belgium's retracted and announced again.
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = 3, reason = "not France's", source = Source }); // 5
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = 4, reason = "wrong amount", source = Source }); // 6
        // Announced again under its id, as trackers from before 2026-12-05 accepted (the API now refuses a retracted id):
        // a log may hold it, and a rebuild must keep it.
        await using (var before = store.LightweightSession())
        {
            (await before.Events.FetchForWriting<CommitmentProgress>(Tracker.Domain.StreamIds.ForCommitment(Goal))).AppendOne(
                new Tracker.Domain.Commitments.PledgeAnnounced(Goal, "belgium-1", "Belgium",
                    new Tracker.Domain.Commitments.Money(3_000_000m, "USD"), new DateOnly(2024, 10, 2), null, 3_000_000m,
                    new Tracker.Domain.Commitments.Evidence("washington-2024", null, true)));                  // 7
            await before.SaveChangesAsync();
        }
        var live = await Stored("mt_doc_pledgeledgerrow");

        // The log up to the high-water mark has France's pledge standing: the rebuild writes its row, then deletes it.
        var rebuilt = await Api.Services.GetRequiredService<ProjectionRebuilds>().RebuildThrough(highWaterMark, CancellationToken.None);

        (await Stored("mt_doc_pledgeledgerrow")).ShouldBe(live);
        rebuilt.ModelsDeleted.ShouldBe(1);
        (await Api.ReadPledges()).Select(p => p.GetProperty("pledgeId").GetString()).ShouldBe(["germany-1", "belgium-1"]);
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    [Fact]
    public async Task verification_names_a_pledger_whose_totals_or_name_drifted_and_a_rebuild_counts_them_again()
    {
        await ACatalogueAndSomeMoney();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var germany = (await Api.Scenario(s => s.Get.Url("/api/pledgers/germany"))).Json().GetRawText();
        await Sql("update tracker.pledger_totals set pledged = pledged + 1 where pledger_key = 'germany'");
        await Sql("update tracker.pledgers set name = 'Prussia' where pledger_key = 'germany'");

        var spoiled = (await Api.Scenario(s => s.Get.Url("/api/admin/projections/CommitmentProgress/verify"))).Json();
        var progress = await Rebuild("all");
        var verified = (await Api.Scenario(s => s.Get.Url("/api/admin/projections/CommitmentProgress/verify"))).Json();

        spoiled.GetProperty("consistent").GetBoolean().ShouldBeFalse();
        spoiled.GetProperty("differing").EnumerateArray().Select(d => d.GetString()).ShouldBe(["pledger germany in EUR", "pledger germany named"]);
        progress.GetProperty("status").GetString().ShouldBe("completed");
        // Nothing of the log's models had drifted: the pledgers were counted again all the same.
        progress.GetProperty("modelsWritten").GetInt32().ShouldBe(0);
        progress.GetProperty("pledgersRecounted").GetBoolean().ShouldBeTrue();
        verified.GetProperty("consistent").GetBoolean().ShouldBeTrue(verified.ToString());
        (await Api.Scenario(s => s.Get.Url("/api/pledgers/germany"))).Json().GetRawText().ShouldBe(germany);
    }

    [Fact]
    public async Task a_rebuild_s_end_puts_a_pledger_s_figures_right_without_waiting_for_a_writer_of_its_pledges_and_misses_none_of_its_change()
    {
        await ACatalogueAndSomeMoney();
        // Germany's figures drifted: EUR 1 more pledged than its pledge rows say.
        await Sql("insert into tracker.pledger_changes values ('germany', 'EUR', 0, 1, 0, 0, 0, 0)");

        // A writer revises Germany's pledge (the trigger adds the difference it makes) and has not committed yet.
        await using var writer = await Api.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var writing = await writer.BeginTransactionAsync();
        await using (var revise = new NpgsqlCommand(
                         "update tracker.mt_doc_pledgeledgerrow set data = jsonb_set(data, '{Pledged}', '30000000') where pledger_key = 'germany'",
                         writer, writing))
        {
            (await revise.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        // The correction does not wait for it...
        var correcting = Correct();
        (await Task.WhenAny(correcting, Task.Delay(TimeSpan.FromSeconds(20)))).ShouldBe(correcting);
        (await correcting).ShouldBe(1);
        await writing.CommitAsync();

        // ...and with both committed, Germany's figures are what its rows say: the revision counted once, the drift gone.
        (await Scalar($"select coalesce(string_agg(d, '; '), '') from ({PledgerRollup.Differences("tracker")}) x (d)")).ShouldBe("");
        (await Scalar("select (sum(pledged) = 30000000)::text from (select pledged from tracker.pledger_totals where pledger_key = 'germany' " +
                      "union all select pledged from tracker.pledger_changes where pledger_key = 'germany') f")).ShouldBe("true");

        async Task<int> Correct()
        {
            await using var connection = await Api.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var correct = new NpgsqlCommand(PledgerRollup.CorrectFiguresSql("tracker"), connection, transaction);
            var corrected = await correct.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
            return corrected;
        }
    }

    [Fact]
    public async Task a_rebuild_is_refused_while_another_node_runs_one_and_the_problem_names_it()
    {
        await ACatalogueAndSomeMoney();
        var elsewhere = Guid.NewGuid();
        // Another node's rebuild, as it holds the cluster's rebuild lock: on a connection named after the rebuild.
        await using (var otherNode = await Api.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync())
        {
            await using (var take = new NpgsqlCommand(
                             $"select set_config('application_name', 'rebuild:{elsewhere:N}:CommitmentProgress', false), " +
                             $"pg_advisory_lock({ProjectionRebuilds.LockClass}, {ProjectionRebuilds.LockObject})", otherNode))
            {
                await take.ExecuteNonQueryAsync();
            }

            var refused = await Api.Scenario(s =>
            {
                s.Post.Url("/api/admin/projections/all/rebuild");
                s.StatusCodeShouldBe(409);
            });

            var detail = refused.ReadProblem(409).Detail.ShouldNotBeNull();
            detail.ShouldContain(elsewhere.ToString());
            detail.ShouldContain("CommitmentProgress");

            await using var release = new NpgsqlCommand(
                $"select pg_advisory_unlock({ProjectionRebuilds.LockClass}, {ProjectionRebuilds.LockObject})", otherNode);
            await release.ExecuteNonQueryAsync();
        }

        // Its rebuild over, the next one runs.
        (await Rebuild(ProjectionRebuilds.All)).GetProperty("status").GetString().ShouldBe("completed");
    }

    [Fact]
    public async Task an_unknown_read_model_is_a_404()
    {
        var result = await Api.Scenario(s =>
        {
            s.Post.Url("/api/admin/projections/Everything/rebuild");
            s.StatusCodeShouldBe(404);
        });

        var detail = result.ReadProblem(404).Detail.ShouldNotBeNull();
        detail.ShouldContain("CommitmentProgress");
        detail.ShouldContain("\"all\"");
    }
}
