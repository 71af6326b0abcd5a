using Tracker.Tests.Faults;
using System.Text.Json;
using Alba;
using Tracker.Tests.Support;

namespace Tracker.Tests.Platform;

public sealed class the_service_platform(TrackerApp app) : TrackerTest(app)
{
    [Fact]
    public async Task liveness_answers_200()
    {
        await Api.Scenario(s =>
        {
            s.Get.Url("/health/live");
            s.StatusCodeShouldBe(200);
        });
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task a_probes_answer_is_kept_by_no_cache_and_carries_the_apis_headers(string probe)
    {
        var headers = (await Api.Scenario(s => s.Get.Url(probe))).Context.Response.Headers;

        // Until 2026-12-07 the framework's "no-store, no-cache", Pragma and Expires, and no content policy.
        headers.CacheControl.ToString().ShouldBe("no-store");
        headers.ContainsKey("Pragma").ShouldBeFalse();
        headers.ContainsKey("Expires").ShouldBeFalse();
        headers["Content-Security-Policy"].ToString().ShouldBe("default-src 'none'; frame-ancestors 'none'");
    }

    [Fact]
    public async Task readiness_checks_the_database_and_reports_projection_lag()
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.StatusCodeShouldBe(200);
        });

        using var body = JsonDocument.Parse(result.ReadAsText());
        var database = body.RootElement.GetProperty("checks").GetProperty("database");
        database.GetProperty("status").GetString().ShouldBe("Healthy");
        database.GetProperty("data").TryGetProperty("projectionLag", out _).ShouldBeTrue();
        database.GetProperty("data").TryGetProperty("highestEventSequence", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task the_openapi_document_describes_the_document_endpoints_and_their_errors()
    {
        var result = await Api.Scenario(s => s.Get.Url("/openapi/v1.json"));
        // It changes with each release: asked again each time.
        result.Context.Response.Headers.CacheControl.ToString().ShouldBe("no-cache");

        using var openApi = JsonDocument.Parse(result.ReadAsText());
        var paths = openApi.RootElement.GetProperty("paths");
        var register = paths.GetProperty("/api/documents").GetProperty("post");
        register.GetProperty("responses").TryGetProperty("201", out _).ShouldBeTrue();
        register.GetProperty("responses").TryGetProperty("400", out _).ShouldBeTrue();
        register.GetProperty("responses").TryGetProperty("409", out _).ShouldBeTrue();
        paths.GetProperty("/api/documents").TryGetProperty("get", out _).ShouldBeTrue();
        // No operation is described by the name of the code generated for it (POST_api_documents).
        foreach (var operation in paths.EnumerateObject().SelectMany(path => path.Value.EnumerateObject()))
        {
            if (operation.Value.ValueKind == JsonValueKind.Object && operation.Value.TryGetProperty("description", out var description))
            {
                (description.GetString() ?? "").ShouldNotMatch("^(GET|POST|PUT|PATCH|DELETE|HEAD)_");
            }
        }
        paths.GetProperty("/api/documents/{key}").GetProperty("get").GetProperty("responses")
            .TryGetProperty("404", out _).ShouldBeTrue();
    }

    [Theory]
    [InlineData("/api/commitments", "201", "400,409,422")]
    [InlineData("/api/commitments/{key}/pledges", "201", "400,404,409,412,422")]
    [InlineData("/api/commitments/{key}/pledges/{pledgeId}/stages", "200", "400,404,409,412,422")]
    [InlineData("/api/commitments/{key}/pledges/{pledgeId}/revisions", "200", "400,404,409,412,422")]
    [InlineData("/api/commitments/{key}/progress", "200", "400,404,409,412,422")]
    [InlineData("/api/commitments/{key}/assessments", "200", "400,404,409,412,422")]
    [InlineData("/api/commitments/{key}/restatements", "200", "400,404,409,412,422")]
    [InlineData("/api/commitments/{key}/revisions", "200", "400,404,409,412,422")]
    [InlineData("/api/commitments/{key}/evidence", "200", "400,404,409,412,422")]
    [InlineData("/api/commitments/{key}/corrections", "200", "400,404,409,412,422")]
    public async Task the_openapi_document_describes_each_write_with_its_body_and_error_shapes(string path, string success,
        string errors)
    {
        var result = await Api.Scenario(s => s.Get.Url("/openapi/v1.json"));

        using var openApi = JsonDocument.Parse(result.ReadAsText());
        var post = openApi.RootElement.GetProperty("paths").GetProperty(path).GetProperty("post");
        post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _).ShouldBeTrue();
        var responses = post.GetProperty("responses");
        responses.TryGetProperty(success, out _).ShouldBeTrue();
        foreach (var status in errors.Split(','))
        {
            responses.GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _)
                .ShouldBeTrue($"{path} {status}");
        }
    }

    [Fact]
    public async Task the_openapi_document_declares_how_to_authenticate_and_the_refusals()
    {
        var result = await Api.Scenario(s => s.Get.Url("/openapi/v1.json"));

        using var openApi = JsonDocument.Parse(result.ReadAsText());
        var schemes = openApi.RootElement.GetProperty("components").GetProperty("securitySchemes");
        schemes.GetProperty("ApiKey").GetProperty("name").GetString().ShouldBe("X-Api-Key");
        schemes.GetProperty("Bearer").GetProperty("scheme").GetString().ShouldBe("bearer");
        var responses = openApi.RootElement.GetProperty("paths").GetProperty("/api/commitments").GetProperty("post")
            .GetProperty("responses");
        responses.GetProperty("401").GetProperty("content").TryGetProperty("application/problem+json", out _).ShouldBeTrue();
        responses.GetProperty("401").GetProperty("headers").TryGetProperty("WWW-Authenticate", out _).ShouldBeTrue();
        responses.GetProperty("403").GetProperty("content").TryGetProperty("application/problem+json", out _).ShouldBeTrue();

        // Each operation says who may call it; a public read admits no credentials where anonymous reads are on (as in
        // Development), and its past parameters say they are the auditors' (until 2026-12-07 every operation inherited
        // the document's requirement of a key or token, and nothing named a role).
        var paths = openApi.RootElement.GetProperty("paths");
        var list = paths.GetProperty("/api/commitments").GetProperty("get");
        list.GetProperty("security").EnumerateArray().ShouldContain(requirement => !requirement.EnumerateObject().Any());
        list.GetProperty("description").GetString().ShouldEndWith(
            "Who may call it: anyone, without a key (anonymous reads are on), or the roles viewer, monitor, auditor, admin.");
        list.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "effectiveAsOf")
            .GetProperty("description").GetString().ShouldEndWith("A past view: the roles auditor, admin only (401 without a key or token, 403 for the other roles).");
        var write = paths.GetProperty("/api/commitments").GetProperty("post");
        write.TryGetProperty("security", out _).ShouldBeFalse();
        write.GetProperty("description").GetString().ShouldEndWith("Who may call it: the roles monitor, admin.");
        paths.GetProperty("/api/commitments/{key}/history").GetProperty("get").GetProperty("description").GetString()
            .ShouldEndWith("Who may call it: the roles auditor, admin.");
        // The headers the answers carry: a read's 412 its current ETag, a 304 the 200's caching and links, every refusal no-store.
        var readResponses = paths.GetProperty("/api/commitments/{key}").GetProperty("get").GetProperty("responses");
        readResponses.GetProperty("412").GetProperty("headers").TryGetProperty("ETag", out _).ShouldBeTrue();
        readResponses.GetProperty("304").GetProperty("headers").TryGetProperty("Cache-Control", out _).ShouldBeTrue();
        list.GetProperty("responses").GetProperty("304").GetProperty("headers").TryGetProperty("Link", out _).ShouldBeTrue();
        readResponses.GetProperty("404").GetProperty("headers").GetProperty("Cache-Control").GetProperty("description").GetString().ShouldBe("no-store");
        (await Api.Scenario(s => { s.Get.Url("/api/commitments/nothing-here"); s.StatusCodeShouldBe(404); }))
            .Context.Response.Headers.CacheControl.ToString().ShouldBe("no-store");
        (await Api.Scenario(s => { s.Get.Url("/api/commitments?pageSize=0"); s.StatusCodeShouldBe(400); }))
            .Context.Response.Headers.CacheControl.ToString().ShouldBe("no-store");
    }

    [Fact]
    public async Task the_openapi_document_admits_the_members_a_problem_carries_and_says_how_precise_pledged_money_is()
    {
        // Until 2026-12-06 the problem schemas forbade any member but RFC 9457's, so every error the service sends (each
        // with its traceId) failed validation against the document.
        var result = await Api.Scenario(s => s.Get.Url("/openapi/v1.json"));

        using var openApi = JsonDocument.Parse(result.ReadAsText());
        var schemas = openApi.RootElement.GetProperty("components").GetProperty("schemas");
        foreach (var name in new[] { "ProblemDetails", "HttpValidationProblemDetails" })
        {
            var problem = schemas.GetProperty(name);
            (problem.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.False).ShouldBeFalse(name);
            problem.GetProperty("properties").TryGetProperty("traceId", out _).ShouldBeTrue(name);
        }
        // And names the members a client acts on (until 2026-12-07 admitted, not named): a 400's field map on every
        // operation, whichever problem schema it refers to; a rule's name; the documents a write cited unregistered.
        var members = schemas.GetProperty("ProblemDetails").GetProperty("properties");
        members.GetProperty("errors").GetProperty("additionalProperties").GetProperty("type").GetString().ShouldBe("array");
        members.GetProperty("rule").GetProperty("type").GetString().ShouldBe("string");
        members.GetProperty("missingDocuments").GetProperty("type").GetString().ShouldBe("array");
        // Not as multipleOf, which a validator computes in binary floating point: 100.01 was no multiple of 0.000001 there,
        // and a client refused it (until 2026-12-06). The description says it.
        var amount = schemas.GetProperty("Money").GetProperty("properties").GetProperty("amount");
        amount.TryGetProperty("multipleOf", out _).ShouldBeFalse();
        amount.GetProperty("description").GetString().ShouldNotBeNull().ShouldContain("decimal places");
    }

    [Fact]
    public async Task the_openapi_document_says_what_an_outside_client_met_without_it()
    {
        // Each an outside probe met that the document did not say (2026-12-06).
        var document = (await OpenApi()).RootElement;
        var paths = document.GetProperty("paths");
        var schemas = document.GetProperty("components").GetProperty("schemas");
        JsonElement Responses(string path, string method) => paths.GetProperty(path).GetProperty(method).GetProperty("responses");

        // A read compares If-Match (412), every route may find the database down (503, with when to try again), a key
        // given again with another request is a 422 on every write, and a read of the log or a past may find it damaged.
        var read = paths.GetProperty("/api/commitments/{key}").GetProperty("get");
        HeaderNames(read).ShouldContain("If-Match");
        Responses("/api/commitments/{key}", "get").TryGetProperty("412", out _).ShouldBeTrue();
        foreach (var (path, method) in new[] { ("/api/commitments", "get"), ("/api/commitments", "post"), ("/api/dashboard", "get"), ("/api/me", "get") })
        {
            Responses(path, method).GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _).ShouldBeTrue(path);
        }
        foreach (var path in new[] { "/api/documents", "/api/admin/checkpoints", "/api/admin/projections/{name}/rebuild" })
        {
            Responses(path, "post").TryGetProperty("422", out _).ShouldBeTrue(path);
        }
        foreach (var path in new[] { "/api/commitments/{key}/timeline", "/api/commitments/{key}/trend", "/api/commitments", "/api/dashboard" })
        {
            Responses(path, "get").TryGetProperty("409", out _).ShouldBeTrue(path);
        }
        // A list answers no 404: there is nothing it names to be missing.
        Responses("/api/commitments", "get").TryGetProperty("404", out _).ShouldBeFalse();
        Responses("/api/commitments", "get").GetProperty("200").GetProperty("headers").TryGetProperty("Link", out _).ShouldBeTrue();
        // Which view a body shows, where a read can answer a past, and how far behind the timeline is (2026-12-07).
        foreach (var path in new[] { "/api/commitments/{key}", "/api/commitments", "/api/dashboard", "/api/commitments/{key}/trend" })
        {
            Responses(path, "get").GetProperty("200").GetProperty("headers").TryGetProperty("X-Tracker-View", out _).ShouldBeTrue(path);
        }
        foreach (var path in new[] { "/api/commitments", "/api/dashboard" })
        {
            Responses(path, "get").GetProperty("200").GetProperty("headers").TryGetProperty("X-Tracker-Projection-Lag", out _).ShouldBeTrue(path);
        }
        // A 304 carries what its 200 would: the tag, and the view.
        var unchanged = Responses("/api/commitments/{key}", "get").GetProperty("304").GetProperty("headers");
        unchanged.TryGetProperty("ETag", out _).ShouldBeTrue();
        unchanged.TryGetProperty("X-Tracker-View", out _).ShouldBeTrue();
        // A date and time is a string.
        schemas.GetProperty("HistoryEntry").GetProperty("properties").GetProperty("recordedAt").GetProperty("type").GetString().ShouldBe("string");
        // Text is never blank, given or left out; a currency is one the service takes.
        var document_ = schemas.GetProperty("RegisterDocument").GetProperty("properties");
        document_.GetProperty("venue").GetProperty("pattern").GetString().ShouldBe(@"\S");
        document_.GetProperty("venue").GetProperty("minLength").GetInt32().ShouldBe(1);
        // A type answers carry too says it in words (until 2026-12-07 nothing): a source's note as stored in an answer.
        schemas.GetProperty("Evidence").GetProperty("properties").GetProperty("note").GetProperty("description").GetString().ShouldNotBeNull()
            .ShouldContain(Tracker.Api.Infrastructure.ValidationConstraints.BlankRefusedInRequests);
        var currencies = schemas.GetProperty("Money").GetProperty("properties").GetProperty("currency").GetProperty("enum")
            .EnumerateArray().Select(e => e.GetString()).ToList();
        currencies.ShouldContain("USD");
        currencies.ShouldContain("VED");
        currencies.ShouldNotContain("XXX");
        // Headers as the service checks them; and no server named from the caller's Host header.
        read.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "X-Correlation-Id")
            .GetProperty("schema").GetProperty("pattern").GetString().ShouldBe("^[A-Za-z0-9][ -~]*$");
        document.TryGetProperty("servers", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task the_openapi_document_lists_the_answers_the_service_gives_beyond_its_successes()
    {
        // Each of these the service answers (an outside probe found them missing until 2026-12-06).
        var result = await Api.Scenario(s => s.Get.Url("/openapi/v1.json"));

        using var openApi = JsonDocument.Parse(result.ReadAsText());
        var paths = openApi.RootElement.GetProperty("paths");
        bool Answers(string path, string method, string status) =>
            paths.GetProperty(path).GetProperty(method).GetProperty("responses").TryGetProperty(status, out _);

        Answers("/api/documents", "post", "412").ShouldBeTrue();
        // The headers a statement's 201 and a rebuild's 202 carry (an outside probe found them missing until 2026-12-06).
        paths.GetProperty("/api/commitments").GetProperty("post").GetProperty("responses").GetProperty("201").GetProperty("headers")
            .EnumerateObject().Select(h => h.Name).ShouldBe(["Location", "ETag", "X-Correlation-Id", "Idempotent-Replayed"], ignoreOrder: true);
        paths.GetProperty("/api/admin/projections/{name}/rebuild").GetProperty("post").GetProperty("responses").GetProperty("202")
            .GetProperty("headers").TryGetProperty("Location", out _).ShouldBeTrue();
        paths.GetProperty("/api/documents").GetProperty("post").GetProperty("parameters").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString()).ShouldContain("If-Match");
        Answers("/api/admin/checkpoints", "post", "204").ShouldBeTrue();
        Answers("/api/exports/iati.xml", "get", "503").ShouldBeTrue();
        foreach (var path in new[] { "/api/commitments/{key}/history", "/api/commitments/{key}/changelog", "/api/commitments/{key}/history.csv", "/api/audit/events" })
        {
            Answers(path, "get", "409").ShouldBeTrue(path);
        }
    }

    [Fact]
    public async Task the_openapi_document_lists_head_beside_every_get_with_its_headers_and_no_body()
    {
        var paths = (await OpenApi()).RootElement.GetProperty("paths");

        // Until 2026-12-07 the document listed no HEAD, though every GET route answers one.
        foreach (var path in paths.EnumerateObject().Where(p => p.Value.TryGetProperty("get", out _)))
        {
            path.Value.TryGetProperty("head", out _).ShouldBeTrue(path.Name);
        }
        var head = paths.GetProperty("/api/commitments/{key}").GetProperty("head");
        head.GetProperty("operationId").GetString().ShouldBe(
            paths.GetProperty("/api/commitments/{key}").GetProperty("get").GetProperty("operationId").GetString() + "Head");
        var ok = head.GetProperty("responses").GetProperty("200");
        ok.TryGetProperty("content", out _).ShouldBeFalse();
        ok.GetProperty("headers").TryGetProperty("ETag", out _).ShouldBeTrue();
        // And the service answers it so: the GET's status and headers, no body.
        await Tracker.Tests.Commitments.CommitmentScenarios.StatedTheStabilisationGoal(Api);
        var answered = await Api.Scenario(s => { s.Head.Url($"/api/commitments/{Tracker.Tests.Commitments.CommitmentScenarios.Goal}"); s.StatusCodeShouldBe(200); });
        answered.Context.Response.Headers.ETag.ToString().ShouldBe("\"1\"");
    }

    [Fact]
    public async Task the_openapi_document_requires_only_the_fields_the_service_refuses_to_go_without()
    {
        var schemas = (await OpenApi()).RootElement.GetProperty("components").GetProperty("schemas");

        // pledgeId and exchangeRate are optional (the id is numbered after the pledger); announcedOn is nullable in C#
        // but its validator refuses a pledge without it; primary is a yes/no the JSON reader requires.
        Required(schemas, "AnnouncePledgeRequest").ShouldBe(["pledger", "amount", "announcedOn", "source"], ignoreOrder: true);
        Required(schemas, "Evidence").ShouldBe(["primary"]);
        Required(schemas, "StateCommitmentRequest")
            .ShouldBe(["key", "title", "kind", "lineOfEffort", "actors", "statedIn"], ignoreOrder: true);
        // In an answer, a null field is left out: only those always there are required.
        Required(schemas, "ProgressMeasure").ShouldBe(["basis"]);
        // What must be sent may not be null either; amounts are decimals; no .NET type name names a schema.
        var pledge = schemas.GetProperty("AnnouncePledgeRequest").GetProperty("properties");
        pledge.GetProperty("announcedOn").GetProperty("type").GetString().ShouldBe("string");
        schemas.GetProperty("StateCommitmentRequest").GetProperty("properties").GetProperty("kind").GetProperty("$ref").GetString()
            .ShouldBe("#/components/schemas/CommitmentKind");
        schemas.GetProperty("Money").GetProperty("properties").GetProperty("amount").GetProperty("format").GetString().ShouldBe("decimal");
        schemas.GetProperty("RegisterDocument").GetProperty("properties").GetProperty("publishedPrecision").GetProperty("enum")
            .EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetString()).ShouldBe(["day", "month", "year", null]);
        // A stage must be sent, and not as null (until 2026-12-06 the shared schema listed null among the stages).
        var stage = schemas.GetProperty("PledgeStage");
        stage.GetProperty("enum").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetString())
            .ShouldBe(["committed", "disbursed"]);
        stage.GetProperty("type").GetString().ShouldBe("string");
        schemas.TryGetProperty("CreationResponseOfstring", out _).ShouldBeFalse();
        // Neither a generic's .NET name nor a framework type names any schema.
        schemas.EnumerateObject().Select(s => s.Name)
            .Where(name => System.Text.RegularExpressions.Regex.IsMatch(name, "Of[A-Z]|Of(string|int|long|decimal)|^Json|^System"))
            .ShouldBeEmpty();
        // A pledge announced is answered as its own route serves it (until 2026-12-07 in the decision's shape, whose
        // versioned amounts were the schema PledgedAmountAtVersion).
        schemas.GetProperty("PledgeRecorded").GetProperty("properties").GetProperty("pledge").GetRawText().ShouldContain("#/components/schemas/PledgeRow");
        schemas.TryGetProperty("PledgedAmountAtVersion", out _).ShouldBeFalse();
        schemas.TryGetProperty("IResult", out _).ShouldBeFalse();
        (await Api.Scenario(s => s.Get.Url("/openapi/v1.json"))).ReadAsText().ShouldNotContain("#/components/schemas/IResult");
    }

    [Fact]
    public async Task the_openapi_document_states_the_limits_the_validators_and_the_queries_keep()
    {
        // Until 2026-12-06 the document stated no length, spelling, bound or set of words: a client learnt each from a 400.
        var document = (await OpenApi()).RootElement;
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var stated = schemas.GetProperty("StateCommitmentRequest").GetProperty("properties");
        stated.GetProperty("key").GetProperty("pattern").GetString().ShouldBe("^[a-z0-9]+(-[a-z0-9]+)*$");
        stated.GetProperty("key").GetProperty("maxLength").GetInt32().ShouldBe(100);
        // Characters as a reader counts them: the description says the limit, maxLength the code points it admits.
        stated.GetProperty("title").GetProperty("maxLength").GetInt32().ShouldBe(4000);
        stated.GetProperty("title").GetProperty("description").GetString()!.ShouldContain("At most 500 characters");
        stated.GetProperty("actors").GetProperty("maxItems").GetInt32().ShouldBe(50);
        stated.GetProperty("actors").GetProperty("items").GetProperty("minLength").GetInt32().ShouldBe(1);
        schemas.GetProperty("Money").GetProperty("properties").GetProperty("amount").GetProperty("exclusiveMinimum").GetDecimal().ShouldBe(0m);
        schemas.GetProperty("ReportProgressRequest").GetProperty("properties").GetProperty("figure").GetProperty("minimum").GetDecimal().ShouldBe(0m);
        schemas.GetProperty("RegisterDocument").GetProperty("properties").GetProperty("kind").GetProperty("enum").EnumerateArray()
            .Select(e => e.GetString()).ShouldContain("communique");
        schemas.GetProperty("Evidence").GetProperty("properties").GetProperty("url").GetProperty("maxLength").GetInt32().ShouldBe(2000);
        // Two lower bounds (above 0, at least a billionth): the tighter is stated (until 2026-12-06 only "above 0").
        var rate = schemas.GetProperty("ExchangeRate").GetProperty("properties").GetProperty("rate");
        rate.GetProperty("minimum").GetDecimal().ShouldBe(0.000000001m);
        rate.TryGetProperty("exclusiveMinimum", out _).ShouldBeFalse();
        // A rule that holds only under a condition (a target's amount above 0 only for money) is not stated as a bound,
        // but in its own words, as is a rule with a test of its own (a pledger in Latin letters) and a rule of the value
        // whole (until 2026-12-06 none of them was said).
        var target = schemas.GetProperty("Target");
        target.GetProperty("properties").GetProperty("amount").TryGetProperty("exclusiveMinimum", out _).ShouldBeFalse();
        target.GetProperty("properties").GetProperty("amount").GetProperty("description").GetString()!
            .ShouldContain("A money target's amount must be greater than 0 (only a quantity counts down to 0, from a baseline).");
        // Each rule's words once, and never a validator's placeholder for a message it was not given.
        var described = System.Text.RegularExpressions.Regex.Matches((await Api.Scenario(s => s.Get.Url("/openapi/v1.json"))).ReadAsText(),
            "\"description\":\"([^\"\\\\]|\\\\.)*\"").Select(m => m.Value).ToList();
        described.ShouldNotContain(d => d.Contains("No default error message"));
        described.ShouldNotContain(d => d.Contains("{PropertyName}"));
        schemas.GetProperty("Money").GetProperty("properties").GetProperty("amount").GetProperty("description").GetString()!
            .Split("decimal places").Length.ShouldBe(2);
        target.GetProperty("description").GetString()!.ShouldContain("A target is money (give currency) or a quantity (give unit), exactly one of them.");
        schemas.GetProperty("AnnouncePledgeRequest").GetProperty("properties").GetProperty("pledger").GetProperty("description").GetString()!
            .ShouldContain("pledger must be written in Latin letters or digits");

        var list = document.GetProperty("paths").GetProperty("/api/commitments").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("schema"));
        list["pageSize"].GetProperty("maximum").GetInt32().ShouldBe(100);
        list["pageSize"].GetProperty("default").GetInt32().ShouldBe(25);
        list["sort"].GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ShouldContain("last-changed");
        list["status"].GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ShouldContain("in-progress");
        list["recordedAsOf"].GetProperty("type").GetString().ShouldBe("string");
        // A version is bounded from below only.
        var read = document.GetProperty("paths").GetProperty("/api/commitments/{key}").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Single(p => p.GetProperty("name").GetString() == "version").GetProperty("schema");
        read.GetProperty("minimum").GetInt32().ShouldBe(1);
        read.TryGetProperty("maximum", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task the_openapi_document_describes_the_headers_and_refusals_the_middleware_adds()
    {
        var paths = (await OpenApi()).RootElement.GetProperty("paths");

        var pledge = paths.GetProperty("/api/commitments/{key}/pledges").GetProperty("post");
        HeaderNames(pledge).ShouldBe(["X-Correlation-Id", "Idempotency-Key", "If-Match", "If-None-Match"], ignoreOrder: true);
        var answers = pledge.GetProperty("responses");
        answers.TryGetProperty("200", out _).ShouldBeFalse("it answers 201, not the generator's 200 for an IResult");
        answers.GetProperty("201").GetProperty("headers").TryGetProperty("Location", out _).ShouldBeTrue();
        answers.GetProperty("201").GetProperty("headers").TryGetProperty("ETag", out _).ShouldBeTrue();
        foreach (var status in new[] { "413", "415", "429" })
        {
            answers.GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _).ShouldBeTrue(status);
        }
        answers.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _).ShouldBeTrue();

        var read = paths.GetProperty("/api/commitments/{key}").GetProperty("get");
        HeaderNames(read).ShouldContain("If-None-Match");
        read.GetProperty("responses").TryGetProperty("304", out _).ShouldBeTrue();
        read.GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _).ShouldBeTrue();

        var export = paths.GetProperty("/api/exports/commitments.csv").GetProperty("get").GetProperty("responses");
        export.TryGetProperty("204", out _).ShouldBeFalse();
        export.GetProperty("200").GetProperty("content").TryGetProperty("text/csv", out _).ShouldBeTrue();
        paths.GetProperty("/api/exports/iati.xml").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").TryGetProperty("application/xml", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task the_openapi_document_says_what_an_outside_client_validating_against_it_met_on_2026_12_07()
    {
        var document = (await OpenApi()).RootElement;
        var paths = document.GetProperty("paths");
        var schemas = document.GetProperty("components").GetProperty("schemas");
        JsonElement Get(string path) => paths.GetProperty(path).GetProperty("get");

        // A computed field is answered, never sent: not required of a body (the README's own statements failed it).
        Required(schemas, "Target").ShouldBe(["amount"]);
        schemas.GetProperty("Target").GetProperty("properties").GetProperty("isMoney").GetProperty("readOnly").GetBoolean().ShouldBeTrue();
        // The exports answer If-None-Match: * with a 304, and those that fold the log's events a 409 for one unreadable.
        foreach (var path in new[] { "/api/exports/commitments.csv", "/api/exports/pledges.csv", "/api/exports/iati.xml", "/api/commitments/{key}/history.csv" })
        {
            HeaderNames(Get(path)).ShouldContain("If-None-Match", path);
            Get(path).GetProperty("responses").TryGetProperty("304", out _).ShouldBeTrue(path);
        }
        foreach (var path in new[] { "/api/exports/pledges.csv", "/api/exports/iati.xml" })
        {
            Get(path).GetProperty("responses").TryGetProperty("409", out _).ShouldBeTrue(path);
        }
        Get("/api/exports/commitments.csv").GetProperty("responses").TryGetProperty("409", out _).ShouldBeFalse();
        // The checkpoints, paged by before, say where the next page is.
        Get("/api/audit/checkpoints").GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("Link", out _).ShouldBeTrue();
        // The correlation id's reserved prefixes are said.
        Get("/api/me").GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "X-Correlation-Id")
            .GetProperty("description").GetString()!.ShouldContain("deadline-check:, deadline-sweep:, catalogue:");
        // A filter that shows nothing is refused, each actor too; the search is not.
        var list = Get("/api/commitments").GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("schema"));
        list["actor"].GetProperty("pattern").GetString().ShouldBe(@"\S");
        list["lineOfEffort"].GetProperty("minLength").GetInt32().ShouldBe(1);
        list["q"].TryGetProperty("pattern", out _).ShouldBeFalse();
        list["status"].TryGetProperty("pattern", out _).ShouldBeFalse();
        // A computed field of an answer-only type is still always there.
        Required(schemas, "PledgerOverview").ShouldContain("key");
        schemas.GetProperty("StateCommitmentRequest").GetProperty("properties").GetProperty("actors").GetProperty("items")
            .GetProperty("pattern").GetString().ShouldBe(@"\S");
        // A whole number is written in digits alone.
        schemas.GetProperty("CorrectEventRequest").GetProperty("properties").GetProperty("version").GetProperty("description").GetString()!
            .ShouldContain("Written in digits alone (7, not 7.0 or 7e0).");
        // A registration's answer always names the key it registered.
        schemas.GetProperty("CreationResponse").GetProperty("properties").GetProperty("value").GetProperty("type").GetString().ShouldBe("string");
    }

    private async Task<JsonDocument> OpenApi() =>
        JsonDocument.Parse((await Api.Scenario(s => s.Get.Url("/openapi/v1.json"))).ReadAsText());

    private static string[] Required(JsonElement schemas, string name) =>
        schemas.GetProperty(name).TryGetProperty("required", out var required)
            ? [.. required.EnumerateArray().Select(e => e.GetString()!)]
            : [];

    private static string[] HeaderNames(JsonElement operation) =>
        [.. operation.GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "header").Select(p => p.GetProperty("name").GetString()!)];

    [Fact]
    public async Task the_scalar_ui_is_served()
    {
        var result = await Api.Scenario(s => s.Get.Url("/scalar/"));

        result.ReadAsText().ShouldContain("scalar", Case.Insensitive);
    }

    [Fact]
    public async Task an_unknown_route_is_a_404_problem()
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/api/nothing-here");
            s.StatusCodeShouldBe(404);
        });

        // Until 2026-12-06 without a detail, as every other problem has.
        result.ReadProblem(404).Detail.ShouldBe("No route of the API is at this path: the OpenAPI document (/openapi/v1.json) lists them.");
    }

    [Fact]
    public async Task a_wrong_method_is_a_405_problem()
    {
        var result = await Api.Scenario(s =>
        {
            s.Delete.Url("/api/documents");
            s.StatusCodeShouldBe(405);
        });

        var detail = result.ReadProblem(405).Detail.ShouldNotBeNull();
        detail.ShouldStartWith("This path answers ");
        detail.ShouldContain("GET");
        detail.ShouldContain("POST");
        // The methods the route answers, HEAD among them since GET is.
        result.Context.Response.Headers.Allow.ToString().Split(", ").Order().ShouldBe(["GET", "HEAD", "POST"]);
    }

    [Theory]
    [InlineData("post", "/api/documents", "send it as POST")]
    [InlineData("head", "/api/me", "send it as HEAD")]
    [InlineData("Get", "/api/documents", "send it as GET")]
    [InlineData("BREW", "/api/documents", "its routes answer GET, HEAD, POST, OPTIONS")]
    public async Task a_method_the_service_does_not_know_in_that_spelling_is_a_501_problem_and_does_nothing(string method, string url, string says)
    {
        // A method's name is case-sensitive (until 2026-12-07 "post" was routed as POST and recorded a write, and "head"
        // was answered as HEAD with a length and no body, which the server then failed on).
        var before = await Api.EventCount();
        var result = await Api.Scenario(s =>
        {
            s.Post.Json(new { key = "by-lower-case-post", title = "Registered by a method spelled in lower case", publishedOn = "2024-09-30" })
                .ToUrl(url);
            s.ConfigureHttpContext(c => c.Request.Method = method);
            s.StatusCodeShouldBe(501);
        });

        var problem = result.ReadProblem(501);
        problem.Type.ShouldBe("https://commitment-tracker.dev/problems/not-implemented");
        problem.Detail.ShouldNotBeNull().ShouldStartWith($"'{method}' is not a method this service knows");
        problem.Detail.ShouldEndWith(says + ".");
        result.Context.Response.Headers["X-Content-Type-Options"].ToString().ShouldBe("nosniff");
        (await Api.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task options_for_the_whole_server_says_the_methods_its_routes_answer()
    {
        // Kestrel gives "OPTIONS * HTTP/1.1" the target as sent, "*", and an empty path (which the test host refuses, so the
        // path stays "/"). (Until 2026-12-07 a 404 problem with an empty instance.)
        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/");
            s.ConfigureHttpContext(c =>
            {
                c.Request.Method = "OPTIONS";
                c.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget = "*";
            });
            s.StatusCodeShouldBe(204);
        });

        result.Context.Response.Headers.Allow.ToString().ShouldBe("GET, HEAD, POST, OPTIONS");
    }

    [Theory]
    [InlineData("gzip, chunked")]
    [InlineData("foo, chunked")]
    public async Task a_transfer_coding_before_chunked_is_a_501_problem_that_closes_the_connection(string coding)
    {
        // (Until 2026-12-07 "gzip, chunked" was read as chunked alone, the gzip dropped, and the write recorded.)
        var before = await Api.EventCount();
        var result = await Api.Scenario(s =>
        {
            s.Post.Json(new { key = "by-gzip-chunks", title = "Registered in a coding not undone", publishedOn = "2024-09-30" })
                .ToUrl("/api/documents");
            s.WithRequestHeader("Transfer-Encoding", coding);
            s.StatusCodeShouldBe(501);
        });

        var problem = result.ReadProblem(501);
        problem.Type.ShouldBe("https://commitment-tracker.dev/problems/not-implemented");
        problem.Detail.ShouldBe($"Transfer-Encoding: '{coding}' is not taken: send the body as it is, or chunked alone.");
        result.Context.Response.Headers.Connection.ToString().ShouldBe("close");
        (await Api.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task an_unhandled_exception_is_a_500_problem_that_reveals_no_internals()
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url(TrackerApp.ThrowingPath);
            s.WithRequestHeader("X-Correlation-Id", "a-500-traced");
            s.StatusCodeShouldBe(500);
        });

        // The answer made from the exception still says which piece of work it was (until 2026-12-06 the exception
        // handler's clearing of the headers took it away).
        result.Context.Response.Headers["X-Correlation-Id"].ToString().ShouldBe("a-500-traced");
        var text = result.ReadAsText();
        result.ReadProblem(500);
        text.ShouldNotContain("secret internals");
        text.ShouldNotContain("InvalidOperationException");
        text.ShouldNotContain(" at ");
    }
}
