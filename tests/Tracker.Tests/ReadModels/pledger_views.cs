using Alba;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracker.Api.Pledgers;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.ReadModels;

/// <summary>
/// A pledger across commitments: its totals in each currency and each pledge with the commitment it counts towards, read
/// from the pledges' own rows, which every write about a pledge keeps in its transaction.
/// </summary>
public sealed class pledger_views(TrackerApp app) : TrackerTest(app)
{
    private const string Base = $"/api/commitments/{Goal}";
    private const string Drive = "stabilisation-2021-drive";

    /// <summary>Germany pledges toward two commitments, in EUR and in USD, and disburses part of them.</summary>
    private async Task GermanyPledgedAcrossCommitments()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write("/api/commitments", StabilisationGoal(Drive), 201);
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(10_000_000m));
        await Api.Write($"/api/commitments/{Drive}/pledges", new
        {
            pledger = "Germany", amount = new { amount = 3_000_000m, currency = "USD" }, announcedOn = "2021-06-28",
            source = Source
        }, 201);
        await Api.Write($"/api/commitments/{Drive}/pledges/germany-1/stages", new
        {
            stage = "disbursed", amount = new { amount = 3_000_000m, currency = "USD" }, on = "2021-08-27", source = Source
        });
    }

    private async Task<PledgerDetail> PledgerPage(string key, string query = "") =>
        (await Api.Scenario(s => s.Get.Url($"/api/pledgers/{key}{query}"))).ReadAsJson<PledgerDetail>()!;

    [Fact]
    public async Task a_pledgers_page_and_its_totals_agree_while_it_pledges()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", new
        {
            pledger = "Japan", amount = new { amount = 1_000m, currency = "USD" }, announcedOn = "2024-10-01", source = LaterSource
        }, 201);
        var pledging = Task.Run(async () =>
        {
            for (var i = 1; i <= 25; i++)
            {
                await Api.Write($"{Base}/pledges", new
                {
                    pledger = i % 2 == 0 ? "Japan" : $"Member {i}", amount = new { amount = 1_000m, currency = "USD" },
                    announcedOn = "2024-10-01", source = LaterSource
                }, 201);
            }
        });

        // Until 2026-12-07 the totals and the page were two snapshots: a page could hold one pledge more than its count.
        var read = 0;
        while (!pledging.IsCompleted || read == 0)
        {
            var japan = await PledgerPage("japan", "?pageSize=100");
            japan.Pledger.Pledges.Count.ShouldBe(japan.Pledger.PledgeCount, $"read {read + 1}");
            japan.Total.ShouldBe(japan.Pledger.PledgeCount);
            japan.Pledger.Totals.ShouldHaveSingleItem().Pledged.ShouldBe(1_000m * japan.Pledger.PledgeCount);
            var list = (await Api.Scenario(s => s.Get.Url("/api/pledgers?pageSize=100"))).ReadAsJson<PledgerList>()!;
            list.Items.Count.ShouldBe((int)list.Total, $"read {read + 1}");
            read++;
        }
        await pledging;
        (await PledgerPage("japan", "?pageSize=100")).Pledger.PledgeCount.ShouldBe(13);
    }

    private async Task<PledgerOverview> Pledger(string key, string query = "") => (await PledgerPage(key, query)).Pledger;

    private async Task<PledgerList> Pledgers(string query = "") =>
        (await Api.Scenario(s => s.Get.Url($"/api/pledgers{query}"))).ReadAsJson<PledgerList>()!;

    [Fact]
    public async Task a_pledger_shows_its_pledges_across_commitments_with_totals_by_currency_and_outstanding_amounts()
    {
        await GermanyPledgedAcrossCommitments();

        var germany = await Pledger("germany");

        germany.Name.ShouldBe("Germany");
        // "key", as the list names it ("id" kept for the clients that read it).
        var page = (await Api.Scenario(s => s.Get.Url("/api/pledgers/germany"))).Json();
        var raw = page.GetProperty("pledger");
        (raw.GetProperty("key").GetString(), raw.GetProperty("id").GetString()).ShouldBe(("germany", "germany"));
        // Counted beside the page, as every numbered list is (until 2026-12-07 only inside, as pledgeCount).
        (page.GetProperty("total").GetInt64(), page.GetProperty("pageCount").GetInt64()).ShouldBe((2, 1));
        germany.PledgeCount.ShouldBe(2);
        germany.Totals.ShouldBe([
            new CurrencyTotals("EUR", Pledged: 25_000_000m, Committed: 0m, Disbursed: 10_000_000m, Outstanding: 15_000_000m),
            new CurrencyTotals("USD", Pledged: 3_000_000m, Committed: 0m, Disbursed: 3_000_000m, Outstanding: 0m)
        ]);
        // In the order announced: the 2021 drive's pledge first.
        germany.Pledges.Select(p => (p.CommitmentKey, p.PledgeId, p.Currency, p.Pledged, p.Outstanding))
            .ShouldBe([(Drive, "germany-1", "USD", 3_000_000m, 0m), (Goal, "germany-1", "EUR", 25_000_000m, 15_000_000m)]);
    }

    [Fact]
    public async Task a_pledger_named_in_another_script_is_counted_under_the_key_its_pledge_names()
    {
        await Api.StatedTheStabilisationGoal();
        const string pledges = $"/api/commitments/{Goal}/pledges";
        object InYen(string pledger, string? pledgerKey) => new
        {
            pledger, pledgerKey, amount = new { amount = 1_000_000_000m, currency = "JPY" }, announcedOn = "2024-10-03",
            exchangeRate = new { rate = 0.0067m, on = "2024-10-03" }, source = new { url = "https://example.org/japan", primary = true }
        };

        // Until 2026-12-07 a name in another script was refused outright; now it asks for a key.
        var keyless = await Api.Write(pledges, InYen("日本", null), 400);
        keyless.Json().GetProperty("errors").GetProperty("pledger")[0].GetString().ShouldNotBeNull().ShouldContain("Give pledgerKey");
        (await Api.Write(pledges, InYen("日本", "Japan"), 400)).Json().GetProperty("errors").TryGetProperty("pledgerKey", out _).ShouldBeTrue();

        var japanese = await Api.Write(pledges, InYen("日本", "japan"), 201);
        // The same member in Latin letters is counted with it, numbered after the same key.
        var latin = await Api.Write(pledges, InYen("Japan", null), 201);

        japanese.Json().GetProperty("pledge").GetProperty("pledgeId").GetString().ShouldBe("japan-1");
        japanese.Json().GetProperty("pledge").GetProperty("pledgerKey").GetString().ShouldBe("japan");
        latin.Json().GetProperty("pledge").GetProperty("pledgeId").GetString().ShouldBe("japan-2");
        var japan = await Pledger("japan");
        japan.Name.ShouldBe("日本"); // as its first pledge gave it
        japan.PledgeCount.ShouldBe(2);
        japan.Totals.ShouldBe([new CurrencyTotals("JPY", Pledged: 2_000_000_000m, Committed: 0m, Disbursed: 0m, Outstanding: 2_000_000_000m)]);
        var csv = (await Api.Scenario(s => s.Get.Url("/api/exports/pledges.csv"))).ReadAsText().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        csv.Skip(1).Select(line => line[(line.LastIndexOf(',') + 1)..].Trim()).ShouldBe(["japan", "japan"]);
    }

    [Fact]
    public async Task a_pledger_whose_amounts_use_every_place_a_pledge_may_have_is_shown_with_its_totals_exact()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write("/api/commitments", StabilisationGoal(Drive), 201);
        await Api.Write($"{Base}/pledges", GermanPledge(1_000_000_000_000_000m), 201);
        // Pledged money has at most six decimal places, so a pledger's totals across commitments add up exactly: until
        // 2026-12-06 an amount of 10^-25 beside 25 million was taken, and the totals shown rounded.
        await Api.Write($"/api/commitments/{Drive}/pledges", GermanPledge(0.000001m), 201);
        await Api.Write($"/api/commitments/{Drive}/pledges", GermanPledge(0.0000001m), 400);

        var germany = await Pledger("germany");
        var list = await Pledgers();

        germany.PledgeCount.ShouldBe(2);
        germany.Totals.ShouldBe([new CurrencyTotals("EUR", Pledged: 1_000_000_000_000_000.000001m, Committed: 0m, Disbursed: 0m,
            Outstanding: 1_000_000_000_000_000.000001m)]);
        list.Items.Single(p => p.Key == "germany").Totals.Single().Pledged.ShouldBe(1_000_000_000_000_000.000001m);
    }

    [Fact]
    public async Task a_pledger_shows_how_long_its_money_took_to_arrive()
    {
        await GermanyPledgedAcrossCommitments();

        var germany = await Pledger("germany");

        var byCommitment = germany.Pledges.ToDictionary(p => p.CommitmentKey);
        byCommitment[Goal].FirstDisbursedOn.ShouldBe(new DateOnly(2024, 12, 1));
        byCommitment[Goal].DaysToFirstDisbursement.ShouldBe(60);             // 2024-10-02 -> 12-01
        byCommitment[Goal].FullyDisbursedOn.ShouldBeNull();                  // 10 of 25 million
        byCommitment[Drive].DaysToFullDisbursement.ShouldBe(60);             // 2021-06-28 -> 08-27
        germany.AverageDaysToFirstDisbursement.ShouldBe(60);
    }

    [Fact]
    public async Task a_pledge_counts_in_its_pledgers_views_as_soon_as_it_is_recorded()
    {
        await Api.StatedTheStabilisationGoal();

        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);
        var list = await Pledgers();
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(10_000_000m));
        var germany = await Pledger("germany");

        var listed = list.Items.ShouldHaveSingleItem();
        (listed.Key, listed.Name, listed.PledgeCount, listed.AverageDaysToFirstDisbursement).ShouldBe(("germany", "Germany", 1, null));
        listed.Totals.ShouldBe([new CurrencyTotals("EUR", 25_000_000m, 0m, 0m, 25_000_000m)]);
        germany.Totals.Single().Disbursed.ShouldBe(10_000_000m);
    }

    [Fact]
    public async Task pledgers_are_listed_by_name_ignoring_case_and_accents()
    {
        await Api.StatedTheStabilisationGoal();
        foreach (var pledger in new[] { "Zambia", "Ägypten", "austria", "Belgium", "ÅLAND" })
        {
            await Api.Write($"{Base}/pledges", new
            {
                pledger, amount = new { amount = 1_000_000m, currency = "USD" }, announcedOn = "2024-10-01", source = LaterSource
            }, 201);
        }

        var list = await Pledgers("?pageSize=10");

        list.Items.Select(p => p.Name).ShouldBe(["Ägypten", "ÅLAND", "austria", "Belgium", "Zambia"]);
    }

    [Fact]
    public async Task pledgers_and_a_pledgers_pledges_come_a_page_at_a_time_with_totals_over_all_of_them()
    {
        await GermanyPledgedAcrossCommitments();
        await Api.Write($"{Base}/pledges", new
        {
            pledger = "United States", amount = new { amount = 5_000_000m, currency = "USD" }, announcedOn = "2024-10-01", source = LaterSource
        }, 201);

        var firstPledge = await PledgerPage("germany", "?pageSize=1");
        var secondPledge = await Pledger("germany", "?pageSize=1&page=2");
        var secondPledger = await Pledgers("?pageSize=1&page=2");
        var beyond = await Pledgers("?pageSize=1&page=3");

        firstPledge.PageCount.ShouldBe(2);
        firstPledge.Pledger.PledgeCount.ShouldBe(2);
        firstPledge.Pledger.Totals.Select(t => t.Currency).ShouldBe(["EUR", "USD"]);
        firstPledge.Pledger.Pledges.Single().CommitmentKey.ShouldBe(Drive);
        secondPledge.Pledges.Single().CommitmentKey.ShouldBe(Goal);
        secondPledger.Items.Single().Name.ShouldBe("United States");
        (secondPledger.Total, secondPledger.PageCount).ShouldBe((2, 2));
        beyond.Items.ShouldBeEmpty();
        beyond.Total.ShouldBe(2);
    }

    [Fact]
    public async Task a_page_of_a_pledgers_pledges_is_a_range_of_an_index_in_their_order_not_a_sort_of_all_of_them()
    {
        await GermanyPledgedAcrossCommitments();
        var database = Api.Services.GetRequiredService<NpgsqlDataSource>();
        await using var connection = await database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Two rows would be read whole and sorted by any plan that may; the question is whether the index can serve the order.
        await using (var noScans = new NpgsqlCommand("set local enable_seqscan = off; set local enable_bitmapscan = off", connection, transaction))
        {
            await noScans.ExecuteNonQueryAsync();
        }
        await using var explain = new NpgsqlCommand($"explain {PledgerEndpoints.PledgesPageSql}", connection, transaction)
        {
            Parameters = { new NpgsqlParameter<string>("pledger", "germany"), new NpgsqlParameter<int>("take", 25), new NpgsqlParameter<int>("skip", 0) }
        };
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        }

        plan.ShouldContain(line => line.Contains($"Index Scan using {Tracker.Projections.Commitments.Pledges.PledgeLedgerRow.PledgerPlaceIndex}"));
        plan.ShouldNotContain(line => line.Contains("Sort"));
    }

    [Fact]
    public async Task a_retracted_disbursement_leaves_the_pledgers_totals_and_its_dates()
    {
        await GermanyPledgedAcrossCommitments();

        await Api.Write($"{Base}/corrections", new { version = 3, reason = "double counted", source = Source });

        var germany = await Pledger("germany");
        germany.Totals.Single(t => t.Currency == "EUR").ShouldBe(new CurrencyTotals("EUR", 25_000_000m, 0m, 0m, 25_000_000m));
        var goal = germany.Pledges.Single(p => p.CommitmentKey == Goal);
        (goal.FirstDisbursedOn, goal.DaysToFirstDisbursement).ShouldBe((null, null));
        germany.AverageDaysToFirstDisbursement.ShouldBe(60);                 // the drive's pledge alone
    }

    [Fact]
    public async Task disbursements_on_one_day_count_together_and_one_retracted_leaves_the_others_dating_the_pledge()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(10_000_000m));    // version 3
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(15_000_000m));    // version 4, the same day
        var paid = (await Pledger("germany")).Pledges.Single();

        await Api.Write($"{Base}/corrections", new { version = 4, reason = "double counted", source = Source });

        var corrected = (await Pledger("germany")).Pledges.Single();
        (paid.FirstDisbursedOn, paid.FullyDisbursedOn).ShouldBe((new DateOnly(2024, 12, 1), new DateOnly(2024, 12, 1)));
        (corrected.FirstDisbursedOn, corrected.FullyDisbursedOn).ShouldBe((new DateOnly(2024, 12, 1), null));
        corrected.Disbursed.ShouldBe(10_000_000m);
    }

    [Fact]
    public async Task a_pledge_cut_to_what_was_disbursed_is_fully_disbursed_from_the_day_the_cut_took_effect()
    {
        // EUR 25 million announced on 2024-10-02, 10 million disbursed on 2024-12-01, the pledge cut to 10 million from
        // 2025-01-01: until then 10 of 25 million were paid. Until 2026-12-06 the pledger's page said fully disbursed on
        // 2024-12-01, comparing the disbursements with today's amount, where the commitment as effective that day showed 25.
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);
        await Api.Write($"{Base}/pledges/germany-1/stages", Disbursement(10_000_000m));
        await Api.Write($"{Base}/pledges/germany-1/revisions", new
        {
            amount = new { amount = 10_000_000m, currency = "EUR" }, exchangeRate = new { rate = 1.05m, on = "2025-01-01" },
            reason = "cut to what was paid", source = new { url = "https://example.org/a-later-source", primary = true, on = "2025-01-01" }
        });

        var pledge = (await Pledger("germany")).Pledges.Single();

        (pledge.FullyDisbursedOn, pledge.DaysToFullDisbursement).ShouldBe((new DateOnly(2025, 1, 1), 91));
    }

    [Fact]
    public async Task a_pledger_whose_only_pledge_was_retracted_is_no_longer_listed()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);

        await Api.Write($"{Base}/corrections", new { version = 2, reason = "announced by another member", source = Source });

        (await Pledgers()).Items.ShouldBeEmpty();
        await Api.Scenario(s =>
        {
            s.Get.Url("/api/pledgers/germany");
            s.StatusCodeShouldBe(404);
        });
    }

    [Fact]
    public async Task a_pledger_is_found_by_its_name_as_written_or_as_a_key()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", new
        {
            pledger = "United States", amount = new { amount = 5_000_000m, currency = "USD" }, announcedOn = "2024-10-01", source = LaterSource
        }, 201);

        (await Pledger("united-states")).Name.ShouldBe("United States");
        (await Pledger("United%20States")).PledgeCount.ShouldBe(1);
    }

    [Fact]
    public async Task an_unknown_pledger_is_a_404()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());

        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/api/pledgers/atlantis");
            s.StatusCodeShouldBe(404);
        });

        result.ReadProblem(404);
    }

    [Fact]
    public async Task a_pledger_is_named_by_its_earliest_pledge_and_by_the_next_once_that_one_is_retracted()
    {
        await GermanyPledgedAcrossCommitments();                                 // "Germany", 2021 and 2024
        await Api.Write("/api/commitments", StabilisationGoal("stabilisation-2019-drive"), 201);
        await Api.Write("/api/commitments/stabilisation-2019-drive/pledges", new
        {
            pledger = "GERMANY", amount = new { amount = 1_000_000m, currency = "USD" }, announcedOn = "2019-03-01", source = Source
        }, 201);
        var renamed = await Pledger("germany");

        await Api.Write("/api/commitments/stabilisation-2019-drive/corrections", new { version = 2, reason = "not a pledge", source = Source });

        (renamed.Name, renamed.PledgeCount).ShouldBe(("GERMANY", 3));
        var named = await Pledger("germany");
        (named.Name, named.PledgeCount).ShouldBe(("Germany", 2));
        (await Pledgers()).Items.Single().Name.ShouldBe("Germany");
    }

    [Fact]
    public async Task a_pledge_counts_at_once_and_the_daemon_folds_it_into_its_pledgers_totals_without_changing_what_is_read()
    {
        await GermanyPledgedAcrossCommitments();
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var coordinator = Api.Services.GetRequiredService<JasperFx.Events.Daemon.IProjectionCoordinator>();
        await coordinator.PauseAsync();
        PledgerOverview pending;
        long changesPending;
        try
        {
            await Api.Write($"{Base}/pledges", new
            {
                pledger = "Germany", amount = new { amount = 2_000_000m, currency = "EUR" }, announcedOn = "2024-11-01",
                exchangeRate = new { rate = 1.084m, on = "2024-11-01" }, source = LaterSource
            }, 201);
            pending = await Pledger("germany");
            changesPending = await Count("pledger_changes");
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
        await Api.Write($"{Base}/progress", Progress());
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        changesPending.ShouldBe(1);
        pending.Totals.Single(t => t.Currency == "EUR").Pledged.ShouldBe(27_000_000m);
        (await Count("pledger_changes")).ShouldBe(0);
        var folded = await Pledger("germany");
        folded.Totals.ShouldBe(pending.Totals);
        folded.PledgeCount.ShouldBe(3);
    }

    [Fact]
    public async Task a_pledger_keeps_its_name_when_the_pledge_that_named_it_goes_while_another_is_being_recorded()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);
        var database = Api.Services.GetRequiredService<NpgsqlDataSource>();
        // Two transactions on Germany's pledge rows, as two writes to two commitments would make them: one records a
        // later pledge and has not committed yet when the other removes the pledge that named Germany.
        await using var recording = await database.OpenConnectionAsync();
        await using var recordingTransaction = await recording.BeginTransactionAsync();
        await CopyGermanysPledge(recording, recordingTransaction, "germany-9", "2025-01-01");
        await using var removing = await database.OpenConnectionAsync();
        await using var removingTransaction = await removing.BeginTransactionAsync();
        var removal = Task.Run(async () =>
        {
            await using var first = new NpgsqlCommand("delete from tracker.mt_doc_pledgeledgerrow where id like '%/germany-1'", removing, removingTransaction);
            await first.ExecuteNonQueryAsync();
        });
        // The removal waits for the recording, whose pledge it must see to name Germany after it.
        await Eventually.Until(async () =>
        {
            await using var waiting = database.CreateCommand(
                "select count(*) from pg_locks where locktype = 'advisory' and classid = 20261202 and not granted");
            return (long)(await waiting.ExecuteScalarAsync())!;
        }, waiting => waiting == 1);
        await recordingTransaction.CommitAsync();
        await removal;
        await removingTransaction.CommitAsync();

        var germany = await Pledger("germany");

        (germany.Name, germany.PledgeCount).ShouldBe(("Germany", 1));
        germany.Pledges.Single().AnnouncedOn.ShouldBe(new DateOnly(2025, 1, 1));
        await using var named = database.CreateCommand("select first_on::text from tracker.pledgers where pledger_key = 'germany'");
        ((string)(await named.ExecuteScalarAsync())!).ShouldBe("2025-01-01");
    }

    [Fact]
    public async Task two_pledges_of_one_pledger_recorded_at_once_do_not_wait_on_each_other_and_the_earlier_names_it()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"{Base}/pledges", GermanPledge(25_000_000m), 201);
        var database = Api.Services.GetRequiredService<NpgsqlDataSource>();
        // Two transactions each recording a new pledge of Germany's, as two writes to two commitments would.
        await using var first = await database.OpenConnectionAsync();
        await using var firstTransaction = await first.BeginTransactionAsync();
        await CopyGermanysPledge(first, firstTransaction, "germany-9", "2025-01-01");

        await using var second = await database.OpenConnectionAsync();
        await using var secondTransaction = await second.BeginTransactionAsync();
        await using (var impatient = new NpgsqlCommand("set local lock_timeout = '5s'", second, secondTransaction))
        {
            await impatient.ExecuteNonQueryAsync();
        }
        // Were it to wait for the first, which has not committed, it would fail on the lock timeout.
        await CopyGermanysPledge(second, secondTransaction, "germany-8", "2024-01-01");
        await secondTransaction.CommitAsync();
        await firstTransaction.CommitAsync();

        var germany = await Pledger("germany");
        germany.PledgeCount.ShouldBe(3);
        await using var named = database.CreateCommand("select first_on::text, first_version from tracker.pledgers where pledger_key = 'germany'");
        await using var reader = await named.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        (reader.GetString(0), reader.GetInt32(1)).ShouldBe(("2024-01-01", 8));
    }

    /// <summary>Records a copy of Germany's pledge germany-1 under another id, announced on another day (at version 8 or 9).</summary>
    private static async Task CopyGermanysPledge(NpgsqlConnection connection, NpgsqlTransaction transaction, string pledgeId, string announcedOn)
    {
        await using var copy = new NpgsqlCommand($$"""
            insert into tracker.mt_doc_pledgeledgerrow (id, data, mt_version, mt_dotnet_type, mt_last_modified, stream_id,
                                                       announced_version, id_stem, pledger_key, ledger_announced_on, commitment_key)
            select replace(id, 'germany-1', '{{pledgeId}}'),
                   jsonb_set(jsonb_set(data, '{Id}', to_jsonb(replace(id, 'germany-1', '{{pledgeId}}'))), '{Ledger,AnnouncedOn}', '"{{announcedOn}}"'),
                   gen_random_uuid(), mt_dotnet_type, mt_last_modified, stream_id, {{pledgeId[^1]}}, id_stem, pledger_key,
                   '{{announcedOn}}'::date, commitment_key
              from tracker.mt_doc_pledgeledgerrow where id like '%/germany-1'
            """, connection, transaction);
        await copy.ExecuteNonQueryAsync();
    }

    private async Task<long> Count(string table)
    {
        await using var command = Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand($"select count(*) from tracker.{table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
