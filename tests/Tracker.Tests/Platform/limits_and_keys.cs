using Alba;
using Marten.Events;
using JasperFx;
using JasperFx.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Tracker.Api.Commitments.Stating;
using Tracker.Api.Security;
using Tracker.Tests.Commitments;
using Tracker.Tests.Documents;
using Tracker.Tests.ReadModels;
using Tracker.Tests.Support;

namespace Tracker.Tests.Platform;

public sealed class limits_and_keys(TrackerApp app) : TrackerTest(app)
{
    [Fact]
    public async Task responses_carry_security_headers()
    {
        var result = await Api.Scenario(s => s.Get.Url("/api/documents"));

        var headers = result.Context.Response.Headers;
        headers["X-Content-Type-Options"].ToString().ShouldBe("nosniff");
        headers["X-Frame-Options"].ToString().ShouldBe("DENY");
        headers["Referrer-Policy"].ToString().ShouldBe("no-referrer");
        headers["Content-Security-Policy"].ToString().ShouldContain("default-src 'none'");
    }

    [Theory]
    [InlineData("/favicon.ico")]
    [InlineData("/nothing/here")]
    public async Task a_path_nothing_serves_is_a_404_allowed_nothing_and_not_stored(string path)
    {
        // (Until 2026-12-07 only the API's, the probes' and the dashboard's paths were given a policy.)
        var result = await Api.Scenario(s =>
        {
            s.Get.Url(path);
            s.StatusCodeShouldBe(404);
        });

        var headers = result.Context.Response.Headers;
        headers["Content-Security-Policy"].ToString().ShouldBe("default-src 'none'; frame-ancestors 'none'");
        headers.CacheControl.ToString().ShouldBe("no-store");
        headers["X-Content-Type-Options"].ToString().ShouldBe("nosniff");
    }

