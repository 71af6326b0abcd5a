using Alba;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Tracker.Projections.Commitments.Rollup;
using Tracker.Api.Dashboard;
using Tracker.Api.Infrastructure;
using Tracker.Tests.Faults;
using Tracker.Api.Pledgers;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.ReadModels;

[CollectionDefinition(Name)]
public sealed class RebuildCollection : ICollectionFixture<TrackerApp>
{
    public const string Name = "rebuild";
}

/// <summary>In a collection of its own: a rebuild rewrites every model under the running host's feet.</summary>
[Collection(RebuildCollection.Name)]
public sealed class rebuilding_projections(TrackerApp app) : TrackerTest(app)
{
    private static readonly string[] ModelTables =
        ["mt_doc_commitmentprogress", "mt_doc_pledgeledgerrow", "mt_doc_documentview"];

    private static readonly (string Table, string Key)[] RollupTables =
        [(DashboardRollup.Counted, "stream_id"), (DashboardRollup.Groups, "dimension, name")];

    private async Task<Dictionary<string, string>> StoredModels()
    {
        var models = new Dictionary<string, string>();
        var dataSource = Api.Services.GetRequiredService<NpgsqlDataSource>();
        foreach (var table in ModelTables)
        {
            await using var command = dataSource.CreateCommand(
                $"select coalesce(string_agg(id::text || ' ' || data::text, E'\\n' order by id), '') from tracker.{table}");
            models[table] = (string)(await command.ExecuteScalarAsync())!;
        }
        await using var days = dataSource.CreateCommand(
            "select coalesce(string_agg(row_to_json(t)::text, E'\\n' order by stream_id, \"on\"), '') from tracker.commitment_days t");
        models["commitment_days"] = (string)(await days.ExecuteScalarAsync())!;
        await using var facts = dataSource.CreateCommand(
            "select coalesce(string_agg(row_to_json(f)::text, E'\\n' order by stream_id, version), '') from tracker.commitment_day_facts f");
        models["commitment_day_facts"] = (string)(await facts.ExecuteScalarAsync())!;
        foreach (var (table, key) in RollupTables)
        {
            await using var command = dataSource.CreateCommand(
                $"select coalesce(string_agg(row_to_json(t)::text, E'\\n' order by {key}), '') from tracker.{table} t");
            models[table] = (string)(await command.ExecuteScalarAsync())!;
        }
        return models;
    }

    /// <summary>So the comparison proves the rebuild rewrote each model from the events, not that it left them alone.</summary>
    private async Task SpoilEveryStoredModel()
    {
        var dataSource = Api.Services.GetRequiredService<NpgsqlDataSource>();
        foreach (var table in ModelTables)
        {
            await using var command = dataSource.CreateCommand(
                $"update tracker.{table} set data = jsonb_set(data, '{{spoiled}}', 'true')");
            (await command.ExecuteNonQueryAsync()).ShouldBeGreaterThan(0);
        }
        await using var days = dataSource.CreateCommand("update tracker.commitment_days set status = 'Spoiled', keyframe = null");
        (await days.ExecuteNonQueryAsync()).ShouldBeGreaterThan(0);
        await using var facts = dataSource.CreateCommand("update tracker.commitment_day_facts set \"on\" = \"on\" + 1");
        (await facts.ExecuteNonQueryAsync()).ShouldBeGreaterThan(0);
        foreach (var (table, _) in RollupTables)
        {
            await using var rollup = dataSource.CreateCommand($"update tracker.{table} set pledged = pledged + 1");
            (await rollup.ExecuteNonQueryAsync()).ShouldBeGreaterThan(0);
        }
    }

