using Alba;
using Marten;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Commitments.Stating;

public sealed class stating_commitments(TrackerApp app) : TrackerTest(app)
{
    [Fact]
    public async Task a_stated_commitment_answers_201_with_its_location_and_version_and_reads_back()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());

        var result = await Api.Write("/api/commitments", StabilisationGoal(), 201);

        result.Context.Response.Headers.Location.ToString().ShouldBe($"/api/commitments/{Goal}");
        result.Version().ShouldBe(1);
        var read = await Api.Scenario(s => s.Get.Url($"/api/commitments/{Goal}"));
        read.Context.Response.Headers.ETag.ToString().ShouldBe("\"1\"");
        var commitment = read.Json();
        commitment.GetProperty("status").GetString().ShouldBe("not-assessed");
        commitment.GetProperty("target").GetProperty("amount").GetDecimal().ShouldBe(394_000_000m);
        commitment.GetProperty("statedOn").GetString().ShouldBe("2024-09-30");
        commitment.GetProperty("statedIn").GetProperty("quote").GetString().ShouldStartWith("a goal of raising");
    }

    [Fact]
    public async Task the_statement_records_who_stated_it_and_from_which_request()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());

        var bob = await Api.KeyFor("monitor.bob");
        await Api.Write("/api/commitments", StabilisationGoal(), 201, ("X-Api-Key", bob), ("X-Correlation-Id", "import-7"));

        await using var session = Store.LightweightSession();
        var stated = (await session.Events.FetchStreamAsync(StreamIds.ForCommitment(Goal))).ShouldHaveSingleItem();
        stated.EventTypeName.ShouldBe("commitment_stated");
        stated.UserName.ShouldBe("key:monitor.bob");
        stated.CorrelationId.ShouldBe("import-7");
    }

    [Fact]
    public async Task a_duplicate_key_is_a_409()
    {
        await Api.StatedTheStabilisationGoal();

        var result = await Api.Write("/api/commitments", StabilisationGoal(), 409);

        result.ReadProblem(409).Detail.ShouldNotBeNull().ShouldContain(Goal);
    }

    [Fact]
    public async Task a_source_document_that_is_not_registered_is_a_422_naming_it()
    {
        var result = await Api.Write("/api/commitments", StabilisationGoal(), 422);

        var problem = result.ReadProblem(422);
        problem.Detail.ShouldNotBeNull().ShouldContain("washington-2024");
    }

    [Fact]
    public async Task statements_racing_their_documents_registration_are_recorded_or_told_to_register_it_never_a_500()
    {
        // Each round registers a fresh document while statements citing it arrive: some see it, some do not yet.
        for (var round = 0; round < 10; round++)
        {
            var document = $"washington-race-{round}";
            var statements = Enumerable.Range(0, 12).Select(i => Api.Scenario(s =>
            {
                s.Post.Json(StabilisationGoal(key: $"race-{round}-{i}", documentKey: document)).ToUrl("/api/commitments");
                s.IgnoreStatusCode();
            }));
            var registration = Api.Scenario(s =>
            {
                s.Post.Json(DocumentScenarios.Washington2024(document)).ToUrl("/api/documents");
                s.StatusCodeShouldBe(201);
            });

            var answers = await Task.WhenAll([registration, .. statements]);

            answers.Skip(1).Select(a => a.Context.Response.StatusCode).ShouldAllBe(status => status == 201 || status == 422);
            foreach (var refused in answers.Skip(1).Where(a => a.Context.Response.StatusCode == 422))
                refused.ReadProblem(422).Detail.ShouldNotBeNull().ShouldContain(document);
        }
    }

    [Fact]
    public async Task invalid_fields_are_a_400_with_a_field_map()
    {
        var result = await Api.Write("/api/commitments", new
        {
            key = "Bad Key",
            title = "",
            kind = "financial",
            lineOfEffort = "stabilisation",
            actors = Array.Empty<string>(),
            target = new { amount = -1, currency = "XYZ" },
            deadline = new { date = "2022-06-15", precision = "month" },
            statedIn = new { documentKey = "washington-2024", quote = "" }
        }, 400);

        result.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldBe(
            ["key", "title", "actors", "target.amount", "target.currency", "deadline.date", "statedIn.quote"],
            ignoreOrder: true);
    }

    [Fact]
    public async Task a_money_target_has_at_most_six_decimal_places_as_pledged_money_has_and_a_quantity_any()
    {
        // Until 2026-12-06 a money target took any number of places.
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        var body = System.Text.Json.JsonSerializer.SerializeToNode(StabilisationGoal())!.AsObject();
        body["target"] = new System.Text.Json.Nodes.JsonObject { ["amount"] = 394_000_000.0000001m, ["currency"] = "USD" };

        var refused = await Api.Write("/api/commitments", body, 400);
        body["target"] = new System.Text.Json.Nodes.JsonObject { ["amount"] = 394_000_000.000001m, ["currency"] = "USD" };
        await Api.Write("/api/commitments", body, 201);

        refused.ReadProblem(400).Errors.ShouldNotBeNull()["target.amount"]
            .ShouldBe(["A money target's amount has at most 6 decimal places (a millionth of a unit), as pledged money has."]);
    }

    [Fact]
    public async Task an_actor_written_with_the_exports_separator_is_refused_rather_than_read_as_two()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        var body = System.Text.Json.JsonSerializer.SerializeToNode(StabilisationGoal())!.AsObject();
        body["actors"] = new System.Text.Json.Nodes.JsonArray("united states; united kingdom", "coalition");

        var result = await Api.Write("/api/commitments", body, 400);

        result.ReadProblem(400).Errors.ShouldNotBeNull()["actors[0]"].ShouldHaveSingleItem().ShouldContain("';'");
        // A blank one is named by its place, as the field map files it (until 2026-12-07 "'actors' must not be empty").
        body["actors"] = new System.Text.Json.Nodes.JsonArray("coalition", "");
        (await Api.Write("/api/commitments", body, 400)).ReadProblem(400).Errors.ShouldNotBeNull()["actors[1]"]
            .ShouldBe(["actors[1] must not be blank: name each actor (\"coalition\", a member)."]);
    }

    [Fact]
    public async Task an_unknown_kind_is_a_400()
    {
        var result = await Api.Scenario(s =>
        {
            s.Post.Json(new { key = "x", kind = "aspirational" }).ToUrl("/api/commitments");
            s.StatusCodeShouldBe(400);
        });

        result.ReadProblem(400);
    }

    [Fact]
    public async Task a_target_that_does_not_fit_the_kind_is_a_422_naming_the_rule()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());

        var result = await Api.Write("/api/commitments", new
        {
            key = "iraq-repatriation",
            title = "Iraq repatriates its nationals",
            kind = "quantitative",
            lineOfEffort = "detention-and-camps",
            actors = new[] { "iraq" },
            target = new { amount = 30000, currency = "USD" },
            statedIn = new { documentKey = "washington-2024", quote = "repatriating over 10,000 of its nationals" }
        }, 422);

        result.Json().GetProperty("rule").GetString().ShouldBe("target-kind-mismatch");
    }

    [Fact]
    public async Task a_tracker_set_to_count_in_euros_records_euros_on_each_statement_that_names_no_currency()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        object Statement(string key, object? target = null, string? ledgerCurrency = null) => new
        {
            key, title = "Members contribute to a reconstruction fund", kind = "financial", lineOfEffort = "stabilisation",
            actors = new[] { "coalition" }, target, ledgerCurrency,
            statedIn = new { documentKey = "washington-2024", quote = "members will contribute to the fund" }
        };
        await using (var euros = await TrackerApp.StartAnotherHost(("Ledger:DefaultCurrency", "EUR")))
        {
            await euros.Write("/api/commitments", Statement("fund-in-euros"), 201);
            await euros.Write("/api/commitments", Statement("fund-in-dollars", new { amount = 394_000_000m, currency = "USD" }), 201);
            await euros.Write("/api/commitments", Statement("fund-in-pounds", ledgerCurrency: "GBP"), 201);
        }

        // Stated by a node with the default: the setting is written into each statement (a statement naming none counts
        // in USD whoever replays it), so a node with another setting reads the euros as they were recorded.
        await Api.Write("/api/commitments", Statement("fund-by-default"), 201);
        await using (var query = Store.QuerySession())
        {
            async Task<string?> Recorded(string key) =>
                (await query.Events.FetchStreamAsync(StreamIds.ForCommitment(key)))[0].Data.ShouldBeOfType<CommitmentStated>().LedgerCurrency;
            (await Recorded("fund-in-euros")).ShouldBe("EUR");
            (await Recorded("fund-in-dollars")).ShouldBeNull();
            (await Recorded("fund-in-pounds")).ShouldBe("GBP");
            (await Recorded("fund-by-default")).ShouldBeNull();
        }
        (await Api.ReadCommitment("fund-in-euros")).GetProperty("ledgerCurrency").GetString().ShouldBe("EUR");
        (await Api.ReadCommitment("fund-in-dollars")).GetProperty("ledgerCurrency").GetString().ShouldBe("USD");
        (await Api.ReadCommitment("fund-in-pounds")).GetProperty("ledgerCurrency").GetString().ShouldBe("GBP");
        (await Api.ReadCommitment("fund-by-default")).GetProperty("ledgerCurrency").GetString().ShouldBe("USD");
    }

    [Fact]
    public async Task a_pledge_drive_without_a_figure_may_count_its_money_in_euros_and_take_a_euro_target_later()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        var drive = new
        {
            key = "reconstruction-fund", title = "Members contribute to a reconstruction fund", kind = "financial",
            lineOfEffort = "stabilisation", actors = new[] { "coalition" }, ledgerCurrency = "EUR",
            statedIn = new { documentKey = "washington-2024", quote = "members will contribute to the fund" }
        };
        await Api.Write("/api/commitments", drive, 201);
        (await Api.ReadCommitment("reconstruction-fund")).GetProperty("ledgerCurrency").GetString().ShouldBe("EUR");

        // Euros without a rate, and a rate to euros for another currency.
        await Api.Write("/api/commitments/reconstruction-fund/pledges", new
        {
            pledger = "Germany", amount = new { amount = 25_000_000m, currency = "EUR" }, announcedOn = "2024-10-02",
            source = new { url = "https://example.org/german-pledge", primary = true }
        }, 201);
        await Api.Write("/api/commitments/reconstruction-fund/pledges", new
        {
            pledger = "Canada", amount = new { amount = 10_000_000m, currency = "CAD" }, announcedOn = "2024-10-02",
            exchangeRate = new { rate = 0.68m, on = "2024-10-02" },
            source = new { url = "https://example.org/canadian-pledge", primary = true }
        }, 201);
        await Api.Write("/api/commitments/reconstruction-fund/revisions", new
        {
            target = new { amount = 100_000_000m, currency = "EUR" }, reason = "the fund's goal was set",
            source = new { url = "https://example.org/fund-goal", primary = true }
        });

        var fund = await Api.ReadCommitment("reconstruction-fund");
        fund.GetProperty("money").GetProperty("pledged").GetDecimal().ShouldBe(31_800_000m);
        fund.GetProperty("progress").GetProperty("fraction").GetDecimal().ShouldBe(0.318m);
        var history = (await Api.Scenario(s => s.Get.Url("/api/commitments/reconstruction-fund/history"))).Json()
            .GetProperty("items").EnumerateArray().Select(e => e.GetProperty("summary").GetString()).ToList();
        history[0].ShouldNotBeNull().ShouldEndWith("; money counted in EUR");
        history[2].ShouldNotBeNull().ShouldContain("EUR 6,800,000");
    }

    [Fact]
    public async Task a_commitment_stated_without_a_ledger_currency_may_name_one_in_a_revision_before_money_is_recorded()
    {
        await Api.StatedFewerCamps();
        const string camps = "/api/commitments/fewer-camps";

        var named = await Api.Write($"{camps}/revisions", new
        {
            ledgerCurrency = "EUR", reason = "the donors fund the camps' closure in euros",
            source = new { url = "https://example.org/donor-conference", primary = true }
        });
        named.Json().GetProperty("events").EnumerateArray().Select(e => e.GetString()).ShouldBe(["ledger-currency-named"]);
        named.Json().GetProperty("inForce").GetProperty("ledgerCurrency").GetString().ShouldBe("EUR");
        (await Api.ReadCommitment("fewer-camps")).GetProperty("ledgerCurrency").GetString().ShouldBe("EUR");
        var history = (await Api.Scenario(s => s.Get.Url($"{camps}/history"))).Json().GetProperty("items").EnumerateArray()
            .Select(e => e.GetProperty("summary").GetString()).ToList();
        history[^1].ShouldBe("Money to be counted in EUR: the donors fund the camps' closure in euros");

        var refused = await Api.Write($"{camps}/revisions", new { ledgerCurrency = "HRK", reason = "r", source = LaterSource }, 400);
        refused.Json().GetProperty("errors").GetProperty("ledgerCurrency")[0].GetString().ShouldNotBeNull().ShouldContain("replaced by EUR");
        await Api.Write($"{camps}/corrections", new { version = 2, reason = "named in error", source = LaterSource });
        (await Api.ReadCommitment("fewer-camps")).GetProperty("ledgerCurrency").GetString().ShouldBe("USD");
    }

    [Fact]
    public async Task ledger_currencies_named_out_of_date_order_count_by_the_one_in_force_in_every_history()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());
        await Api.Write("/api/commitments", new
        {
            key = "fund", title = "A fund", kind = "financial", lineOfEffort = "stabilisation", actors = new[] { "coalition" },
            statedIn = new { documentKey = "washington-2024", quote = "a fund" }
        }, 201);
        await Api.Write("/api/commitments/fund/revisions", new
        {
            ledgerCurrency = "GBP", reason = "counted in pounds", source = new { url = "https://example.org/a", primary = true, on = "2025-09-01" }
        });
        var older = await Api.Write("/api/commitments/fund/revisions", new
        {
            ledgerCurrency = "JPY", reason = "an older decision", source = new { url = "https://example.org/b", primary = true, on = "2025-03-15" }
        });
        older.Json().GetProperty("inForce").GetProperty("ledgerCurrency").GetString().ShouldBe("GBP");
        await Api.Write("/api/commitments/fund/pledges", new
        {
            pledger = "France", amount = new { amount = 200m, currency = "EUR" }, announcedOn = "2025-10-01",
            exchangeRate = new { rate = 0.9m, on = "2025-10-01" }, source = new { url = "https://example.org/c", primary = true }
        }, 201);

        var csv = (await Api.Scenario(s => s.Get.Url("/api/commitments/fund/history.csv"))).ReadAsText();
        csv.ShouldContain("France pledged EUR 200 (GBP 180 at 0.9 on 2025-10-01)");
        var json = (await Api.Scenario(s => s.Get.Url("/api/commitments/fund/history"))).Json().GetProperty("items").EnumerateArray()
            .Select(e => e.GetProperty("summary").GetString()).ToList();
        json.ShouldContain(summary => summary!.StartsWith("France pledged EUR 200 (GBP 180 at 0.9 on 2025-10-01)"));
    }

    [Fact]
    public async Task a_ledger_currency_that_is_no_currency_or_contradicts_a_money_target_is_refused()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());

        var unknown = await Api.Write("/api/commitments", new
        {
            key = "fund", title = "A fund", kind = "financial", lineOfEffort = "stabilisation", actors = new[] { "coalition" },
            ledgerCurrency = "EURO", statedIn = new { documentKey = "washington-2024", quote = "a fund" }
        }, 400);
        unknown.Json().GetProperty("errors").GetProperty("ledgerCurrency")[0].GetString().ShouldNotBeNull().ShouldContain("ISO 4217");
        // Blank is told what to give, a code, not "text" (until 2026-12-07).
        var blank = await Api.Write("/api/commitments", new
        {
            key = "fund", title = "A fund", kind = "financial", lineOfEffort = "stabilisation", actors = new[] { "coalition" },
            ledgerCurrency = " ", statedIn = new { documentKey = "washington-2024", quote = "a fund" }
        }, 400);
        blank.Json().GetProperty("errors").GetProperty("ledgerCurrency").EnumerateArray().Select(m => m.GetString())
            .ShouldBe(["ledgerCurrency must not be blank: leave it out, or give an ISO 4217 code such as USD or EUR."]);
        var contradicting = await Api.Write("/api/commitments", new
        {
            key = "fund", title = "A fund", kind = "financial", lineOfEffort = "stabilisation", actors = new[] { "coalition" },
            target = new { amount = 5_000_000m, currency = "USD" }, ledgerCurrency = "EUR",
            statedIn = new { documentKey = "washington-2024", quote = "a fund" }
        }, 422);
        contradicting.Json().GetProperty("rule").GetString().ShouldBe("ledger-currency-mismatch");
    }

    [Fact]
    public async Task an_open_ended_deadline_is_kept_as_the_text_says_it()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());

        await Api.Write("/api/commitments", new
        {
            key = "ministerial-in-italy",
            title = "Hold a ministerial meeting in Italy",
            kind = "milestone",
            lineOfEffort = "meetings",
            actors = new[] { "coalition", "italy" },
            deadline = new { precision = "open-ended", description = "as soon as circumstances permit" },
            statedIn = new { documentKey = "washington-2024", quote = "as soon as circumstances permit" },
            statedOn = "2020-06-04"
        }, 201);

        var commitment = await Api.ReadCommitment("ministerial-in-italy");
        commitment.GetProperty("deadline").GetProperty("precision").GetString().ShouldBe("open-ended");
        commitment.GetProperty("statedOn").GetString().ShouldBe("2020-06-04");
    }

    [Fact]
    public async Task an_unknown_commitment_is_a_404()
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/api/commitments/no-such-thing");
            s.StatusCodeShouldBe(404);
        });

        result.ReadProblem(404);
    }
}