    [Fact]
    public async Task an_answer_made_from_an_exception_carries_the_security_headers_and_is_not_stored()
    {
        // A malformed If-Match is refused by an exception, whose handler starts from a cleared response (until 2026-12-07
        // such answers, lost races' 409s among them, went out without these, and with "no-cache,no-store", Pragma, Expires).
        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/api/documents");
            s.WithRequestHeader("If-Match", "abc");
            s.StatusCodeShouldBe(400);
        });

        var headers = result.Context.Response.Headers;
        headers["X-Content-Type-Options"].ToString().ShouldBe("nosniff");
        headers["X-Frame-Options"].ToString().ShouldBe("DENY");
        headers["Content-Security-Policy"].ToString().ShouldContain("default-src 'none'");
        headers.CacheControl.ToString().ShouldBe("no-store");
        headers.ContainsKey("Pragma").ShouldBeFalse();
        headers.ContainsKey("Expires").ShouldBeFalse();
    }

    [Fact]
    public async Task cors_is_closed_unless_dashboard_origins_are_configured()
    {
        var preflight = await Api.Scenario(s =>
        {
            s.WithRequestHeader("Origin", "https://elsewhere.example.org");
            s.WithRequestHeader("Access-Control-Request-Method", "POST");
            s.Get.Url("/api/documents");
            s.ConfigureHttpContext(c => c.Request.Method = "OPTIONS");
            s.IgnoreStatusCode();
        });

        preflight.Context.Response.Headers.ContainsKey("Access-Control-Allow-Origin").ShouldBeFalse();
    }

    [Fact]
    public async Task a_body_over_the_limit_is_a_413_problem()
    {
        var result = await Api.Scenario(s =>
        {
            s.Post.Text(new string('x', 1024 * 1024 + 1)).ToUrl("/api/documents");
            s.WithRequestHeader("Content-Type", "application/json");
            s.StatusCodeShouldBe(413);
        });

        var problem = result.ReadProblem(413);
        problem.Type.ShouldBe("https://commitment-tracker.dev/problems/body-too-large");
        problem.Detail.ShouldBe("Request bodies are limited to 1,048,576 bytes (Limits:MaxRequestBodyBytes).");
    }

    [Fact]
    public async Task the_servers_own_413_for_a_chunked_body_is_said_in_the_same_words()
    {
        // Kestrel counts a chunked body as it arrives and fails the read in its own words; the test server sets no limit,
        // so its problem is handed to the service's problem writer as Kestrel's would be.
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = Api.Services };
        http.Response.Body = new MemoryStream();
        http.Response.StatusCode = 413;
        await Api.Services.GetRequiredService<Microsoft.AspNetCore.Http.IProblemDetailsService>().WriteAsync(new()
        {
            HttpContext = http,
            ProblemDetails = new() { Status = 413, Detail = "Request body too large. The max request body size is 1048576 bytes." }
        });

        http.Response.Body.Position = 0;
        var written = System.Text.Json.JsonDocument.Parse(http.Response.Body).RootElement;
        // Until 2026-12-06 the server's wording.
        written.GetProperty("detail").GetString().ShouldBe("Request bodies are limited to 1,048,576 bytes (Limits:MaxRequestBodyBytes).");
        written.GetProperty("type").GetString().ShouldBe("https://commitment-tracker.dev/problems/body-too-large");
    }

    [Theory]
    [InlineData("tab\tadmin")]
    [InlineData("two\nlines")]
    [InlineData("report\u202Etxt")]
    [InlineData(" ")]
    [InlineData("-leading-dash")]
    [InlineData("")]
    // An accent sent apart from a Latin letter reads as the letter with it, another name's spelling.
    [InlineData("re\u0301sume\u0301")]
    [InlineData("a.\u0301b")]
    [InlineData("1\u0301")]
    [InlineData("Але\u0308на")]
    [InlineData("α\u0301")]
    // Letters drawn as others are: the Kelvin sign, the Ohm sign, a full-width letter.
    [InlineData("\u212Aelvin1")]
    [InlineData("\u2126mega")]
    [InlineData("\uFF41lice")]
    public async Task a_key_name_that_would_not_read_the_same_in_the_log_is_refused(string name)
    {
        // The name is the actor of every write made with the key: until 2026-12-06 a tab, a line break or a right-to-left
        // override went into the history, the feed and the CSVs with it.
        var store = Api.Services.GetRequiredService<ApiKeyStore>();

        var refused = await Should.ThrowAsync<KeyRefused>(() => store.Create(name, [Roles.Monitor], CancellationToken.None));

        refused.Message.ShouldContain("digits and . - _ @");
        (await store.List(CancellationToken.None)).ShouldNotContain(k => k.Name == name);
    }

    [Theory]
    [InlineData("राम")]
    [InlineData("தமிழ்")]
    [InlineData("สมศักดิ์")]
    [InlineData("𞤀𞤣𞤤𞤢𞤥")]
    public async Task a_key_named_in_a_script_whose_letters_carry_marks_or_lie_past_the_first_plane_is_created(string name)
    {
        // Until 2026-12-06 a vowel sign or a virama (a mark), and a letter written as two UTF-16 halves, were refused as
        // not letters, though the rule promised letters of any script.
        var store = Api.Services.GetRequiredService<ApiKeyStore>();

        await store.Create(name, [Roles.Monitor], CancellationToken.None);

        (await store.List(CancellationToken.None)).ShouldContain(k => k.Name == name);
    }

    [Fact]
    public async Task a_key_named_in_any_script_with_a_role_given_twice_keeps_the_role_once()
    {
        var store = Api.Services.GetRequiredService<ApiKeyStore>();

        await store.Create("müller.bot@bmz", [Roles.Monitor, Roles.Monitor], CancellationToken.None);

        (await store.List(CancellationToken.None)).Single(k => k.Name == "müller.bot@bmz").Roles.ShouldBe([Roles.Monitor]);
    }

    [Fact]
    public async Task a_key_name_is_one_whatever_its_case_and_is_revoked_in_any_case()
    {
        // Until 2026-12-06 "probe3" and "PROBE3" were two keys, two holders whose writes read alike.
        var store = Api.Services.GetRequiredService<ApiKeyStore>();
        var key = await Api.KeyFor("probe3", Roles.Viewer);
        // Used once, so this node holds it as live.
        await Api.Scenario(s => { s.Get.Url("/api/me"); s.WithRequestHeader("X-Api-Key", key); s.StatusCodeShouldBe(200); });

        var refused = await Should.ThrowAsync<KeyRefused>(() => store.Create("PROBE3", [Roles.Admin], CancellationToken.None));
        var revoked = await store.Revoke("Probe3", CancellationToken.None);

        refused.Message.ShouldContain("A key named 'probe3' exists, which is this name written otherwise");
        revoked.ShouldBeTrue();
        (await store.List(CancellationToken.None)).Single(k => k.Name == "probe3").RevokedAt.ShouldNotBeNull();
        (await Api.Scenario(s => { s.Get.Url("/api/me"); s.WithRequestHeader("X-Api-Key", key); s.StatusCodeShouldBe(401); })).ReadProblem(401);
    }

    [Fact]
    public async Task a_key_name_outside_ascii_is_one_whatever_its_case_and_two_creations_at_once_make_one_key()
    {
        // Until 2026-12-06 the names were compared by the database's lower(), which folds only ASCII letters where the
        // character type is C, and checked before the insert without a lock.
        var store = Api.Services.GetRequiredService<ApiKeyStore>();
        await store.Create("müller.bot", [Roles.Monitor], CancellationToken.None);

        var refused = await Should.ThrowAsync<KeyRefused>(() => store.Create("MÜLLER.BOT", [Roles.Admin], CancellationToken.None));
        var raced = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            try
            {
                await store.Create(i % 2 == 0 ? "straße-bot" : "STRASSE-BOT", [Roles.Viewer], CancellationToken.None);
                return true;
            }
            catch (KeyRefused)
            {
                return false;
            }
        }));

        refused.Message.ShouldContain("A key named 'müller.bot' exists, which is this name written otherwise");
        raced.Count(created => created).ShouldBe(1);
        (await store.List(CancellationToken.None)).Count(k => NameSpellings.SameName(k.Name, "strasse-bot")).ShouldBe(1);
        (await store.Revoke("Müller.Bot", CancellationToken.None)).ShouldBeTrue();
    }

    [Fact]
    public async Task two_keys_whose_names_differ_only_in_case_from_before_are_revoked_by_their_exact_name_only()
    {
        // A database from before names were one whatever their case may hold both: another case revokes neither.
        var store = Api.Services.GetRequiredService<ApiKeyStore>();
        await Api.KeyFor("twin", Roles.Viewer);
        await using (var insert = Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
                         "insert into tracker.api_keys (name, key_hash, roles) values ('TWIN', 'not-a-real-hash', 'admin')"))
        {
            await insert.ExecuteNonQueryAsync();
        }

        (await store.Revoke("Twin", CancellationToken.None)).ShouldBeFalse();
        (await store.Revoke("TWIN", CancellationToken.None)).ShouldBeTrue();

        var keys = await store.List(CancellationToken.None);
        keys.Single(k => k.Name == "twin").RevokedAt.ShouldBeNull();
        keys.Single(k => k.Name == "TWIN").RevokedAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task the_command_line_refuses_roles_given_twice_and_says_the_roles_it_kept()
    {
        // Until 2026-12-06 the second --roles silently replaced the first (an auditor's key for "monitor and auditor"), and
        // the confirmation echoed the roles as typed ("monitor,").
        var (twiceExit, twice) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "create", "--name", "twice-bot",
            "--roles", "monitor", "--roles", "auditor");
        var (onceExit, once) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "create", "--name", "once-bot",
            "--roles", "monitor,,auditor,monitor");
        // In any spelling of the flag, and the name too (until later that day "--roles=monitor --roles auditor" and a name
        // given twice kept the last without a word).
        var (equalsExit, equals) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "create", "--name", "equals-bot",
            "--roles=monitor", "--roles", "auditor");
        var (namesExit, names) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "create", "--name", "alpha-bot",
            "--Name", "beta-bot", "--roles", "viewer");
        // A revocation names the key as stored, where another case of its name was given (until 2026-12-06 as typed).
        var (revokeExit, revoke) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "revoke", "--name", "ONCE-BOT");

        twiceExit.ShouldBe(1);
        twice.ShouldContain("--roles is given more than once");
        (await Api.Services.GetRequiredService<ApiKeyStore>().List(CancellationToken.None)).ShouldNotContain(k => k.Name == "twice-bot");
        onceExit.ShouldBe(0, once);
        once.ShouldContain("Created key 'once-bot' (monitor,auditor).");
        equalsExit.ShouldBe(1, equals);
        equals.ShouldContain("--roles is given more than once");
        namesExit.ShouldBe(1, names);
        names.ShouldContain("--name is given more than once");
        (await Api.Services.GetRequiredService<ApiKeyStore>().List(CancellationToken.None))
            .ShouldNotContain(k => k.Name == "equals-bot" || k.Name == "alpha-bot" || k.Name == "beta-bot");
        revokeExit.ShouldBe(0, revoke);
        revoke.ShouldContain("Revoked 'once-bot'.", Case.Sensitive);
        // A key's roles are chosen, not defaulted (until 2026-12-06 a key made without --roles was a viewer's without a
        // word), and the list takes no flags (a --name was passed over).
        var (unroledExit, unroled) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "create", "--name", "unroled-bot");
        unroledExit.ShouldBe(1, unroled);
        unroled.ShouldContain("give its roles with --roles");
        (await Api.Services.GetRequiredService<ApiKeyStore>().List(CancellationToken.None)).ShouldNotContain(k => k.Name == "unroled-bot");
        var (listExit, list) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "list", "--name", "x");
        listExit.ShouldBe(1, list);
        list.ShouldContain("list takes no flags (it was given --name)");
        list.ShouldContain("Usage: api-keys");
        // Revoking "one role" revoked the whole key (until 2026-12-06): a key's roles do not change, so --roles is refused.
        await Api.KeyFor("kept-bot", Roles.Monitor);
        foreach (var roles in new[] { "auditor", "" })
        {
            var (roleExit, role) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "revoke", "--name", "kept-bot", "--roles", roles);
            roleExit.ShouldBe(1, role);
            role.ShouldContain("Nothing revoked: revoke takes no --roles");
        }
        (await Api.Services.GetRequiredService<ApiKeyStore>().List(CancellationToken.None)).Single(k => k.Name == "kept-bot").RevokedAt.ShouldBeNull();
        var (unknownExit, unknown) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "rotate", "--name", "once-bot");
        unknownExit.ShouldBe(1, unknown);
        unknown.ShouldContain("'rotate' is not an api-keys action: create, revoke or list.");
        var (noSuchExit, noSuch) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "revoke", "--name", "never-made-bot");
        noSuchExit.ShouldBe(1, noSuch);
        noSuch.ShouldContain("Nothing revoked: no key was created by the name 'never-made-bot'");
        // Which of the two (until 2026-12-07 "none was created by that name, or it is revoked already").
        var (againExit, again) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "revoke", "--name", "once-bot");
        againExit.ShouldBe(1, again);
        again.ShouldContain("Nothing revoked: the key 'once-bot' was revoked already, at ");
        // The last live admin key revoked is said, though the command can always make another.
        (await Api.Services.GetRequiredService<ApiKeyStore>().List(CancellationToken.None))
            .ShouldNotContain(k => k.RevokedAt == null && k.Roles.Contains(Roles.Admin));
        await Api.KeyFor("last-admin", Roles.Admin);
        var (lastExit, last) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "revoke", "--name", "last-admin");
        lastExit.ShouldBe(0, last);
        last.ShouldContain("No live API key has the admin role now");
        revoke.ShouldNotContain("No live API key has the admin role now");
        var (namelessExit, nameless) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "create", "--roles", "monitor");
        namelessExit.ShouldBe(1, nameless);
        nameless.ShouldContain("create needs the key's --name.");
        // Help asked for after the command is its help (until 2026-12-06 "--help" was refused as an unknown flag).
        foreach (var asked in new[] { new[] { "api-keys", "--help" }, new[] { "api-keys", "-h" } })
        {
            var (_, help) = await CommandLine.Run(TestDatabase.ConnectionString(), asked);
            help.ShouldContain("Comma-separated roles for a new key", customMessage: string.Join(' ', asked));
            help.ShouldNotContain("Unknown argument");
        }
    }

    [Fact]
    public async Task a_revoked_key_is_refused()
    {
        var key = await Api.KeyFor("leaving-bot", Roles.Monitor);
        await Api.RegisterDocument(DocumentScenarios.Washington2024(), apiKey: key);

        await Api.Services.GetRequiredService<ApiKeyStore>().Revoke("leaving-bot", CancellationToken.None);

        var refused = await Api.RegisterDocument(DocumentScenarios.Washington2024("rome-2021"), apiKey: key, expectedStatus: 401);
        refused.ReadProblem(401);
    }

    [Fact]
    public async Task a_revoked_key_still_in_use_is_refused_as_an_unknown_one_and_said_to_the_operator_once_a_minute()
    {
        var lines = new LogCapture();
        await using var node = await TrackerApp.StartHostWith("Development", services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(lines));
        var key = await node.KeyFor("moved-on-bot", Roles.Viewer);
        await node.Services.GetRequiredService<ApiKeyStore>().Revoke("moved-on-bot", CancellationToken.None);
        async Task<string?> Refusal(string presented) => (await node.Scenario(s =>
        {
            s.Get.Url("/api/me");
            s.WithRequestHeader("X-Api-Key", presented);
            s.StatusCodeShouldBe(401);
        })).ReadProblem(401).Detail;

        var revoked = await Refusal(key);
        var again = await Refusal(key);
        var unknown = await Refusal("ct_" + new string('x', 43));

        // The client is told nothing of which keys existed.
        revoked.ShouldBe(unknown);
        again.ShouldBe(unknown);
        // Until 2026-12-07 the operator could not tell a revoked key in use (a client not moved on, a leaked key) from a typo.
        var said = lines.Entries.Where(e => e.Message.StartsWith("A revoked API key was presented")).ToList();
        said.Count.ShouldBe(1);
        said[0].Level.ShouldBe(Microsoft.Extensions.Logging.LogLevel.Warning);
        said[0].Message.ShouldContain("key:moved-on-bot, revoked at ");
        lines.Entries.ShouldNotContain(e => e.Message.Contains(key));
    }

    [Fact]
    public async Task a_key_revoked_by_the_command_line_is_refused_by_every_running_node_within_moments()
    {
        var key = await Api.KeyFor("leaked-bot", Roles.Viewer);
        await using var otherNode = await TrackerApp.StartAnotherHost();
        async Task<int> Status(IAlbaHost node) => (await node.Scenario(s =>
        {
            s.Get.Url("/api/me");
            s.WithRequestHeader("X-Api-Key", key);
            s.IgnoreStatusCode();
        })).Context.Response.StatusCode;
        // Each node has found the key live, and would believe it for 30 s without a word of its revocation.
        (await Status(Api)).ShouldBe(200);
        (await Status(otherNode)).ShouldBe(200);

        var (exitCode, output) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "revoke", "--name", "leaked-bot");

        exitCode.ShouldBe(0, output);
        foreach (var node in new[] { Api, otherNode })
        {
            await Eventually.Until(() => Status(node), status => status == 401, TimeSpan.FromSeconds(10));
        }
    }

    [Theory]
    [InlineData("--name", "taken-bot", "--roles", "viewer", "A key named 'taken-bot' exists")]
    [InlineData("--name", "another-bot", "--roles", "superuser", "Unknown roles: superuser")]
    public async Task a_key_the_command_line_cannot_create_is_one_line_not_a_stack_trace(string nameFlag, string name,
        string rolesFlag, string roles, string said)
    {
        await Api.KeyFor("taken-bot", Roles.Viewer);

        var (exitCode, output) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "create", nameFlag, name, rolesFlag, roles);

        exitCode.ShouldBe(1);
        output.ShouldContain(said);
        output.ShouldNotContain(" at ");
        output.ShouldNotContain("Exception");
    }

    [Fact]
    public async Task keys_are_stored_only_as_hashes()
    {
        var key = await Api.KeyFor("hash-check", Roles.Viewer);

        await using var command = Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>()
            .CreateCommand("select key_hash from tracker.api_keys where name = 'hash-check'");
        var stored = (string)(await command.ExecuteScalarAsync())!;
        stored.ShouldNotContain(key);
        stored.ShouldBe(ApiKeyStore.Hash(key));
    }

    [Fact]
    public async Task the_command_line_creates_a_key_that_works()
    {
        var (exitCode, output) = await CommandLine.Run(TestDatabase.ConnectionString(), "api-keys", "create", "--name", "ingest-bot",
            "--roles", "monitor");

        exitCode.ShouldBe(0, output);
        var key = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("ct_"));
        var result = await Api.RegisterDocument(DocumentScenarios.Washington2024(), apiKey: key);
        await using var session = Store.QuerySession();
        (await session.Events.FetchStreamAsync(Tracker.Domain.StreamIds.ForDocument("washington-2024"))).Single()
            .UserName.ShouldBe("key:ingest-bot");
        result.Context.Response.StatusCode.ShouldBe(201);
    }

    [Fact]
    public async Task an_api_key_header_given_twice_is_refused_even_beside_a_valid_key()
    {
        using var client = Api.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.TryAddWithoutValidation("X-Api-Key", new[] { TestIdentities.DemoKey(Roles.Viewer), "" });

        using var response = await client.SendAsync(request);

        ((int)response.StatusCode).ShouldBe(401);
    }

    [Fact]
    public async Task the_command_line_without_a_database_says_which_setting_to_give_in_one_line_not_a_stack_trace()
    {
        var (exitCode, output) = await CommandLine.Run("", "api-keys", "list");

        exitCode.ShouldBe(1);
        output.Trim().ShouldStartWith("Tracker.Api cannot start: No database configured: set ConnectionStrings:Tracker");
        output.ShouldNotContain(" at ");
        output.ShouldNotContain("Exception");
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=1;Username=nobody;Password=none;Timeout=3", "the database does not answer")]
    [InlineData("garbage", "ConnectionStrings:Tracker is not a connection string PostgreSQL takes")]
    [InlineData("Host=localhost;Port=abc", "ConnectionStrings:Tracker is not a connection string PostgreSQL takes")]
    public async Task the_command_line_against_a_database_it_cannot_use_says_why_in_one_line_not_a_stack_trace(string connection, string said)
    {
        var (exitCode, output) = await CommandLine.Run(connection, "api-keys", "list");

        exitCode.ShouldBe(1);
        output.ShouldContain($"Tracker.Api cannot start: {said}");
        output.ShouldNotContain("   at "); // a stack trace's frames
        output.ShouldNotContain("Exception");
    }

    [Fact]
    public async Task a_node_whose_clock_is_off_from_the_databases_is_not_ready()
    {
        // Its events would carry its time, and verification names every event dated more than five minutes from when the
        // database recorded it, for good (since 2026-12-06).
        var guards = new Tracker.Api.Infrastructure.Health.LogGuardsCheck(Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>(),
            Api.Services.GetRequiredService<IHostEnvironment>(), Api.Services.GetRequiredService<Tracker.Api.Audit.Checkpoints.CheckpointSigner>(),
            new ShiftedClock(TimeSpan.FromMinutes(-3)), Api.Services.GetRequiredService<Tracker.Api.Audit.Checkpoints.CheckpointMemory>());

        var result = await guards.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());

        result.Status.ShouldBe(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy);
        result.Description.ShouldNotBeNull().ShouldStartWith("This process's clock is 180 s behind the database's");
        ((double)result.Data["clockOffsetSeconds"]).ShouldBe(-180, tolerance: 5);
        // In step, the same check is ready on that count.
        var inStep = await new Tracker.Api.Infrastructure.Health.LogGuardsCheck(Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>(),
                Api.Services.GetRequiredService<IHostEnvironment>(), Api.Services.GetRequiredService<Tracker.Api.Audit.Checkpoints.CheckpointSigner>(),
                TimeProvider.System, Api.Services.GetRequiredService<Tracker.Api.Audit.Checkpoints.CheckpointMemory>())
            .CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());
        inStep.Description.ShouldNotBeNull().ShouldNotContain("clock");
        ((double)inStep.Data["clockOffsetSeconds"]).ShouldBe(0, tolerance: 5);
    }

    private sealed class ShiftedClock(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + by;
    }

    [Fact]
    public async Task readiness_says_in_words_that_the_database_does_not_answer_and_why()
    {
        // Both of readiness's checks against a server that refuses the connection: the reason, not the driver's
        // "Exception while writing to stream" or a stack trace.
        const string refusing = "Host=127.0.0.1;Port=1;Username=nobody;Password=none;Timeout=3";
        await using var database = Npgsql.NpgsqlDataSource.Create(refusing);
        using var store = Marten.DocumentStore.For(options =>
        {
            options.Connection(refusing);
            options.DatabaseSchemaName = Tracker.Api.Infrastructure.TrackerDatabase.Schema;
        });
        var readiness = new Tracker.Api.Infrastructure.Health.ReadinessCheck(store, Api.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>(),
            Api.Services.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>(),
            Api.Services.GetRequiredService<JasperFx.Events.Daemon.IProjectionCoordinator>(), TimeProvider.System, database);
        var guards = new Tracker.Api.Infrastructure.Health.LogGuardsCheck(database, Api.Services.GetRequiredService<IHostEnvironment>(),
            Api.Services.GetRequiredService<Tracker.Api.Audit.Checkpoints.CheckpointSigner>(), TimeProvider.System,
            Api.Services.GetRequiredService<Tracker.Api.Audit.Checkpoints.CheckpointMemory>());

        var ready = await readiness.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());
        var log = await guards.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());

        ready.Status.ShouldBe(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy);
        ready.Description.ShouldBe("The database does not answer (Failed to connect to 127.0.0.1:1: Connection refused)");
        ready.Exception.ShouldBeNull();
        log.Status.ShouldBe(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy);
        log.Description.ShouldBe("Could not check the log's guards: the database does not answer (Failed to connect to 127.0.0.1:1: Connection refused)");
        log.Exception.ShouldBeNull();
    }

    [Fact]
    public async Task a_probe_with_a_key_while_the_keys_cannot_be_read_is_answered_as_readiness_answers_a_caller_without_one()
    {
        // The keys' table out of reach (the database away for this node's key lookups): a probe's key is taken as no key.
        await using var refusing = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=nobody;Password=none;Timeout=3");
        await using var node = await TrackerApp.StartHostWith("Development", services =>
            services.AddSingleton(new ApiKeyStore(refusing, TimeProvider.System)));

        var probe = await node.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.WithRequestHeader("X-Api-Key", "ct_a-load-balancers-key");
            s.IgnoreStatusCode();
        });
        var read = await node.Scenario(s =>
        {
            s.Get.Url("/api/me");
            s.WithRequestHeader("X-Api-Key", "ct_a-load-balancers-key");
            s.StatusCodeShouldBe(503);
        });

        // Until 2026-12-07 the API's 503 problem, not readiness's own body.
        probe.Context.Response.ContentType.ShouldBe("application/json");
        probe.ReadAsText().ShouldBe("""{"status":"Healthy"}""");
        // Elsewhere the request cannot be told who it is: the outage's 503, as before.
        read.ReadProblem(503).Type.ShouldBe(Tracker.Api.Infrastructure.ProblemTypes.DatabaseUnavailable);
    }

    [Fact]
    public async Task the_catalogue_import_run_from_another_folder_signs_no_checkpoint_and_makes_no_key_of_its_own()
    {
        var folder = Directory.CreateTempSubdirectory("tracker-import-").FullName;
        var file = Path.Combine(folder, "one.json");
        await File.WriteAllTextAsync(file, """
            { "name": "One", "documents": [ { "key": "summit-2025", "title": "Summit", "publishedOn": "2025-03-01", "kind": "communique", "primary": true } ] }
            """);

        // Without the test run's key: the import would have read or made one under its folder, and signed with it.
        var (exitCode, output) = await CommandLine.RunIn(folder,
            new Dictionary<string, string?> { ["Audit__Checkpoints__SigningKey"] = null, ["Audit__Checkpoints__Interval"] = "00:00:00.2",
                                              ["Audit__Checkpoints__SettleTime"] = "00:00:00" },
            TestDatabase.ConnectionString(), "catalogue-import", "--path", file);

        exitCode.ShouldBe(0, output);
        Directory.Exists(Path.Combine(folder, ".data")).ShouldBeFalse();
        await using var command = Api.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand("select count(*) from tracker.log_checkpoints");
        ((long)(await command.ExecuteScalarAsync())!).ShouldBe(0);
    }

    [Fact]
    public async Task writes_beyond_the_rate_limit_are_a_429_with_retry_after_and_the_bootstrap_key_is_an_admin()
    {
        await using var limited = await TrackerApp.StartAnotherHost(("RateLimits:WritesPerMinute", "2"),
            ("Auth:BootstrapAdminKey", "bootstrap-secret-for-tests"), ("Cors:Origins:0", "https://dashboard.example.org"));

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var result = await limited.Scenario(s =>
            {
                s.Post.Json(DocumentScenarios.Washington2024($"doc-{i}")).ToUrl("/api/documents");
                s.WithRequestHeader("X-Api-Key", "bootstrap-secret-for-tests");
                s.IgnoreStatusCode();
            });
            statuses.Add(result.Context.Response.StatusCode);
            if (result.Context.Response.StatusCode == 429)
            {
                // When to try again, in the header and in words (until 2026-12-06 "after the Retry-After delay").
                var seconds = result.Context.Response.Headers.RetryAfter.ToString();
                // Two a minute: the next in half a minute (until 2026-12-07 always the fixed window's whole 60).
                seconds.ShouldBe("30");
                result.ReadProblem(429).Detail.ShouldNotBeNull().ShouldContain($"retry in {seconds} seconds (Retry-After)");
            }
        }

        statuses.ShouldBe([201, 201, 429]);
        await using var session = Store.QuerySession();
        (await session.Events.FetchStreamAsync(Tracker.Domain.StreamIds.ForDocument("doc-0"))).Single()
            .UserName.ShouldBe("bootstrap-admin");

        var preflight = await limited.Scenario(s =>
        {
            s.WithRequestHeader("Origin", "https://dashboard.example.org");
            s.WithRequestHeader("Access-Control-Request-Method", "POST");
            s.Get.Url("/api/documents");
            s.ConfigureHttpContext(c => c.Request.Method = "OPTIONS");
            s.IgnoreStatusCode();
        });
        preflight.Context.Response.Headers["Access-Control-Allow-Origin"].ToString().ShouldBe("https://dashboard.example.org");

        // A page of that origin may read every header the API answers with: the page links among them (until 2026-12-06
        // a browser hid Link, Idempotent-Replayed and Content-Disposition from it).
        var read = await limited.Scenario(s =>
        {
            s.WithRequestHeader("Origin", "https://dashboard.example.org");
            s.Get.Url("/api/documents?pageSize=1");
        });
        read.Context.Response.Headers["Access-Control-Expose-Headers"].ToString().Split(',', StringSplitOptions.TrimEntries)
            .ShouldBe(["ETag", "Location", "X-Correlation-Id", "X-Tracker-View", "Retry-After", "Link", "Idempotent-Replayed",
                "Content-Disposition", "X-Tracker-Projection-Lag"], ignoreOrder: true);
    }

    [Fact]
    public async Task production_refuses_to_start_with_the_demo_keys()
    {
        JasperFxEnvironment.AutoStartHost = true;

        var refused = await Should.ThrowAsync<Exception>(() => AlbaHost.For<Program>(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:Tracker", TestDatabase.ConnectionString());
            builder.UseSetting("Auth:DemoKeys", "true");
        }));

        refused.ToString().ShouldContain("Auth:DemoKeys");
    }

    private static async Task<List<int>> Statuses(IAlbaHost host, int count, Action<Scenario> request)
    {
        var statuses = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var result = await host.Scenario(s =>
            {
                request(s);
                s.IgnoreStatusCode();
            });
            statuses.Add(result.Context.Response.StatusCode);
            if (result.Context.Response.StatusCode == 429)
            {
                result.Context.Response.Headers.RetryAfter.ToString().ShouldNotBeNullOrEmpty();
                result.ReadProblem(429);
            }
        }
        return statuses;
    }

    [Fact]
    public async Task guessing_keys_is_limited_per_address_and_then_even_a_good_key_waits()
    {
        await using var limited = await TrackerApp.StartAnotherHost(("RateLimits:FailedSignInsPerMinute", "3"));

        var guesses = await Statuses(limited, 5, s =>
        {
            s.Get.Url("/api/documents");
            s.WithRequestHeader("X-Api-Key", $"guess-{Guid.NewGuid()}");
        });
        var good = await Statuses(limited, 1, s => s.Get.Url("/api/documents"));

        guesses.ShouldBe([401, 401, 401, 429, 429]);
        good.ShouldBe([429]);
        // The time left on the block, which began with the third guess: under the minute a second later, not the whole of
        // it again (until 2026-12-07 always 60).
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var waiting = await limited.Scenario(s =>
        {
            s.Get.Url("/api/documents");
            s.WithRequestHeader("X-Api-Key", TestIdentities.DemoKey("viewer"));
            s.StatusCodeShouldBe(429);
        });
        int.Parse(waiting.Context.Response.Headers.RetryAfter.ToString()).ShouldBeInRange(1, 59);
    }

    [Fact]
    public async Task a_health_probe_with_a_stale_key_is_always_answered_and_its_guesses_still_count()
    {
        // Until 2026-12-07 the fourth probe here was a 429: a load balancer sending a stale key took the node out of rotation.
        await using var limited = await TrackerApp.StartAnotherHost(("RateLimits:FailedSignInsPerMinute", "3"));
        void Probe(Scenario s, string key)
        {
            s.Get.Url("/health/ready");
            s.WithRequestHeader("X-Api-Key", key);
            s.IgnoreStatusCode();
        }

        var probes = await Statuses(limited, 6, s => Probe(s, "stale-key"));
        var api = await Statuses(limited, 1, s => s.Get.Url("/api/documents"));
        var goodProbe = await limited.Scenario(s => Probe(s, TestIdentities.DemoKey("viewer")));

        probes.ShouldBe([200, 200, 200, 200, 200, 200]);
        api.ShouldBe([429]);
        // While the address is blocked a probe's key is not looked at: the status alone, as to a caller without one.
        goodProbe.Context.Response.StatusCode.ShouldBe(200);
        goodProbe.Json().EnumerateObject().Select(p => p.Name).ShouldBe(["status"]);
    }

    [Fact]
    public async Task anonymous_reads_are_limited_per_address_and_reads_with_a_key_are_not()
    {
        await using var limited = await TrackerApp.StartAnotherHost(("RateLimits:AnonymousReadsPerMinute", "2"));

        var anonymous = await Statuses(limited, 3, s =>
        {
            s.Get.Url("/api/documents");
            s.WithRequestHeader(TestIdentities.AnonymousMarker, "yes");
        });
        var withKey = await Statuses(limited, 3, s => s.Get.Url("/api/documents"));

        anonymous.ShouldBe([200, 200, 429]);
        withKey.ShouldBe([200, 200, 200]);
    }

    [Fact]
    public async Task a_kept_checkpoint_sent_for_verification_is_small()
    {
        // It holds one of the heavy reads' few places while it arrives: a body the size of any other write's could hold it
        // for an hour at Kestrel's least pace.
        var refused = await Api.Scenario(s =>
        {
            s.Post.Text($"{{\"note\": \"{new string('x', 70 * 1024)}\"}}").ToUrl("/api/audit/verify");
            s.WithRequestHeader("Content-Type", "application/json");
            s.StatusCodeShouldBe(413);
        });

        refused.ReadProblem(413).Detail.ShouldBe("A kept checkpoint is at most 65,536 bytes; send it as published.");
    }

    /// <summary>A history whose CSV (about 180 KB) is more than the test connection takes before it waits for its reader.</summary>
    private async Task ALongHistory()
    {
        await Api.StatedTheStabilisationGoal();
        for (var report = 0; report < 40; report++)
        {
            await Api.Write($"/api/commitments/{CommitmentScenarios.Goal}/progress", new
            {
                figure = 200_000_000m + report, currency = "USD", comparator = "more-than", asOf = "2024-09-30",
                note = new string('n', 1990) + $" {report}", source = CommitmentScenarios.Source
            });
        }
    }

    [Fact]
    public async Task heavy_answers_held_for_a_client_that_does_not_read_them_are_bounded_and_leave_the_others_theirs()
    {
        await ALongHistory();
        await using var node = await TrackerApp.StartAnotherHost();
        using var auditor = node.Server.CreateClient();
        auditor.DefaultRequestHeaders.Add("X-Api-Key", TestIdentities.DemoKey(Roles.Auditor));
        using var admin = node.Server.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", TestIdentities.DemoKey(Roles.Admin));
        var stalled = new List<HttpResponseMessage>();
        for (var i = 0; i < HeavyReadsBuffered.HeldPerClient; i++)
        {
            stalled.Add(await auditor.GetAsync($"/api/commitments/{CommitmentScenarios.Goal}/history.csv", HttpCompletionOption.ResponseHeadersRead));
        }

        // Each held answer keeps memory and a file until it is read: past its share, a client's heavy read is refused...
        using (var refused = await auditor.GetAsync($"/api/commitments/{CommitmentScenarios.Goal}/trend"))
        {
            ((int)refused.StatusCode).ShouldBe(429);
            refused.Headers.RetryAfter.ShouldNotBeNull();
            (await refused.Content.ReadAsStringAsync()).ShouldContain("for one client");
        }
        // ...while another client's heavy reads, and every light read, are answered (until 2026-12-08, one client's
        // stalled downloads could take every place, the public commitment page's trend included).
        (await admin.GetAsync($"/api/commitments/{CommitmentScenarios.Goal}/trend")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await auditor.GetAsync($"/api/commitments/{CommitmentScenarios.Goal}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);

        foreach (var download in stalled) download.Dispose();
        var trend = System.Net.HttpStatusCode.TooManyRequests;
        for (var attempt = 0; attempt < 100 && trend != System.Net.HttpStatusCode.OK; attempt++)
        {
            if (attempt > 0) await Task.Delay(100);
            trend = (await auditor.GetAsync($"/api/commitments/{CommitmentScenarios.Goal}/trend")).StatusCode;
        }
        trend.ShouldBe(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_download_its_client_does_not_read_gives_its_heavy_place_back_once_it_is_produced()
    {
        await ALongHistory();
        await using var limited = await TrackerApp.StartAnotherHost(("RateLimits:HeavyReadsAtOnce", "1"));
        using var client = limited.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", TestIdentities.DemoKey(Roles.Auditor));

        // Larger than what the connection takes before it waits for its reader, and never read.
        using var stalled = await client.GetAsync($"/api/commitments/{CommitmentScenarios.Goal}/history.csv", HttpCompletionOption.ResponseHeadersRead);
        stalled.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        stalled.Content.Headers.ContentLength.ShouldNotBeNull().ShouldBeGreaterThan(80_000);

        // Until 2026-12-08 the download kept the one place until it was read, and this waited behind it for good.
        var trend = await client.GetAsync($"/api/commitments/{CommitmentScenarios.Goal}/trend").WaitAsync(TimeSpan.FromSeconds(60));
        trend.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        // The stalled download is still whole when its client reads it.
        (await stalled.Content.ReadAsStringAsync()).Length.ShouldBe((int)stalled.Content.Headers.ContentLength!.Value);
    }

    [Fact]
    public async Task a_heavy_answer_produced_for_a_client_that_went_away_is_logged_with_its_size()
    {
        await ALongHistory();
        var lines = new LogCapture(Microsoft.Extensions.Logging.LogLevel.Information);
        await using var node = await TrackerApp.StartHostWith("Development", services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(lines));
        using var client = node.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", TestIdentities.DemoKey(Roles.Auditor));

        // Produced whole, then left unread: the client goes away with it.
        var stalled = await client.GetAsync($"/api/commitments/{CommitmentScenarios.Goal}/history.csv", HttpCompletionOption.ResponseHeadersRead);
        var length = stalled.Content.Headers.ContentLength.ShouldNotBeNull();
        stalled.Dispose();

        // Until 2026-12-08 nothing said the work was done for nobody.
        await Eventually.Until(() => Task.FromResult(lines.Entries.Count(e => e.Message.StartsWith("A heavy answer of"))), count => count > 0);
        var said = lines.Entries.Single(e => e.Message.StartsWith("A heavy answer of"));
        said.Level.ShouldBe(Microsoft.Extensions.Logging.LogLevel.Information);
        said.Message.ShouldBe($"A heavy answer of {length} bytes to GET /api/commitments/{CommitmentScenarios.Goal}/history.csv was produced " +
                              "and not delivered: its client went away, or read slower than 1024 bytes a second after 10 s and was cut off");
    }

    [Fact]
    public async Task heavy_reads_beyond_the_ones_running_and_queued_are_a_429()
    {
        await Api.StatedTheStabilisationGoal();
        await using var limited = await TrackerApp.StartAnotherHost(("RateLimits:HeavyReadsAtOnce", "1"), ("RateLimits:HeavyReadsQueued", "0"));

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
            (await limited.Scenario(s =>
            {
                s.Get.Url("/api/audit/verify");
                s.IgnoreStatusCode();
            })).Context.Response));

        answers.Count(r => r.StatusCode == 200).ShouldBeGreaterThanOrEqualTo(1);
        answers.Where(r => r.StatusCode != 200).ShouldAllBe(r => r.StatusCode == 429 && r.Headers.RetryAfter.Count == 1);
        RateLimits.IsHeavyRead(new Microsoft.AspNetCore.Http.DefaultHttpContext { Request = { Method = "GET", Path = "/api/commitments", QueryString = new("?effectiveAsOf=2024-01-01") } }.Request)
            .ShouldBeTrue();
        // The verification against a kept checkpoint is the same read sent as POST: until 2026-12-06 it counted as a write,
        // passed this limit, and a burst of them took every connection.
        await Api.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var kept = await limited.Scenario(s =>
        {
            s.Post.Url("/api/admin/checkpoints");
            s.IgnoreStatusCode();
        });
        var latest = (await limited.Scenario(s => s.Get.Url("/api/audit/checkpoints/latest"))).ReadAsText();
        var posted = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
            (await limited.Scenario(s =>
            {
                s.Post.Text(latest).ToUrl("/API/audit/verify/");
                s.WithRequestHeader("Content-Type", "application/json");
                s.IgnoreStatusCode();
            })).Context.Response));
        kept.Context.Response.StatusCode.ShouldBe(201);
        posted.Count(r => r.StatusCode == 200).ShouldBeGreaterThanOrEqualTo(1);
        posted.Where(r => r.StatusCode != 200).ShouldAllBe(r => r.StatusCode == 429 && r.Headers.RetryAfter.Count == 1);
        posted.Count(r => r.StatusCode == 429).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task outside_development_the_service_sends_hsts_hides_scalar_and_tells_anonymous_callers_only_whether_it_is_ready()
    {
        await using var production = await TrackerApp.StartHostIn("Production", ("Auth:BootstrapAdminKey", "production-admin-key-for-tests"));

        var anonymous = await production.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.WithRequestHeader(TestIdentities.AnonymousMarker, "yes");
        });
        var operator_ = await production.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.WithRequestHeader("X-Api-Key", "production-admin-key-for-tests");
        });
        // A key that does not sign in is answered as no key is, not refused: a probe is not turned away by its headers.
        var mistyped = await production.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.WithRequestHeader("X-Api-Key", "not-a-key-anyone-holds");
            s.StatusCodeShouldBe(200);
        });
        var overHttps = await production.Scenario(s =>
        {
            s.Get.Url("/health/live");
            s.ConfigureHttpContext(c => c.Request.Scheme = "https");
        });
        var scalar = await production.Scenario(s =>
        {
            s.Get.Url("/scalar");
            s.WithRequestHeader("X-Api-Key", "production-admin-key-for-tests");
            s.StatusCodeShouldBe(404);
        });

        anonymous.Json().EnumerateObject().Select(p => p.Name).ShouldBe(["status"]);
        mistyped.Json().EnumerateObject().Select(p => p.Name).ShouldBe(["status"]);
        operator_.Json().GetProperty("checks").GetProperty("database").GetProperty("data").TryGetProperty("node", out _).ShouldBeTrue();
        overHttps.Context.Response.Headers.StrictTransportSecurity.ToString().ShouldContain("max-age=");
        anonymous.Context.Response.Headers.StrictTransportSecurity.Count.ShouldBe(0, "HSTS is sent over HTTPS only (RFC 6797)");
        scalar.Context.Response.StatusCode.ShouldBe(404);
        production.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>()
            .Value.AddServerHeader.ShouldBeFalse();
        // Each JSON log line says its time, in UTC (until 2026-12-07 none did, unless the container runtime added one).
        var lines = production.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.Extensions.Logging.Console.JsonConsoleFormatterOptions>>().CurrentValue;
        (lines.TimestampFormat, lines.UseUtcTimestamp, lines.IncludeScopes).ShouldBe(("yyyy-MM-ddTHH:mm:ss.fffZ", true, true));
    }

    [Fact]
    public async Task head_is_answered_wherever_get_is_with_the_same_status_and_no_body()
    {
        await Api.StatedTheStabilisationGoal();

        var head = await Api.Scenario(s =>
        {
            s.Get.Url("/api/commitments/stabilisation-394m");
            s.ConfigureHttpContext(c => c.Request.Method = "HEAD");
            s.StatusCodeShouldBe(200);
        });
        var missing = await Api.Scenario(s =>
        {
            s.Get.Url("/api/commitments/no-such-goal");
            s.ConfigureHttpContext(c => c.Request.Method = "HEAD");
            s.StatusCodeShouldBe(404);
        });

        // An export streams its body: its HEAD is still the GET's 200, not the 204 of an endpoint that wrote nothing.
        var export = await Api.Scenario(s =>
        {
            s.Get.Url("/api/exports/commitments.csv");
            s.ConfigureHttpContext(c => c.Request.Method = "HEAD");
            s.StatusCodeShouldBe(200);
        });

        head.ReadAsText().ShouldBeEmpty();
        head.Context.Response.Headers.ETag.ToString().ShouldBe("\"1\"");
        missing.ReadAsText().ShouldBeEmpty();
        export.ReadAsText().ShouldBeEmpty();
        export.Context.Response.ContentType.ShouldBe("text/csv; charset=utf-8");
    }
}