    [Fact]
    public async Task martens_rebuild_of_a_projection_the_service_has_not_is_refused_naming_those_it_has()
    {
        // Until 2026-12-07 it did nothing and exited 0: a script's misspelt rebuild looked done.
        var (exitCode, output) = await CommandLine.Run(TestDatabase.ConnectionString(), "projections", "rebuild", "-p", "EffectiveTimelines");

        exitCode.ShouldBe(1, output);
        output.ShouldContain("No projection is named 'EffectiveTimelines': the service's are");
        output.ShouldContain(Tracker.Projections.Commitments.Timeline.EffectiveTimelineProjection.ProjectionName);
        output.ShouldNotContain("   at ");
        // The command's name in another case is the same command (until 2026-12-07 it slipped past the check and exited 0).
        (await CommandLine.Run(TestDatabase.ConnectionString(), "Projections", "rebuild", "-p", "EffectiveTimelines")).ExitCode.ShouldBe(1);
    }

    [Fact]
    public async Task a_rebuild_from_the_command_line_while_a_node_serves_is_refused_saying_how_to_run_it()
    {
        // A node serving as nodes do in production, saying it is alive in Wolverine's node table every 10 s (the test host
        // runs Wolverine solo, which keeps no such row). Until 2026-12-07 the rebuild ran, and the serving node's daemon
        // stopped on "progression out of order" until it restarted.
        var node = Guid.NewGuid();
        await using (var connection = new Npgsql.NpgsqlConnection(TestDatabase.SuperuserConnectionString()))
        {
            await connection.OpenAsync();
            await using var alive = new Npgsql.NpgsqlCommand(
                "insert into tracker.wolverine_nodes (id, node_number, description, uri, started, health_check, version, capabilities) " +
                "values ($1, 9999, 'another node', 'dbcontrol://' || $1 || '/', now(), now(), '1.0.0.0', '{}')", connection)
            {
                Parameters = { new() { Value = node } }
            };
            await alive.ExecuteNonQueryAsync();
        }
        (int ExitCode, string Output) refused;
        try
        {
            // In any case, as JasperFx takes the command's name (until 2026-12-07 "Projections" ran).
            refused = await CommandLine.Run(TestDatabase.ConnectionString(), "Projections", "rebuild", "-p", DashboardRollupProjection.ProjectionName);
        }
        finally
        {
            await using var connection = new Npgsql.NpgsqlConnection(TestDatabase.SuperuserConnectionString());
            await connection.OpenAsync();
            await using var gone = new Npgsql.NpgsqlCommand("delete from tracker.wolverine_nodes where id = $1", connection) { Parameters = { new() { Value = node } } };
            await gone.ExecuteNonQueryAsync();
        }
        var (exitCode, output) = refused;

        exitCode.ShouldBe(1, output);
        output.ShouldContain("A node of the service is running against this database");
        output.ShouldContain($"{Tracker.Api.Admin.ServingNodes.RebuildWhileServing}=1 runs it all the same.");
        output.ShouldNotContain("Projection Rebuild complete");
    }

    /// <summary>A rebuild from the command line while the test host serves, which the test stands in for its daemon.</summary>
    private static Task<(int ExitCode, string Output)> RebuildingBesideTheTestHost(params string[] arguments) =>
        CommandLine.RunIn(AppContext.BaseDirectory, new Dictionary<string, string?> { [Tracker.Api.Admin.ServingNodes.RebuildWhileServing] = "1" },
            TestDatabase.ConnectionString(), arguments);

    [Fact]
    public async Task a_database_from_before_the_bounded_model_gets_it_built_from_the_log_before_writes()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(10_000_000m));
        var before = (await StoredModels())["mt_doc_commitmentprogress"];
        // The shape an older tracker stored: the whole history under Detail, no State (and no Shape: models did not say).
        await using (var age = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         "update tracker.mt_doc_commitmentprogress set data = data - 'State' - 'Shape' || '{\"Detail\": {}}'"))
        {
            (await age.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var upgrade = Api.Services.GetRequiredService<ProgressModelUpgrade>();
        (await upgrade.Run(CancellationToken.None)).ShouldBe(1);

        (await StoredModels())["mt_doc_commitmentprogress"].ShouldBe(before);
        (await upgrade.Run(CancellationToken.None)).ShouldBe(0);
        await Api.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(15_000_000m));
    }

    [Fact]
    public async Task documents_restored_without_their_views_are_built_again_from_the_log_at_start()
    {
        await Api.StatedTheStabilisationGoal();
        // What a data-only restore of the events' tables leaves: the registrations in the log, no document's view. Until
        // 2026-12-07 every citation of them was refused as unregistered, and registering them again as a duplicate.
        await using (var lost = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("delete from tracker.mt_doc_documentview"))
        {
            (await lost.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var upgrade = Api.Services.GetRequiredService<ProgressModelUpgrade>();
        (await upgrade.Run(CancellationToken.None)).ShouldBe(1);

        (await Api.Scenario(s => s.Get.Url("/api/documents/washington-2024"))).Json().GetProperty("key").GetString().ShouldBe("washington-2024");
        await Api.Write("/api/commitments", StabilisationGoal("cites-the-restored-document"), 201);
        (await upgrade.Run(CancellationToken.None)).ShouldBe(0);
        var refused = await Api.Scenario(s =>
        {
            s.Post.Url("/api/admin/projections/DocumentView/rebuild");
            s.StatusCodeShouldBe(409);
        });
        refused.Json().GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("projections rebuild -p DocumentView");
    }

    [Fact]
    public async Task asynchronous_models_restored_empty_behind_their_position_are_built_again_from_the_log_at_start()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"/api/commitments/{Goal}/progress", Progress());
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var before = await StoredModels();
        var effective = (await Api.Scenario(s => s.Get.Url($"/api/commitments/{Goal}?effectiveAsOf=2030-01-01"))).ReadAsText();
        // A node starting on what a restore of the log with Marten's positions (mt_event_progression) and without the
        // asynchronous models' rows leaves: its daemon not yet running, the models empty behind their positions. Until
        // 2026-12-08 the daemon took them as caught up, and the past as effective and the dashboard read nothing.
        var coordinator = Api.Services.GetRequiredService<JasperFx.Events.Daemon.IProjectionCoordinator>();
        var upgrade = Api.Services.GetRequiredService<ProgressModelUpgrade>();
        await coordinator.PauseAsync();
        try
        {
            await using (var lost = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                             "delete from tracker.commitment_day_facts; delete from tracker.commitment_days; " +
                             $"delete from tracker.{DashboardRollup.Counted}; delete from tracker.{DashboardRollup.Groups}"))
            {
                await lost.ExecuteNonQueryAsync();
            }

            (await upgrade.ReplayWhatIsEmptyBehindItsPosition(CancellationToken.None))
                .ShouldBe(["EffectiveTimeline", "DashboardRollup"], ignoreOrder: true);
            (await upgrade.ReplayWhatIsEmptyBehindItsPosition(CancellationToken.None)).ShouldBeEmpty();
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var after = await StoredModels();
        foreach (var table in new[] { "commitment_days", "commitment_day_facts" }.Concat(RollupTables.Select(r => r.Table)))
        {
            after[table].ShouldBe(before[table], table);
        }
        (await Api.Scenario(s => s.Get.Url($"/api/commitments/{Goal}?effectiveAsOf=2030-01-01"))).ReadAsText().ShouldBe(effective);
        (await upgrade.ReplayWhatIsEmptyBehindItsPosition(CancellationToken.None)).ShouldBeEmpty();
        await Api.Write($"/api/commitments/{Goal}/progress", Progress());
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    [Fact]
    public async Task a_model_whose_deadlines_do_not_say_when_they_took_effect_is_built_again_from_the_log_before_writes()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/revisions", new
        {
            deadline = new { date = "2027-06-01", precision = "month" }, reason = "moved",
            source = new { url = "https://example.org/a-later-source", primary = true, on = "2025-03-01" }
        });
        var before = (await StoredModels())["mt_doc_commitmentprogress"];
        // What a tracker before 2026-12-05 stored: deadlines without the day they took effect, no earlier passed due dates.
        await using (var age = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("""
                         update tracker.mt_doc_commitmentprogress
                            set data = jsonb_set((data #- '{State,EarlierDueDatesPassed}') - 'Shape', '{State,Deadlines}',
                                (select jsonb_agg(d - 'From') from jsonb_array_elements(data -> 'State' -> 'Deadlines') d))
                         """))
        {
            (await age.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var upgrade = Api.Services.GetRequiredService<ProgressModelUpgrade>();
        (await upgrade.Run(CancellationToken.None)).ShouldBe(1);

        (await StoredModels())["mt_doc_commitmentprogress"].ShouldBe(before);
        (await upgrade.Run(CancellationToken.None)).ShouldBe(0);
    }

    [Fact]
    public async Task a_model_and_a_timeline_kept_before_counts_in_other_units_were_kept_measure_the_target_again_by_its_own_unit()
    {
        await Api.StatedFewerCamps();
        object Count(decimal figure, string unit, string asOf) => new { figure, unit, comparator = "exactly", asOf, source = SourceOn(asOf) };
        await Api.Write("/api/commitments/fewer-camps/progress", Count(150, "camps", "2024-09-30"));
        await Api.Write("/api/commitments/fewer-camps/revisions", new
        {
            target = new { amount = 50, unit = "sites", baseline = 100 }, reason = "counted by site", source = Source
        });
        await Api.Write("/api/commitments/fewer-camps/progress", Count(80, "sites", "2024-09-15"));
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var today = $"{DateTime.UtcNow:yyyy-MM-dd}";
        async Task<decimal?> Fraction(string query = "")
        {
            var progress = (await Api.Scenario(s => s.Get.Url("/api/commitments/fewer-camps" + query))).Json().GetProperty("progress");
            return progress.TryGetProperty("fraction", out var fraction) ? fraction.GetDecimal() : null;
        }
        (await Fraction()).ShouldBe(0.4m);
        (await Fraction($"?effectiveAsOf={today}")).ShouldBe(0.4m);
        var before = await StoredModels();

        // What a tracker before the other units' counts were kept stored: no shape, no other units, and so no measure of
        // the sites (the latest report counts camps), in the model and in the timeline's days.
        var dataSource = Api.Services.GetRequiredService<NpgsqlDataSource>();
        const string aged = "- 'Shape' - 'LatestInOtherUnits' || '{\"Progress\": {\"Fraction\": null, \"Basis\": \"none\", \"DisbursedFraction\": null}}'";
        await using (var age = dataSource.CreateCommand($"""
                         update tracker.mt_doc_commitmentprogress set data = data {aged}, progress_fraction = null;
                         update tracker.commitment_days set keyframe = keyframe {aged} where keyframe is not null;
                         update tracker.commitment_days set fraction = null;
                         """))
        {
            await age.ExecuteNonQueryAsync();
        }
        (await Fraction($"?effectiveAsOf={today}")).ShouldBeNull();

        // At start: the model is built again from the log.
        var upgrade = Api.Services.GetRequiredService<ProgressModelUpgrade>();
        (await upgrade.Run(CancellationToken.None)).ShouldBe(1);
        (await StoredModels())["mt_doc_commitmentprogress"].ShouldBe(before["mt_doc_commitmentprogress"]);
        (await Fraction()).ShouldBe(0.4m);
        (await upgrade.Run(CancellationToken.None)).ShouldBe(0);

        // The timeline, met by a node that has not kept its last day in memory (a restart), folds from the statement
        // rather than carry the old rules on.
        var store = Api.Services.GetRequiredService<Marten.IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            var events = await session.Events.FetchStreamAsync(Tracker.Domain.StreamIds.ForCommitment("fewer-camps"));
            await new Tracker.Projections.Commitments.Timeline.EffectiveTimelineProjection().ApplyAsync(session, [events[^1]], CancellationToken.None);
            await session.SaveChangesAsync();
        }
        (await StoredModels())["commitment_days"].ShouldBe(before["commitment_days"]);
        (await Fraction($"?effectiveAsOf={today}")).ShouldBe(0.4m);
    }

    [Fact]
    public async Task a_database_from_before_pledge_ledger_rows_gets_them_built_from_the_log_before_writes()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(10_000_000m));
        var before = await StoredModels();
        // What an older tracker stored: each pledge in the state, no totals beside them and no ledger rows.
        var dataSource = Api.Services.GetRequiredService<NpgsqlDataSource>();
        await using (var age = dataSource.CreateCommand("""
                         update tracker.mt_doc_commitmentprogress p
                            set data = jsonb_set((p.data #- '{State,Totals}') - 'Shape', '{State,Pledges}',
                                (select jsonb_agg(r.data -> 'Ledger') from tracker.mt_doc_pledgeledgerrow r where r.stream_id = p.id));
                         delete from tracker.mt_doc_pledgeledgerrow;
                         """))
        {
            await age.ExecuteNonQueryAsync();
        }
        (await Api.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(1m), 404))
            .Json().GetProperty("rule").GetString().ShouldBe("unknown-pledge");

        var upgrade = Api.Services.GetRequiredService<ProgressModelUpgrade>();
        (await upgrade.Run(CancellationToken.None)).ShouldBe(1);

        var after = await StoredModels();
        after["mt_doc_commitmentprogress"].ShouldBe(before["mt_doc_commitmentprogress"]);
        after["mt_doc_pledgeledgerrow"].ShouldBe(before["mt_doc_pledgeledgerrow"]);
        (await upgrade.Run(CancellationToken.None)).ShouldBe(0);
        await Api.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(15_000_000m));
    }

    [Fact]
    public async Task pledge_rows_stored_before_they_named_their_pledger_are_built_again_so_the_pledger_views_count_them()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(10_000_000m));
        var before = await StoredModels();
        // What a tracker stored before the pledger views read the pledge rows: no keys, no disbursement dates (and so
        // nothing in the pledger key's column, which the schema's migration fills from the document).
        await using (var age = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("""
                         update tracker.mt_doc_pledgeledgerrow
                            set data = data - 'PledgerKey' - 'CommitmentKey' - 'DisbursedByDay' - 'FirstDisbursedOn',
                                pledger_key = null
                         """))
        {
            (await age.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        await Api.Scenario(s =>
        {
            s.Get.Url("/api/pledgers/germany");
            s.StatusCodeShouldBe(404);
        });

        var upgrade = Api.Services.GetRequiredService<ProgressModelUpgrade>();
        (await upgrade.Run(CancellationToken.None)).ShouldBe(1);

        (await StoredModels())["mt_doc_pledgeledgerrow"].ShouldBe(before["mt_doc_pledgeledgerrow"]);
        (await upgrade.Run(CancellationToken.None)).ShouldBe(0);
        var germany = (await Api.Scenario(s => s.Get.Url("/api/pledgers/germany"))).ReadAsJson<PledgerDetail>()!.Pledger;
        germany.Pledges.Single().DaysToFirstDisbursement.ShouldBe(60);
    }

    [Fact]
    public async Task the_position_of_the_retired_pledger_projection_goes_so_readiness_reports_no_lag_for_it()
    {
        await Api.StatedTheStabilisationGoal();
        // What a database from before the pledger views read the pledge rows keeps: their projection's position, behind.
        await using (var old = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("""
                         insert into tracker.mt_event_progression (name, last_seq_id) values ('Pledgers:All', 0)
                         on conflict (name) do update set last_seq_id = 0
                         """))
        {
            await old.ExecuteNonQueryAsync();
        }

        await Api.Services.GetRequiredService<ProgressModelUpgrade>().Run(CancellationToken.None);

        var lag = (await Api.Scenario(s => s.Get.Url("/health/ready"))).Json()
            .GetProperty("checks").GetProperty("database").GetProperty("data").GetProperty("projectionLag");
        lag.EnumerateObject().Select(shard => shard.Name).ShouldNotContain(name => name.StartsWith("Pledgers"));
    }

    [Fact]
    public async Task rebuilding_every_projection_from_the_command_line_gives_the_same_models_byte_for_byte()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(10_000_000m));
        await Api.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(5_000_000m));
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = 4, reason = "duplicate", source = Source });
        await Api.Write($"/api/commitments/{Goal}/progress", Progress());
        await Api.Write($"/api/commitments/{Goal}/revisions", new
        {
            deadline = new { date = "2024-10-01", precision = "day" }, reason = "brought forward for the test", source = Source
        });
        await Eventually.Until(() => Api.ReadCommitment(), c => c.GetProperty("overdue").GetBoolean());
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var before = await StoredModels();
        before["mt_doc_pledgeledgerrow"].ShouldContain("germany");

        await SpoilEveryStoredModel();

        var (exitCode, output) = await RebuildingBesideTheTestHost("projections", "rebuild");
        // Marten rebuilds the projections side by side; the dashboard rollup counts the progress models, so it is rebuilt
        // again once they are (README, "Rebuilding read models").
        var (rollupExitCode, rollupOutput) = await RebuildingBesideTheTestHost("projections", "rebuild",
            "-p", DashboardRollupProjection.ProjectionName);

        exitCode.ShouldBe(0, output);
        output.ShouldContain("Projection Rebuild complete");
        rollupExitCode.ShouldBe(0, rollupOutput);
        var after = await StoredModels();
        foreach (var table in ModelTables.Append("commitment_days").Append("commitment_day_facts").Concat(RollupTables.Select(r => r.Table)))
        {
            after[table].ShouldBe(before[table], table);
        }
    }

    [Fact]
    public async Task effective_timelines_kept_before_each_fact_had_a_row_find_their_facts_again_at_start()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(10_000_000m));
        await Api.Write($"/api/commitments/{Goal}/progress", Progress());
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var before = await StoredModels();
        before["commitment_day_facts"].Split('\n').Length.ShouldBe(4);
        // What the schema's migration leaves of a timeline kept when each day listed its facts: the days, and no facts.
        await using (var migrated = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         "delete from tracker.commitment_day_facts; update tracker.commitment_days set facts = 0"))
        {
            await migrated.ExecuteNonQueryAsync();
        }

        var backfill = Api.Services.GetRequiredService<TimelineFactsBackfill>();
        (await backfill.Run(CancellationToken.None)).ShouldBe(1);

        var after = await StoredModels();
        after["commitment_day_facts"].ShouldBe(before["commitment_day_facts"]);
        after["commitment_days"].ShouldBe(before["commitment_days"]);
        (await backfill.Run(CancellationToken.None)).ShouldBe(0);
        after["commitment_days"].ShouldNotContain("\"facts\":0");
        // A retraction reworks the timeline from the retracted fact's day, which it finds among the facts again.
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = 3, reason = "another fund", source = Source });
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    [Fact]
    public async Task an_effective_timeline_kept_before_each_fact_had_a_row_is_folded_whole_when_its_commitment_changes_first()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(10_000_000m));
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        await using (var migrated = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         "delete from tracker.commitment_day_facts; update tracker.commitment_days set facts = 0"))
        {
            await migrated.ExecuteNonQueryAsync();
        }

        // The daemon meets the old timeline before the start-up's backfill has filled it.
        await Api.Write($"/api/commitments/{Goal}/progress", Progress());
        await Api.Write($"/api/commitments/{Goal}/corrections", new { version = 3, reason = "another fund", source = Source });

        await Api.ProjectionsShouldEqualAFreshRebuild();
        (await Api.Services.GetRequiredService<TimelineFactsBackfill>().Run(CancellationToken.None)).ShouldBe(0);
    }

    [Fact]
    public async Task a_start_waits_so_long_for_the_tables_it_fills_and_leaves_them_to_the_next_start_when_a_long_transaction_holds_them()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/progress", Progress());
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var dataSource = Api.Services.GetRequiredService<NpgsqlDataSource>();
        // Timelines kept before each fact had a row, and a daily rollup that no longer counts them: both for a start to fill.
        await using (var lacking = dataSource.CreateCommand(
                         "delete from tracker.commitment_day_facts; update tracker.commitment_days set facts = 0; delete from tracker.commitment_rollup_days"))
        {
            await lacking.ExecuteNonQueryAsync();
        }
        async Task<(long LackingFacts, long DailyRows)> Left()
        {
            await using var count = dataSource.CreateCommand(
                "select (select count(*) from tracker.commitment_days where facts = 0), (select count(*) from tracker.commitment_rollup_days)");
            await using var reader = await count.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetInt64(0), reader.GetInt64(1));
        }
        var facts = Api.Services.GetRequiredService<TimelineFactsBackfill>();
        var rollups = Api.Services.GetServices<IHostedService>().OfType<RollupBackfill>().Single();
        var shortWait = TimeSpan.FromMilliseconds(300);

        // A transaction writing the days that does not end (a stuck writer): the start gives up on what it would lock.
        await using (var writer = await dataSource.OpenConnectionAsync())
        await using (var stuck = await writer.BeginTransactionAsync())
        {
            await using (var write = new NpgsqlCommand("lock table tracker.commitment_days in row exclusive mode", writer, stuck))
            {
                await write.ExecuteNonQueryAsync();
            }
            // Bounded here so that a start that waits for ever fails the test instead of hanging it.
            (await facts.Run(shortWait, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(0);
            await rollups.Run(shortWait, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            var left = await Left();
            left.LackingFacts.ShouldBeGreaterThan(0, "the facts are left for the next start");
            left.DailyRows.ShouldBe(0, "the daily rollup is left for the next start");
            await stuck.RollbackAsync();
        }

        // The next start, with nothing holding them, fills both.
        await rollups.Run(shortWait, CancellationToken.None);
        var filled = await Left();
        filled.LackingFacts.ShouldBe(0);
        filled.DailyRows.ShouldBeGreaterThan(0);
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    [Fact]
    public async Task a_start_waits_for_another_nodes_upgrade_as_long_as_it_takes_and_says_so()
    {
        await Api.StatedTheStabilisationGoal();
        var dataSource = Api.Services.GetRequiredService<NpgsqlDataSource>();
        var log = new Lines<ProgressModelUpgrade>();
        var upgrade = new ProgressModelUpgrade(Api.Services.GetRequiredService<Marten.IDocumentStore>(), dataSource, log, TimeProvider.System)
        {
            AskEvery = TimeSpan.FromMilliseconds(50)
        };
        // Another node upgrading (or a start stopped mid-rebuild whose statement still runs): it holds the lock.
        await using var otherNode = await dataSource.OpenConnectionAsync();
        await using (var take = new NpgsqlCommand($"select pg_advisory_lock({ProgressModelUpgrade.LockKey})", otherNode))
        {
            await take.ExecuteNonQueryAsync();
        }

        var start = upgrade.Run(CancellationToken.None);
        for (var waited = 0; waited < 100 && !log.Warnings.Any(); waited++) await Task.Delay(50);

        log.Warnings.ShouldHaveSingleItem().ShouldContain("this start waits for it");
        start.IsCompleted.ShouldBeFalse();
        await using (var release = new NpgsqlCommand($"select pg_advisory_unlock({ProgressModelUpgrade.LockKey})", otherNode))
        {
            await release.ExecuteNonQueryAsync();
        }
        (await start.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(0);
    }

    /// <summary>What one logger was told, as text.</summary>
    private sealed class Lines<T> : Microsoft.Extensions.Logging.ILogger<T>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(Microsoft.Extensions.Logging.LogLevel Level, string Text)> _lines = new();

        public IEnumerable<string> Warnings => _lines.Where(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning).Select(l => l.Text);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter) => _lines.Enqueue((logLevel, formatter(state, exception)));
    }
}
