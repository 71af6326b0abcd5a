using Tracker.Api.Infrastructure.Validation;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Tests.Commitments;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Faults;

/// <summary>
/// The classes of input an outside test found answered with a 500 or with .NET internals: each is now a problem that
/// names the field, parameter or header, and nothing refused is written.
/// </summary>
public sealed class hostile_input(TrackerApp app) : TrackerTest(app)
{
    private const string PledgeUrl = $"/api/commitments/{Goal}/pledges";

    private static string PledgeJson(string pledger = "Germany", string amount = "25000000", string announcedOn = "2024-10-02",
        string note = "seen in the communiqué") =>
        $$$"""
          {"pledger":{{{JsonSerializer.Serialize(pledger)}}},"amount":{"amount":{{{amount}}},"currency":"USD"},"announcedOn":"{{{announcedOn}}}",
           "source":{"url":"https://example.org/monitor-report","primary":false,"note":{{{JsonSerializer.Serialize(note)}}}}}
          """;

    private async Task<(int Status, JsonElement Body, string Text)> Send(HttpMethod method, string url, string? json = null,
        string contentType = "application/json", params (string Name, string Value)[] headers)
    {
        using var client = Api.Server.CreateClient();
        using var request = new HttpRequestMessage(method, url);
        if (json is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content?.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var isJson = response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true;
        return ((int)response.StatusCode, isJson && text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default, text);
    }

    private static void ShouldBeAProblemNaming((int Status, JsonElement Body, string Text) answer, int status, string field)
    {
        answer.Status.ShouldBe(status, answer.Text);
        answer.Body.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldContain(field, answer.Text);
        answer.Text.ShouldNotContain("System.");
        answer.Text.ShouldNotContain("lineNumber");
        answer.Text.ShouldNotContain("bytePositionInLine");
    }

    [Fact]
    public async Task control_characters_in_body_text_are_refused_naming_the_field_but_tab_and_line_feed_pass_in_a_note()
    {
        await Api.StatedTheStabilisationGoal();
        var before = await Api.EventCount();

        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "Germ\u0000any")), 400, "pledger");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "Germany\n")), 400, "pledger");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(note: "a\u007fb")), 400, "source.note");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "Land\uffff")), 400, "pledger");
        (await Api.EventCount()).ShouldBe(before);

        (await Send(HttpMethod.Post, PledgeUrl, PledgeJson(note: "line one\n\tline two"))).Status.ShouldBe(201);
    }

    [Fact]
    public async Task amounts_beyond_the_documented_maximum_and_dates_beyond_2999_are_refused()
    {
        await Api.StatedTheStabilisationGoal();
        var before = await Api.EventCount();

        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(amount: "79228162514264337593543950335")), 400, "amount.amount");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(amount: "1000000000000001")), 400, "amount.amount");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(announcedOn: "9999-12-31")), 400, "announcedOn");
        foreach (var precision in new[] { "day", "month", "quarter", "season", "half-year", "year" })
        {
            var revision = $$$"""
                {"deadline":{"date":"9999-12-01","precision":"{{{precision}}}"},"reason":"moved","source":{"documentKey":"washington-2024","primary":true}}
                """;
            ShouldBeAProblemNaming(await Send(HttpMethod.Post, $"/api/commitments/{Goal}/revisions", revision), 400, "deadline.date");
        }
        (await Api.EventCount()).ShouldBe(before);

        // At the bounds, everything still adds up: a pledge at the maximum, and a deadline on the last accepted day.
        (await Send(HttpMethod.Post, PledgeUrl, PledgeJson(amount: "1000000000000000"))).Status.ShouldBe(201);
        (await Send(HttpMethod.Post, $"/api/commitments/{Goal}/revisions", """
            {"deadline":{"date":"2999-12-01","precision":"season"},"reason":"moved","source":{"documentKey":"washington-2024","primary":true}}
            """)).Status.ShouldBe(200);
        (await Send(HttpMethod.Get, "/api/dashboard")).Status.ShouldBe(200);
        (await Send(HttpMethod.Get, $"/api/commitments/{Goal}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task json_is_read_strictly_duplicates_other_cases_and_numbers_as_strings_are_refused()
    {
        await Api.StatedTheStabilisationGoal();
        var before = await Api.EventCount();
        var valid = PledgeJson();

        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, valid.Replace("\"pledger\":", "\"pledger\":\"France\",\"pledger\":")), 400, "pledger");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, valid.Replace("\"pledger\":", "\"Pledger\":\"France\",\"pledger\":")), 400, "Pledger");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, valid.Replace("\"amount\":25000000", "\"amount\":\"25000000\"")), 400, "amount.amount");
        // A value that is no JSON is said to be the body's syntax at that field, not a value of the wrong type or format.
        foreach (var (notJson, field) in new[] { (PledgeJson(amount: "025000000"), "amount.amount"), (valid.Replace("seen in", "seen \\u00zz in"), "source.note") })
        {
            var unreadable = await Send(HttpMethod.Post, PledgeUrl, notJson);
            ShouldBeAProblemNaming(unreadable, 400, field);
            unreadable.Body.GetProperty("title").GetString().ShouldBe("The request body could not be read");
            unreadable.Text.ShouldContain("not well-formed JSON at this point");
            unreadable.Text.ShouldNotContain("wrong type");
        }
        // A value of the wrong type before the break is said as such, and the break as the body's, further on: the reader
        // stopped at the value (until 2026-12-07 the break was not said, and the next try was refused for it).
        var typeFirst = await Send(HttpMethod.Post, PledgeUrl,
            valid.Replace("\"amount\":25000000", "\"amount\":\"25000000\"").Replace("seen in", "seen \\u00zz in"));
        ShouldBeAProblemNaming(typeFirst, 400, "amount.amount");
        typeFirst.Text.ShouldNotContain("not well-formed JSON at this point");
        typeFirst.Body.GetProperty("errors").GetProperty("body")[0].GetString()!.ShouldStartWith("The body is not well-formed JSON further on");
        var latin1 = await Send(HttpMethod.Post, PledgeUrl, valid, "application/json; charset=iso-8859-1");
        latin1.Status.ShouldBe(415);
        // Named twice, whichever comes first (until 2026-12-07 the first was believed: utf-8 then latin1 was read as UTF-8).
        var twice = await Send(HttpMethod.Post, PledgeUrl, valid, "application/json;charset=utf-8;charset=latin1");
        twice.Status.ShouldBe(415);
        twice.Body.GetProperty("detail").GetString().ShouldBe("Content-Type names its charset more than once; name it once, utf-8.");
        // A patch document asks for a partial change no route makes (until 2026-12-07 it was read as the whole request).
        foreach (var patch in new[] { "application/merge-patch+json", "Application/JSON-Patch+JSON; charset=utf-8" })
        {
            var partial = await Send(HttpMethod.Post, PledgeUrl, valid, patch);
            partial.Status.ShouldBe(415, patch);
            partial.Body.GetProperty("title").GetString().ShouldBe("The request body must be the whole request");
            partial.Body.GetProperty("detail").GetString()!.ShouldStartWith(patch.Split(';')[0].ToLowerInvariant() + " asks for a partial change");
            partial.Body.GetProperty("errors").GetProperty("body")[0].GetString().ShouldBe("Content-Type must be application/json (no route takes a patch document).");
        }
        (await Api.EventCount()).ShouldBe(before);

        // A charset with no value, and a +json type with no type before it, say nothing of the body (until 2026-12-07 both
        // were read as JSON, and "charset=" was told "The body was sent as ;").
        foreach (var unsaid in new[] { "application/json; charset=", "application/json; charset", "application/+json" })
        {
            var refused = await Send(HttpMethod.Post, PledgeUrl, valid, unsaid);
            refused.Status.ShouldBe(415, unsaid);
            refused.Text.ShouldNotContain("sent as ;");
        }
        (await Api.EventCount()).ShouldBe(before);

        // A body in a content coding is refused with the coding taken (until 2026-12-07 plain JSON labelled gzip was recorded).
        foreach (var coding in new[] { "gzip", "identity, br" })
        {
            var encoded = await Send(HttpMethod.Post, PledgeUrl, valid, "application/json", ("Content-Encoding", coding));
            encoded.Status.ShouldBe(415, coding);
            encoded.Body.GetProperty("title").GetString().ShouldBe("The request body must not be encoded");
        }
        (await Api.EventCount()).ShouldBe(before);
        (await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "Spain"), "application/json", ("Content-Encoding", "identity"))).Status.ShouldBe(201);

        // Another +json type is JSON.
        (await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "Italy"), "application/vnd.tracker+json")).Status.ShouldBe(201);
        // Media types are case-insensitive (RFC 9110): this one is JSON.
        (await Send(HttpMethod.Post, PledgeUrl, valid, "APPLICATION/JSON; charset=UTF-8")).Status.ShouldBe(201);
        // A parameter's value may be quoted (RFC 9110): this one is UTF-8.
        (await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "France"), "application/json;charset=\"utf-8\"")).Status.ShouldBe(201);
    }

    [Fact]
    public async Task query_values_that_do_not_parse_overflow_or_hold_control_characters_name_the_parameter()
    {
        await Api.StatedTheStabilisationGoal();

        var garbage = await Send(HttpMethod.Get, $"/api/commitments/{Goal}?recordedAsOf=garbage");
        ShouldBeAProblemNaming(garbage, 400, "recordedAsOf");
        garbage.Text.ShouldContain("ISO 8601");
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/commitments?page=2147483647"), 400, "page");
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/commitments?page=99999999999"), 400, "page");
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/commitments?q=a%00b"), 400, "q");
        // Bytes that are not UTF-8 would be searched for as other text than was sent.
        foreach (var bytes in new[] { "%FF", "%C0%AF", "%ED%A0%80", "caf%E9" })
            ShouldBeAProblemNaming(await Send(HttpMethod.Get, $"/api/commitments?q={bytes}"), 400, "q");
        (await Send(HttpMethod.Get, "/api/commitments?q=caf%C3%A9%20100%25")).Status.ShouldBe(200);
        // Nor in a path, where a 404 echoed them as a key still escaped (until 2026-12-07).
        foreach (var bytes in new[] { "%FF", "%C0%AF", "caf%E9" })
            ShouldBeAProblemNaming(await Send(HttpMethod.Get, $"/api/commitments/{bytes}"), 400, "path");
        (await Send(HttpMethod.Get, "/api/pledgers/T%C3%BCrkiye")).Status.ShouldBe(404);
        // A '%' that begins no escape (RFC 3986 2.1) is no text: until 2026-12-07 it was searched for, or named as a key, as
        // itself. Set as Kestrel gives them (the test client escapes a lone '%' before sending).
        foreach (var (query, named) in new[] { ("?q=%zz", "q"), ("?q=100%", "q"), ("?q=ok&lineOfEffort=a%2", "lineOfEffort") })
        {
            var broken = await Api.Scenario(s =>
            {
                s.Get.Url("/api/commitments");
                s.ConfigureHttpContext(c => c.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString(query));
                s.StatusCodeShouldBe(400);
            });
            broken.Json().GetProperty("errors").GetProperty(named)[0].GetString()
                .ShouldBe($"{named} holds a '%' that is not followed by two hex digits; write a '%' itself as %25.");
        }
        foreach (var path in new[] { "/api/commitments/%zz", "/api/commitments/%" })
        {
            var broken = await Api.Scenario(s =>
            {
                s.Get.Url("/api/commitments/whatever");
                s.ConfigureHttpContext(c => c.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget = path);
                s.StatusCodeShouldBe(400);
            });
            broken.Json().GetProperty("errors").GetProperty("path")[0].GetString()
                .ShouldBe("The path holds a '%' that is not followed by two hex digits; write a '%' itself as %25.");
        }
        // A problem's instance is the path as sent, its escapes as written (until 2026-12-07 as decoded once). Kestrel gives
        // the request line as sent (the test server gives none, and the decoded path stands in): set here as Kestrel sets it.
        var escaped = await Api.Scenario(s =>
        {
            s.Get.Url("/api/commitments/no-such%goal");
            s.ConfigureHttpContext(c => c.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget =
                "/api/commitments/no%2Dsuch%2525goal?view=effective");
            s.StatusCodeShouldBe(404);
        });
        escaped.Json().GetProperty("instance").GetString().ShouldBe("/api/commitments/no%2Dsuch%2525goal");
        // So where the framework reads the body and refuses it before the endpoint (it set the decoded path itself).
        var refusedBody = await Api.Scenario(s =>
        {
            s.Post.Text("{\"figure\": 1, \"bogus\": 1}").ToUrl($"/api/commitments/{Goal}/progress");
            s.WithRequestHeader("Content-Type", "application/json");
            s.ConfigureHttpContext(c => c.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget =
                "/api/commitments/stabilisation%2D394m/progress");
            s.StatusCodeShouldBe(400);
        });
        refusedBody.Json().GetProperty("instance").GetString().ShouldBe("/api/commitments/stabilisation%2D394m/progress");
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/audit/events?limit=2147483648"), 400, "limit");
        // A whole number that does not read is not told the range of its .NET type.
        foreach (var (url, field) in new[] { ("/api/pledgers?pageSize=abc", "pageSize"), ("/api/audit/events?after=abc", "after"),
                     ("/api/audit/checkpoints?before=abc", "before") })
        {
            var unread = await Send(HttpMethod.Get, url);
            ShouldBeAProblemNaming(unread, 400, field);
            unread.Text.ShouldNotContain("2147483647");
            unread.Text.ShouldNotContain("9223372036854775807");
        }
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, $"/api/commitments/{Goal}?effectiveAsOf=9999-12-31"), 400, "effectiveAsOf");

        // Two pasts at once: the field map names only parameters the request sent.
        var both = await Send(HttpMethod.Get, $"/api/commitments/{Goal}?version=2&effectiveAsOf=2022-01-01");
        ShouldBeAProblemNaming(both, 400, "effectiveAsOf");
        both.Body.GetProperty("errors").TryGetProperty("recordedAsOf", out _).ShouldBeFalse();
        both.Text.ShouldContain("this request gives version and effectiveAsOf");
    }

    [Fact]
    public async Task a_query_parameter_the_route_does_not_take_is_refused_naming_those_it_does()
    {
        await Api.StatedTheStabilisationGoal();

        var misspelt = await Send(HttpMethod.Get, "/api/commitments?stauts=achieved");
        ShouldBeAProblemNaming(misspelt, 400, "stauts");
        misspelt.Text.ShouldContain("which takes: status, kind, lineOfEffort");
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/dashboard?page=2"), 400, "page");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl + "?dryRun=true", PledgeJson()), 400, "dryRun");
        (await Send(HttpMethod.Get, "/api/me?x=1")).Text.ShouldContain("which takes none");
        // Names bind whatever their case, as the framework reads them.
        (await Send(HttpMethod.Get, "/api/commitments?Status=achieved&PAGESIZE=5")).Status.ShouldBe(200);
        (await Send(HttpMethod.Head, $"/api/commitments/{Goal}?version=1")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_body_sent_to_a_route_that_reads_none_is_refused_not_ignored()
    {
        await Api.StatedTheStabilisationGoal();
        var before = await Api.EventCount();

        ShouldBeAProblemNaming(await Send(HttpMethod.Post, "/api/admin/checkpoints", """{"upTo":1}"""), 400, "body");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, "/api/admin/projections/CommitmentProgress/rebuild", "{}"), 400, "body");
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, $"/api/commitments/{Goal}", "{}"), 400, "body");

        (await Api.EventCount()).ShouldBe(before);
        // Without one, it is taken (or there is nothing new since the last: 204).
        (await Send(HttpMethod.Post, "/api/admin/checkpoints")).Status.ShouldBeOneOf(201, 204);
        // An empty chunked body is none (until 2026-12-06 it was refused as one); a chunked one with content is refused.
        (await SendChunked("/api/admin/checkpoints", "")).Status.ShouldBeOneOf(201, 204);
        ShouldBeAProblemNaming(await SendChunked("/api/admin/checkpoints", """{"upTo":1}"""), 400, "body");
    }

    private async Task<(int Status, JsonElement Body, string Text)> SendChunked(string url, string body)
    {
        using var client = Api.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)))
        };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var isJson = response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true;
        return ((int)response.StatusCode, isJson && text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default, text);
    }

    [Fact]
    public void every_api_route_has_its_query_parameters_known_so_none_is_left_unchecked()
    {
        var routes = Api.Services.GetRequiredService<RouteInputs>();
        var endpoints = Api.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Tracker.Api.Audit.PastParameters>() is not null)
            .ToList();

        endpoints.Count.ShouldBeGreaterThan(30);
        foreach (var endpoint in endpoints)
        {
            var method = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Single();
            routes.Of(method, endpoint.RoutePattern).ShouldNotBeNull($"{method} {endpoint.RoutePattern.RawText}");
        }
        RouteInput Of(string method, string route) =>
            routes.Of(method, endpoints.First(e => e.RoutePattern.RawText == route &&
                e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Single() == method).RoutePattern)!;
        Of("GET", "/api/commitments/{key}").Query.ShouldBe(["recordedAsOf", "version", "effectiveAsOf"], ignoreOrder: true);
        Of("GET", "/api/commitments/{key}").Body.ShouldBeFalse();
        Of("POST", "/api/commitments/{key}/pledges").Body.ShouldBeTrue();
        Of("POST", "/api/audit/verify").Body.ShouldBeTrue();
        Of("POST", "/api/admin/checkpoints").Body.ShouldBeFalse();
    }

    [Fact]
    public async Task recorded_headers_must_be_short_printable_ascii_and_are_never_cut_silently()
    {
        await Api.StatedTheStabilisationGoal();
        var before = await Api.EventCount();

        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(), headers: ("X-Correlation-Id", "café")), 400, "X-Correlation-Id");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(), headers: ("X-Correlation-Id", "a\u0001b")), 400, "X-Correlation-Id");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(), headers: ("X-Correlation-Id", new string('x', 201))), 400, "X-Correlation-Id");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(), headers: ("Idempotency-Key", "ключ")), 400, "Idempotency-Key");
        // The beginnings the service's own writes carry (a deadline's passing, an import) are kept for them.
        foreach (var own in new[] { "deadline-check:1", "Catalogue:global-coalition", "deadline-sweep:x" })
        {
            ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(), headers: ("X-Correlation-Id", own)), 400, "X-Correlation-Id");
        }
        (await Api.EventCount()).ShouldBe(before);

        var accepted = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(), headers: ("X-Correlation-Id", new string('x', 200)));
        accepted.Status.ShouldBe(201);
    }

    [Fact]
    public async Task enums_are_read_by_their_api_name_only_not_by_number_case_spaces_or_combination()
    {
        await Api.StatedTheStabilisationGoal();
        var before = await Api.EventCount();
        foreach (var status in new[] { "3", "Withdrawn", "WITHDRAWN", "withdrawn ", "achieved,missed" })
        {
            var assessment = $$$"""
                {"status":{{{JsonSerializer.Serialize(status)}}},"assessedOn":"2024-10-05","rationale":"r","source":{"url":"https://example.org/a","primary":false}}
                """;
            ShouldBeAProblemNaming(await Send(HttpMethod.Post, $"/api/commitments/{Goal}/assessments", assessment), 400, "status");
        }
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, $"/api/commitments/{Goal}/assessments",
            """{"status":3,"assessedOn":"2024-10-05","rationale":"r","source":{"url":"https://example.org/a","primary":false}}"""), 400, "status");
        (await Api.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task achieved_late_cannot_be_claimed_before_the_deadline_has_passed()
    {
        await Api.StatedTheStabilisationGoal();

        var early = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/assessments",
            """{"status":"achieved-late","assessedOn":"2024-10-05","rationale":"r","source":{"url":"https://example.org/a","primary":false}}""");

        early.Status.ShouldBe(422, early.Text);
        early.Text.ShouldContain("achieved-on-time");
    }

    [Fact]
    public async Task a_past_instant_in_any_offset_and_only_iso_dates_are_read()
    {
        await Api.StatedTheStabilisationGoal();

        // Now, written in New York's offset: after the statement, and not ahead of the service's clock.
        var nowInNewYork = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(-5)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz"));
        (await Send(HttpMethod.Get, "/api/commitments?recordedAsOf=2024-01-01T00:00:00-01:00")).Status.ShouldBe(200);
        (await Send(HttpMethod.Get, "/api/dashboard?recordedAsOf=2026-01-01T00:00:00%2B14:00")).Status.ShouldBe(200);
        (await Send(HttpMethod.Get, $"/api/commitments/{Goal}/trend?recordedAsOf={nowInNewYork}")).Status.ShouldBe(200);
        (await Send(HttpMethod.Get, $"/api/commitments/{Goal}?recordedAsOf={nowInNewYork}")).Status.ShouldBe(200);
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/commitments?effectiveAsOf=01/02/2024"), 400, "effectiveAsOf");
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/commitments?effectiveAsOf=2024-1-1"), 400, "effectiveAsOf");
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/commitments?recordedAsOf=2024-01-01%2000:00:00"), 400, "recordedAsOf");
        // RFC 3339 as others write it: a lower-case "t" and "z", nine fractional digits (Go's RFC3339Nano); 400s until 2026-12-05.
        (await Send(HttpMethod.Get, "/api/commitments?recordedAsOf=2026-01-01t00:00:00.2z")).Status.ShouldBe(200);
        (await Send(HttpMethod.Get, $"/api/commitments/{Goal}?recordedAsOf={DateTimeOffset.UtcNow.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fffffff}89Z")).Status.ShouldBe(200);
        // Written rightly, but past what an instant holds once at UTC: said to be out of range, as 2999-12-31T23:59:59-05:00
        // is (until 2026-12-06 told to write the value in ISO 8601).
        var pastTheEnd = await Send(HttpMethod.Get, $"/api/commitments/{Goal}?recordedAsOf=9999-12-31T20:00:00-05:00");
        ShouldBeAProblemNaming(pastTheEnd, 400, "recordedAsOf");
        pastTheEnd.Body.GetProperty("errors").GetProperty("recordedAsOf")[0].GetString()
            .ShouldBe("recordedAsOf must be a date between 1900-01-01 and 2999-12-31.");
        // An offset no clock has, on a day in range, is a value miswritten, not out of range.
        var noSuchOffset = await Send(HttpMethod.Get, $"/api/commitments/{Goal}?recordedAsOf=2024-06-01T12:00:00%2B15:00");
        ShouldBeAProblemNaming(noSuchOffset, 400, "recordedAsOf");
        noSuchOffset.Text.ShouldNotContain("must be a date between");
        // Nor is a day or a time that does not exist: said so (until 2026-12-06 told to write it in ISO 8601, as it was).
        foreach (var impossible in new[] { "2023-02-29T00:00:00Z", "2024-06-01T24:00:00Z", "2024-06-01T12:00:60Z", "2024-06-01T12:00:00-14:01" })
        {
            var refused = await Send(HttpMethod.Get, $"/api/commitments?recordedAsOf={Uri.EscapeDataString(impossible)}");
            ShouldBeAProblemNaming(refused, 400, "recordedAsOf");
            refused.Body.GetProperty("errors").GetProperty("recordedAsOf")[0].GetString().ShouldNotBeNull()
                .ShouldStartWith("recordedAsOf names a date and time that does not exist", customMessage: impossible);
        }
        noSuchOffset.Body.GetProperty("errors").GetProperty("recordedAsOf")[0].GetString().ShouldNotBeNull().ShouldContain("does not exist");
        var noSuchDay = await Send(HttpMethod.Get, $"/api/commitments/{Goal}?effectiveAsOf=2023-02-29");
        noSuchDay.Body.GetProperty("errors").GetProperty("effectiveAsOf")[0].GetString()
            .ShouldBe("effectiveAsOf names a day that does not exist (a month past 12, or a day past its month's end).");
        // An offset's "+" sent raw arrives as a space: the refusal says how to send it.
        var rawPlus = await Send(HttpMethod.Get, "/api/commitments?recordedAsOf=2026-01-01T00:00:00+01:00");
        ShouldBeAProblemNaming(rawPlus, 400, "recordedAsOf");
        rawPlus.Text.ShouldContain("%2B01:00");
        // The bounds are the instant's in UTC, which the refusal says (until 2026-12-06 it named dates the value was within).
        var beforeInUtc = await Send(HttpMethod.Get, "/api/commitments?recordedAsOf=1900-01-01T00:00:00%2B01:00");
        ShouldBeAProblemNaming(beforeInUtc, 400, "recordedAsOf");
        beforeInUtc.Text.ShouldContain("in UTC (this one is 1899-12-31T23:00:00Z there)");
        // Digits of another script are a format not taken, not a day that does not exist (until 2026-12-06 they were told so).
        foreach (var (name, value) in new[] { ("effectiveAsOf", "٢٠٢٤-٠١-٠١"), ("effectiveAsOf", "２024-01-01"), ("recordedAsOf", "٢٠٢٤-٠١-٠١T00:00:00Z") })
        {
            var otherDigits = await Send(HttpMethod.Get, $"/api/commitments/{Goal}?{name}={Uri.EscapeDataString(value)}");
            ShouldBeAProblemNaming(otherDigits, 400, name);
            otherDigits.Body.GetProperty("errors").GetProperty(name)[0].GetString().ShouldNotBeNull().ShouldContain(" must be a date", customMessage: value);
        }
        // A fraction finer than 100 ns is cut, not rounded (rounding up took in an event recorded 49 ns after the instant).
        var finer = await Api.Scenario(s => s.Get.Url("/api/dashboard?recordedAsOf=2026-01-01T00:00:00.123456789Z"));
        finer.Context.Response.Headers["X-Tracker-View"].ToString().ShouldBe("as-recorded; at=2026-01-01T00:00:00.1234567+00:00");
        // Whatever the case of its name, and of the others' (the query rebuilt for the cut still reads them in any case).
        var anyCase = await Api.Scenario(s => s.Get.Url($"/api/commitments?RecordedAsOf=2026-01-01T00:00:00.123456789Z&PageSize=1"));
        anyCase.Context.Response.Headers["X-Tracker-View"].ToString().ShouldBe("as-recorded; at=2026-01-01T00:00:00.1234567+00:00");
        anyCase.Json().GetProperty("pageSize").GetInt32().ShouldBe(1);
        // What will have been recorded by an instant to come is not known: a 400 saying so on every route that takes it
        // (until 2026-12-07 the present, labelled as that instant and judged overdue on its day).
        foreach (var route in new[] { "/api/dashboard", "/api/commitments", $"/api/commitments/{Goal}", $"/api/commitments/{Goal}/trend", $"/api/commitments/{Goal}/timeline" })
        {
            var ahead = await Send(HttpMethod.Get, $"{route}?recordedAsOf=2030-01-01T00:00:00Z");
            ShouldBeAProblemNaming(ahead, 400, "recordedAsOf");
            ahead.Body.GetProperty("errors").GetProperty("recordedAsOf")[0].GetString().ShouldNotBeNull()
                .ShouldStartWith("recordedAsOf 2030-01-01T00:00:00+00:00 is after now (", customMessage: route);
        }
        // A clock a minute ahead of the service's (a browser's end of its day) is taken.
        (await Send(HttpMethod.Get, $"/api/commitments/{Goal}?recordedAsOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}"))
            .Status.ShouldBe(200);
        // A whole number past what the route reads names the route's range (until 2026-12-06 "the range this route gives it").
        foreach (var (url, name, range) in new[]
                 {
                     ($"/api/commitments/{Goal}/history?limit=2147483648", "limit", "from 1 to 500"),
                     ("/api/commitments?pageSize=2147483648", "pageSize", "from 1 to 100"),
                     ("/api/audit/events?limit=99999999999", "limit", "from 1 to 1000")
                 })
        {
            var tooLarge = await Send(HttpMethod.Get, url);
            ShouldBeAProblemNaming(tooLarge, 400, name);
            tooLarge.Body.GetProperty("errors").GetProperty(name)[0].GetString().ShouldBe($"{name} must be a whole number {range}.", customMessage: url);
        }
    }

    [Fact]
    public async Task a_body_refused_by_the_reader_is_told_what_is_wrong_with_it()
    {
        await Api.StatedTheStabilisationGoal();
        string Error(JsonElement body, string field) => body.GetProperty("errors").GetProperty(field)[0].GetString()!;

        // Until 2026-12-06 each of these was told of numbers, dates as YYYY-MM-DD, instants and enums.
        var noSuchDay = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(announcedOn: "2023-02-29"));
        ShouldBeAProblemNaming(noSuchDay, 400, "announcedOn");
        Error(noSuchDay.Body, "announcedOn").ShouldBe("This date does not exist (a month past 12, or a day past its month's end).");
        var notADate = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(announcedOn: "2 October 2024"));
        Error(notADate.Body, "announcedOn").ShouldBe("This value must be a date as YYYY-MM-DD.");
        var loneHalf = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(note: "NOTE").Replace("NOTE", "a\\ud800b"));
        loneHalf.Status.ShouldBe(400);
        loneHalf.Text.ShouldContain("half of a surrogate pair");
        foreach (var notAnObject in new[] { "[1, 2]", "\"a pledge\"", "42", "true" })
        {
            var refused = await Send(HttpMethod.Post, PledgeUrl, notAnObject);
            ShouldBeAProblemNaming(refused, 400, "body");
            Error(refused.Body, "body").ShouldStartWith("The body must be a JSON object", customMessage: notAnObject);
        }
        // Text that is no JSON at all is not told it is a JSON value of the wrong kind.
        var notJson = await Send(HttpMethod.Post, PledgeUrl, "test");
        notJson.Status.ShouldBe(400);
        Error(notJson.Body, "body").ShouldNotStartWith("The body must be a JSON object");
        // A comment is told it is one, not that the body must be an object.
        var commented = await Send(HttpMethod.Post, PledgeUrl, "/* a note */ " + PledgeJson());
        Error(commented.Body, "body").ShouldBe("The body has a comment, which JSON does not allow.");
        // A withdrawn currency is told what replaced it (until 2026-12-06 told, as ABC is, to give an ISO 4217 code).
        var kuna = await Send(HttpMethod.Post, PledgeUrl, PledgeJson().Replace("\"USD\"", "\"HRK\""));
        ShouldBeAProblemNaming(kuna, 400, "amount.currency");
        Error(kuna.Body, "amount.currency").ShouldBe("amount.currency HRK is no longer in use (replaced by EUR): record the amount in EUR, converted at the rate of the day.");
        var made_up = await Send(HttpMethod.Post, PledgeUrl, PledgeJson().Replace("\"USD\"", "\"ABC\""));
        Error(made_up.Body, "amount.currency").ShouldBe("amount.currency must be an ISO 4217 code such as USD or EUR.");
    }

    [Fact]
    public async Task a_fact_dated_after_today_is_refused_and_a_deadline_after_it_is_not()
    {
        await Api.StatedTheStabilisationGoal();
        var before = await Api.EventCount();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var later = today.AddDays(2).ToString("yyyy-MM-dd");
        var source = """{"documentKey":"washington-2024","primary":true}""";

        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(announcedOn: later)), 400, "announcedOn");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, $"/api/commitments/{Goal}/assessments",
            $$"""{"status":"in-progress","assessedOn":"{{later}}","rationale":"x","source":{{source}}}"""), 400, "assessedOn");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, $"/api/commitments/{Goal}/assessments",
            $$"""{"status":"achieved","assessedOn":"2025-01-01","effectiveOn":"2999-01-01","rationale":"x","source":{{source}}}"""), 400, "effectiveOn");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, $"/api/commitments/{Goal}/progress",
            $$"""{"figure":1,"currency":"USD","comparator":"exactly","asOf":"{{later}}","source":{{source}}}"""), 400, "asOf");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, $"/api/commitments/{Goal}/progress",
            $$$"""{"figure":1,"currency":"USD","comparator":"exactly","asOf":"2025-01-01","source":{"documentKey":"washington-2024","primary":true,"on":"{{{later}}}"}}"""), 400, "source.on");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, "/api/documents",
            $$"""{"key":"tomorrows-paper","title":"x","publishedOn":"{{later}}","kind":"communique","primary":true}"""), 400, "publishedOn");
        (await Api.EventCount()).ShouldBe(before);

        // A day's grace for a monitor already in tomorrow (UTC+14), and a deadline may lie anywhere ahead.
        var tomorrow = today.AddDays(1).ToString("yyyy-MM-dd");
        (await Send(HttpMethod.Post, $"/api/commitments/{Goal}/progress",
            $$$"""{"figure":1,"currency":"USD","comparator":"exactly","asOf":"{{{tomorrow}}}","source":{"url":"https://example.org/monitor-report","primary":false}}""")).Status.ShouldBe(200);
        (await Send(HttpMethod.Post, $"/api/commitments/{Goal}/revisions",
            $$"""{"deadline":{"date":"2999-12-01","precision":"season"},"reason":"moved","source":{{source}}}""")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_past_asked_of_a_route_that_answers_the_present_only_is_refused_not_ignored()
    {
        await Api.StatedTheStabilisationGoal();

        ShouldBeAProblemNaming(await Send(HttpMethod.Get, $"/api/commitments/{Goal}/pledges?effectiveAsOf=2025-01-01"), 400, "effectiveAsOf");
        // A route that serves the past, not by version, says which it takes.
        var byVersion = await Send(HttpMethod.Get, "/api/dashboard?version=2");
        ShouldBeAProblemNaming(byVersion, 400, "version");
        byVersion.Text.ShouldContain("this route takes recordedAsOf or effectiveAsOf");
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, $"/api/commitments/{Goal}/pledges?version=1"), 400, "version");
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/pledgers/germany?recordedAsOf=2025-01-01T00:00:00Z"), 400, "recordedAsOf");
        var list = await Send(HttpMethod.Get, "/api/commitments?version=1");
        ShouldBeAProblemNaming(list, 400, "version");
        list.Text.ShouldContain("The past is served by GET /api/commitments/{key}");
        // Whatever their case: the framework binds ?Version=1 as ?version=1.
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/commitments?Version=1"), 400, "Version");
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/commitments?EffectiveAsOf=01/02/2024"), 400, "EffectiveAsOf");

        // Where the past is served, it still is.
        (await Send(HttpMethod.Get, $"/api/commitments/{Goal}?version=1")).Status.ShouldBe(200);
        (await Send(HttpMethod.Get, "/api/commitments?effectiveAsOf=2025-01-01")).Status.ShouldBe(200);
        (await Send(HttpMethod.Get, $"/api/commitments/{Goal}/trend?recordedAsOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}")).Status.ShouldBe(200);
        (await Send(HttpMethod.Get, "/api/dashboard?effectiveAsOf=2025-01-01")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_quarter_half_year_or_year_deadline_not_given_by_the_first_day_of_its_period_is_refused()
    {
        await Api.StatedTheStabilisationGoal();
        string Revision(string date, string precision) => $$$"""
            {"deadline":{"date":"{{{date}}}","precision":"{{{precision}}}"},"reason":"moved","source":{"documentKey":"washington-2024","primary":true}}
            """;

        var quarter = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/revisions", Revision("2027-02-01", "quarter"));
        ShouldBeAProblemNaming(quarter, 400, "deadline.date");
        quarter.Text.ShouldContain("A quarter starts on the first of January, April, July or October.");
        var year = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/revisions", Revision("2027-06-15", "year"));
        ShouldBeAProblemNaming(year, 400, "deadline.date");
        year.Text.ShouldContain("A year deadline is given by the first of January of its year.");

        var half = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/revisions", Revision("2027-04-01", "half-year"));
        ShouldBeAProblemNaming(half, 400, "deadline.date");
        half.Text.ShouldContain("A half-year starts on the first of January or July.");

        (await Send(HttpMethod.Post, $"/api/commitments/{Goal}/revisions", Revision("2027-04-01", "quarter"))).Status.ShouldBe(200);
        (await Send(HttpMethod.Post, $"/api/commitments/{Goal}/revisions", Revision("2028-01-01", "year"))).Status.ShouldBe(200);
        (await Send(HttpMethod.Post, $"/api/commitments/{Goal}/revisions", Revision("2028-07-01", "half-year"))).Status.ShouldBe(200);
        var deadline = (await Api.ReadCommitment()).GetProperty("deadline");
        deadline.GetProperty("precision").GetString().ShouldBe("half-year");
        deadline.GetProperty("dueBy").GetString().ShouldBe("2028-12-31");
    }

    [Fact]
    public async Task text_that_shows_nothing_and_an_empty_unit_are_refused_naming_the_field()
    {
        await Api.StatedTheStabilisationGoal();
        var before = await Api.EventCount();
        string Stated(string title, string target) =>
            "{\"key\":\"invisible-goal\",\"title\":\"" + title + "\",\"kind\":\"quantitative\",\"lineOfEffort\":\"stabilisation\"," +
            "\"actors\":[\"coalition\"],\"target\":" + target +
            ",\"statedIn\":{\"documentKey\":\"washington-2024\",\"paragraph\":\"5\",\"quote\":\"a goal\"}}";

        // A zero-width space, and a combining mark with nothing to combine with: neither is a space, so "not empty" passed them.
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, "/api/commitments", Stated("\u200B", """{"amount":5,"unit":"people"}""")), 400, "title");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, "/api/commitments", Stated(" \u0301 ", """{"amount":5,"unit":"people"}""")), 400, "title");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, "/api/commitments", Stated("Resettle families", """{"amount":5,"unit":""}""")), 400, "target.unit");

        (await Api.EventCount()).ShouldBe(before);
        // A combining mark on a letter is text.
        (await Send(HttpMethod.Post, "/api/commitments", Stated("Rése\u0301ttle families", """{"amount":5,"unit":"people"}"""))).Status.ShouldBe(201);
    }

    [Fact]
    public async Task a_problem_in_a_nested_object_names_the_field_by_its_whole_path()
    {
        await Api.StatedTheStabilisationGoal();

        ShouldBeAProblemNaming(await Send(HttpMethod.Post, $"/api/commitments/{Goal}/revisions",
            """{"deadline":{"date":"2027-01-01"},"reason":"moved","source":{"documentKey":"washington-2024","primary":true}}"""), 400, "deadline.precision");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, $"/api/commitments/{Goal}/progress",
            """{"figure":1,"currency":"USD","comparator":"exactly","asOf":"2024-01-01","source":{"documentKey":"washington-2024"}}"""), 400, "source.primary");
    }

    [Fact]
    public async Task a_problem_message_names_the_field_as_the_body_spells_it_and_says_what_is_wrong()
    {
        await Api.StatedTheStabilisationGoal();

        var unnamed = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: ""));
        ShouldBeAProblemNaming(unnamed, 400, "pledger");
        unnamed.Body.GetProperty("errors").GetProperty("pledger")[0].GetString().ShouldBe("'pledger' must not be empty.");

        var longUrl = "https://example.org/" + new string('a', 4_980);
        var linked = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/evidence",
            $$"""{"url":"{{longUrl}}","primary":false}""");
        ShouldBeAProblemNaming(linked, 400, "url");
        linked.Body.GetProperty("errors").GetProperty("url")[0].GetString()
            .ShouldBe("url must be at most 2,000 characters (it has 5,000).");
    }

    [Fact]
    public async Task a_query_problem_says_what_is_wrong_with_the_value_not_only_what_it_should_be()
    {
        await Api.StatedTheStabilisationGoal();

        var twice = await Send(HttpMethod.Get, "/api/commitments?page=1&page=2");
        ShouldBeAProblemNaming(twice, 400, "page");
        twice.Text.ShouldContain("page is given more than once");
        // A text filter given twice was read as one value ("a,b") and matched nothing; an enum's said it was not one.
        foreach (var filter in new[] { "q=a&q=b", "actor=iraq&actor=italy", "status=achieved&status=missed" })
        {
            var repeated = await Send(HttpMethod.Get, $"/api/commitments?{filter}");
            ShouldBeAProblemNaming(repeated, 400, filter.Split('=')[0]);
            repeated.Text.ShouldContain("is given more than once");
        }
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/dashboard?lineOfEffort=a&lineOfEffort=b"), 400, "lineOfEffort");
        var word = await Send(HttpMethod.Get, "/api/commitments?page=abc");
        ShouldBeAProblemNaming(word, 400, "page");
        word.Text.ShouldContain("page must be a whole number from 1 to 10000000");
        var huge = await Send(HttpMethod.Get, $"/api/commitments/{Goal}?version=99999999999");
        ShouldBeAProblemNaming(huge, 400, "version");
        huge.Text.ShouldContain("from 1 (the statement) to 2147483647");
        // Given but empty, or signed, is not the present: it is a version that does not read.
        foreach (var odd in new[] { "", "%2B2", "-1", "%202", "1.0", "01" })
            ShouldBeAProblemNaming(await Send(HttpMethod.Get, $"/api/commitments/{Goal}?version={odd}"), 400, "version");
        // A whole number past what it counts is told so (a whole number 0 or more it is).
        var pastAVersion = await Send(HttpMethod.Get, $"/api/commitments/{Goal}/history?after=2147483648");
        ShouldBeAProblemNaming(pastAVersion, 400, "after");
        pastAVersion.Text.ShouldContain("past the largest version there can be (2147483647)");
        var pastASequence = await Send(HttpMethod.Get, "/api/audit/events?after=9223372036854775808");
        ShouldBeAProblemNaming(pastASequence, 400, "after");
        pastASequence.Text.ShouldContain("past the largest sequence number there can be");
    }

    [Fact]
    public async Task a_pledger_too_long_to_number_a_pledge_after_is_refused_not_given_an_id_no_other_route_takes()
    {
        await Api.StatedTheStabilisationGoal();
        var pledge = new
        {
            pledger = new string('c', 150), amount = new { amount = 1000m, currency = "USD" }, announcedOn = "2024-10-02",
            source = LaterSource
        };

        // Until 2026-12-06 a 201 with the id ccc...c-1 (152 characters), which the pledge routes refuse as a key.
        var refused = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/pledges", System.Text.Json.JsonSerializer.Serialize(pledge));
        ShouldBeAProblemNaming(refused, 400, "pledger");
        refused.Body.GetProperty("errors").GetProperty("pledger")[0].GetString().ShouldNotBeNull().ShouldContain("has 150 characters");
        // With an id of its own, the name may be that long.
        await Api.Write($"/api/commitments/{Goal}/pledges", new
        {
            pledgeId = "long-named", pledge.pledger, pledge.amount, pledge.announcedOn, pledge.source
        }, 201);
    }

    [Fact]
    public async Task an_empty_unit_on_a_report_is_a_400_as_on_a_target_not_a_unit_that_does_not_match()
    {
        await Api.StatedTheStabilisationGoal();

        var empty = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/progress", """
            {"figure":80,"unit":" ","comparator":"exactly","asOf":"2024-10-01","source":{"url":"https://example.org/monitor-report","primary":false}}
            """);

        ShouldBeAProblemNaming(empty, 400, "unit");
    }

    [Theory]
    [InlineData(" https://example.org/report ")]
    [InlineData("https://example.org/a report")]
    [InlineData("https://example.org/\u200breport")]
    public async Task a_url_with_spaces_or_invisible_characters_is_refused_not_stored_as_sent(string url)
    {
        await Api.StatedTheStabilisationGoal();

        // Until 2026-12-06 each was stored and exported as sent.
        var evidence = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/evidence",
            System.Text.Json.JsonSerializer.Serialize(new { url, primary = false }));

        ShouldBeAProblemNaming(evidence, 400, "url");
        evidence.Body.GetProperty("errors").GetProperty("url")[0].GetString().ShouldNotBeNull().ShouldStartWith("url must not hold spaces or invisible characters");
    }

    [Fact]
    public async Task a_baseline_on_a_money_target_is_refused_not_kept_and_ignored()
    {
        var stated = await Send(HttpMethod.Post, "/api/commitments", """
            {"key":"raise-100","title":"Raise 100","kind":"financial","lineOfEffort":"stabilisation","actors":["coalition"],
             "target":{"amount":100,"currency":"USD","baseline":50},"statedIn":{"documentKey":"washington-2024","quote":"q"}}
            """);

        ShouldBeAProblemNaming(stated, 400, "target.baseline");
    }

    [Fact]
    public async Task the_first_day_of_the_calendar_sent_for_an_optional_date_is_out_of_range_not_required()
    {
        await Api.StatedTheStabilisationGoal();

        // Until 2026-12-06 "announcedOn is required", though it was sent.
        var pledge = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/pledges", """
            {"pledger":"Germany","amount":{"amount":1000,"currency":"USD"},"announcedOn":"0001-01-01",
             "source":{"documentKey":"washington-2024","primary":true}}
            """);

        ShouldBeAProblemNaming(pledge, 400, "announcedOn");
        pledge.Body.GetProperty("errors").GetProperty("announcedOn")[0].GetString().ShouldBe("announcedOn must be a date between 1900-01-01 and 2999-12-31.");
    }

    [Theory]
    [InlineData("\"Primary\":true", "source.Primary")]
    [InlineData("\"primary\":false", "source.primary")]
    public async Task an_unknown_or_repeated_property_of_a_nested_object_is_named_by_its_path(string extra, string field)
    {
        await Api.StatedTheStabilisationGoal();

        // Until 2026-12-06 named without its path ("Primary"), as though it were the body's own.
        var refused = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/pledges",
            "{\"pledger\":\"Germany\",\"amount\":{\"amount\":1000,\"currency\":\"USD\"},\"announcedOn\":\"2024-10-02\"," +
            "\"source\":{\"url\":\"https://example.org/monitor-report\",\"primary\":false," + extra + "}}");

        ShouldBeAProblemNaming(refused, 400, field);
    }

    [Fact]
    public async Task an_amount_left_out_is_said_to_be_required_not_read_as_zero()
    {
        // Until 2026-12-06 a quantitative target without its amount was stated as a target of 0 ("reduce to zero"), and
        // a pledge without its amount was refused as "must be greater than 0".
        var target = await Send(HttpMethod.Post, "/api/commitments", """
            {"key":"camps-goal","title":"Close the camps","kind":"quantitative","lineOfEffort":"stabilisation","actors":["coalition"],
             "target":{"unit":"camps","baseline":50},"statedIn":{"documentKey":"washington-2024","quote":"q"}}
            """);
        ShouldBeAProblemNaming(target, 400, "target.amount");
        target.Body.GetProperty("errors").GetProperty("target.amount")[0].GetString().ShouldBe("This field is required.");

        await Api.StatedTheStabilisationGoal();
        var pledge = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/pledges", """
            {"pledger":"Germany","amount":{"currency":"EUR"},"announcedOn":"2024-10-02",
             "exchangeRate":{"rate":1.084,"on":"2024-10-02"},"source":{"url":"https://example.org/monitor-report","primary":false}}
            """);
        ShouldBeAProblemNaming(pledge, 400, "amount.amount");
    }

    [Fact]
    public async Task a_date_left_out_is_said_to_be_required_not_out_of_range()
    {
        var kept = await Send(HttpMethod.Post, "/api/audit/verify", "{}");

        ShouldBeAProblemNaming(kept, 400, "takenAt");
        kept.Body.GetProperty("errors").GetProperty("takenAt")[0].GetString().ShouldNotBeNull().ShouldContain("takenAt is required");

        // Said once, though a rule of the value it belongs to asks for it too.
        await Api.StatedTheStabilisationGoal();
        var undated = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/pledges", """
            {"pledger":"Germany","amount":{"amount":25000000,"currency":"EUR"},"announcedOn":"2024-10-02",
             "exchangeRate":{"rate":1.084},"source":{"url":"https://example.org/monitor-report","primary":false}}
            """);
        ShouldBeAProblemNaming(undated, 400, "exchangeRate.on");
        undated.Body.GetProperty("errors").GetProperty("exchangeRate.on").EnumerateArray().Select(m => m.GetString())
            .ShouldBe(["exchangeRate.on is required: give a date as YYYY-MM-DD."]);
    }

    [Fact]
    public async Task a_number_with_more_digits_than_are_kept_is_refused_rather_than_rounded()
    {
        await Api.StatedTheStabilisationGoal();

        foreach (var amount in new[] { "1.00000000000000000000000000000001", "1e-30", "0.1234567890123456789012345678901",
                     "1e-99999999999", "0e99999999999999999999" })
        {
            var rounded = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(amount: amount));
            ShouldBeAProblemNaming(rounded, 400, "amount.amount");
            rounded.Text.ShouldContain("at most 28 significant digits");
        }
        var worthless = await Send(HttpMethod.Post, PledgeUrl, """
            {"pledger":"France","amount":{"amount":0.5,"currency":"EUR"},"announcedOn":"2024-10-02",
             "exchangeRate":{"rate":1e-28,"on":"2024-10-02"},"source":{"url":"https://example.org/monitor-report","primary":false}}
            """);
        ShouldBeAProblemNaming(worthless, 400, "exchangeRate.rate");
        // Written otherwise, a number that fits is the same number.
        foreach (var amount in new[] { "25000000.000", "2.5e7", "25000000" })
            (await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: $"Japan", amount: amount))).Status.ShouldBe(201);
    }

    [Fact]
    public async Task a_parameter_or_header_given_empty_is_refused_rather_than_read_as_not_given()
    {
        await Api.StatedTheStabilisationGoal();

        foreach (var url in new[] { "/api/commitments?status=", "/api/commitments?overdue=", "/api/commitments?page=",
                     $"/api/commitments/{Goal}/history?after=", "/api/audit/events?limit=" })
        {
            var empty = await Send(HttpMethod.Get, url);
            var name = url.Split('?')[1].TrimEnd('=');
            ShouldBeAProblemNaming(empty, 400, name);
            empty.Text.ShouldContain($"{name} is empty");
        }
        foreach (var signed in new[] { "pageSize=%2B5", "page=%201", "pageSize=5%20", "overdue=TRUE", "overdue=%20true" })
            ShouldBeAProblemNaming(await Send(HttpMethod.Get, $"/api/commitments?{signed}"), 400, signed.Split('=')[0]);
        // A filter of spaces alone is refused as an empty one is (until 2026-12-06 it was read as no filter).
        foreach (var blank in new[] { "actor=%20", "lineOfEffort=%C2%A0%20" })
        {
            var spaces = await Send(HttpMethod.Get, $"/api/commitments?{blank}");
            ShouldBeAProblemNaming(spaces, 400, blank.Split('=')[0]);
            spaces.Text.ShouldContain("is empty (only spaces)");
        }
        // A search that shows nothing is a search for everything, whatever shows nothing: empty, spaces, a lone
        // right-to-left mark (until 2026-12-06 the mark alone was a 400 and a no-break space alone everything), a Hangul
        // filler or a tag past the first plane (until 2026-12-07 searched for, and found nowhere), an Arabic mark written
        // alone, which folds to a space (until 2026-12-07 a search for a space).
        foreach (var blank in new[] { "", "%20", "%C2%A0", "%E2%80%8F", string.Concat(Enumerable.Repeat("%20", 201)),
                     "%E3%85%A4", "%F3%A0%80%81", "%EF%B9%B0" })
        {
            var everything = await Send(HttpMethod.Get, $"/api/commitments?q={blank}");
            everything.Status.ShouldBe(200);
            everything.Body.GetProperty("total").GetInt32().ShouldBe(1);
        }
        // A control character is not a blank: a search is one line.
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/commitments?q=%0A"), 400, "q");

        var evidence = $$"""{"url":"https://example.org/report","primary":false}""";
        var noKey = await Api.Scenario(s =>
        {
            s.Post.Text(evidence).ToUrl($"/api/commitments/{Goal}/evidence");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Idempotency-Key", "");
            s.StatusCodeShouldBe(400);
        });
        noKey.ReadAsText().ShouldContain("Idempotency-Key is empty");
        var twoKeys = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/evidence", evidence,
            headers: [("Idempotency-Key", "a"), ("Idempotency-Key", "b")]);
        ShouldBeAProblemNaming(twoKeys, 400, "Idempotency-Key");
        twoKeys.Text.ShouldContain("given more than once");
        // Titled as a header's problem, as a malformed If-Match is (until 2026-12-06 "The request is not valid").
        twoKeys.Body.GetProperty("title").GetString().ShouldBe("A request header is not valid");
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, $"/api/commitments/{Goal}",
            headers: [("X-Correlation-Id", "abc"), ("X-Correlation-Id", "def")]), 400, "X-Correlation-Id");
        // The refusal is answered under an id of its own, not the two joined (until 2026-12-07 "abc,def", the value refused).
        using (var client = Api.Server.CreateClient())
        using (var twoIds = new HttpRequestMessage(HttpMethod.Get, $"/api/commitments/{Goal}"))
        {
            twoIds.Headers.TryAddWithoutValidation("X-Correlation-Id", new[] { "abc", "def" });
            using var refused = await client.SendAsync(twoIds);
            ((int)refused.StatusCode).ShouldBe(400);
            refused.Headers.GetValues("X-Correlation-Id").Single().ShouldNotContain(",");
        }
        // A probe records nothing: it is answered whatever id a proxy stamps on it (until 2026-12-07 a 400, and the node left
        // its load balancer's rotation).
        foreach (var probe in new[] { "/health/live", "/health/ready" })
        {
            (await Send(HttpMethod.Get, probe, headers: [("X-Correlation-Id", "{req-1}")])).Status.ShouldBe(200, probe);
        }
        (await Send(HttpMethod.Get, $"/api/commitments/{Goal}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_pledger_named_without_latin_letters_is_refused_rather_than_merged_with_others()
    {
        await Api.StatedTheStabilisationGoal();

        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "日本")), 400, "pledger");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "!!!")), 400, "pledger");
        // Numbers that are not decimal digits, and letters outside the Basic Multilingual Plane, would be dropped too.
        // And symbols that read as letters (until 2026-12-06 "Ⓐland" was the pledger "land").
        foreach (var merged in new[] { "Germany²", "Ⅻ Nation", "\U0001D53Eermany", "Ⓐland", "\U0001F1E9\U0001F1EA Land" })
            ShouldBeAProblemNaming(await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: merged)), 400, "pledger");
        // A name mostly in Latin letters is told which of its characters the key cannot hold (until 2026-12-07 it was told
        // only to write in Latin letters).
        var flagged = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "Emoji \U0001F1FA\U0001F1E6 Fund"));
        flagged.Body.GetProperty("errors").GetProperty("pledger")[0].GetString()!
            .ShouldStartWith("pledger holds '\U0001F1FA\U0001F1E6', which a pledger's key cannot be made of: pledger must be written in Latin letters");
        (await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "!!!"))).Body.GetProperty("errors").GetProperty("pledger")[0].GetString()!
            .ShouldStartWith("pledger must be written in Latin letters");
        var accented = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "Türkiye"));

        accented.Status.ShouldBe(201, accented.Text);
        accented.Body.GetProperty("pledge").GetProperty("pledgeId").GetString().ShouldBe("turkiye-1");
        // The service runs with invariant globalization (so do these tests), where Unicode decomposition is not at hand:
        // letters with any accent, and ø, ß and the like, still make the key, and so does an accent written on its own.
        foreach (var (pledger, id) in new[] { ("København", "kobenhavn-1"), ("Straße", "strasse-1"), ("Việt Nam", "viet-nam-1"),
                     ("Co\u0302te d'Ivoire", "cote-d-ivoire-1"), ("Łódź", "lodz-1") })
        {
            var answer = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: pledger));
            answer.Status.ShouldBe(201, answer.Text);
            answer.Body.GetProperty("pledge").GetProperty("pledgeId").GetString().ShouldBe(id);
        }
        var byName = await Send(HttpMethod.Get, "/api/pledgers/T%C3%BCrkiye");
        byName.Status.ShouldBe(200, byName.Text);
        // A name with a slash, escaped in the path, reads as the pledger it names (until 2026-12-06 a 404).
        (await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "Trinidad/Tobago & Co"))).Status.ShouldBe(201);
        var slashed = await Send(HttpMethod.Get, "/api/pledgers/Trinidad%2FTobago%20%26%20Co");
        slashed.Status.ShouldBe(200, slashed.Text);
        slashed.Body.GetProperty("pledger").GetProperty("key").GetString().ShouldBe("trinidad-tobago-co");
        // A name no pledge could be announced under names no pledger, though its key would be one's (until 2026-12-06
        // "Germany²" and "Türkiye" followed by a zero-width space read as those pledgers).
        var none = await Send(HttpMethod.Get, "/api/pledgers/T%C3%BCrkiye%C2%B2");
        none.Status.ShouldBe(404, none.Text);
        none.Text.ShouldContain("No pledger is named");
        // One with a character no reader sees is a 400 saying so, as in any path (since 2026-12-06).
        ShouldBeAProblemNaming(await Send(HttpMethod.Get, "/api/pledgers/T%C3%BCrkiye%E2%80%8B"), 400, "key");
    }

    [Theory]
    [InlineData("/api/commitments/ab%0D%0AX-Injected:%201", "key")]
    [InlineData("/api/pledgers/ab%0Acd%E2%80%AEevil", "key")]
    [InlineData("/api/commitments/stabilisation-394m/pledges/g%E2%80%AE1", "pledgeId")]
    // A zero-width space: the 404 echoed a key that looks like one there is (until 2026-12-06).
    [InlineData("/api/commitments/stabilisation-394m%E2%80%8B/history", "key")]
    public async Task a_line_break_or_a_bidirectional_override_in_the_path_is_a_400_not_echoed_in_a_404(string url, string name)
    {
        // Until 2026-12-06 the value went back in the 404's detail as sent, where the same in a query value was a 400.
        await Api.StatedTheStabilisationGoal();

        var refused = await Send(HttpMethod.Get, url);

        ShouldBeAProblemNaming(refused, 400, name);
        refused.Text.ShouldNotContain("\\r\\n");
        refused.Text.ShouldNotContain("\\n");
        refused.Text.ShouldNotContain("\\u202E", Case.Insensitive);
        refused.Body.GetProperty("detail").GetString().ShouldNotBeNull().ShouldNotContain("evil");
    }

    [Fact]
    public async Task a_pledger_spelled_with_invisible_marks_or_odd_spaces_is_refused_not_shown_as_sent()
    {
        await Api.StatedTheStabilisationGoal();

        // Until 2026-12-06 each was stored, under the key of the name written plainly, and shown as sent.
        // And marks that show nothing and are no format characters: a variation selector, the grapheme joiner, one of the
        // supplement's selectors (until 2026-12-06 each stored apart from Germany, and shown as Germany).
        foreach (var pledger in new[] { "Germany\u200F", "United  Kingdom", "United\u00A0Kingdom", "Ger\u200Bmany",
                     "Germany\uFE0F", "Germany\u034F", "Germany\U000E0100", "Germany\U0001D173" })
        {
            var refused = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: pledger));
            ShouldBeAProblemNaming(refused, 400, "pledger");
            refused.Body.GetProperty("errors").GetProperty("pledger")[0].GetString().ShouldNotBeNull()
                .ShouldContain("inside the name: spaces at either end are left off", Case.Sensitive);
        }
        (await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: " United Kingdom "))).Status.ShouldBe(201);
        // A no-break space at an end is left off as an ordinary one is, as the refusal says: the pledger is Germany.
        var trimmed = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "\u00A0Germany\u00A0"));
        trimmed.Status.ShouldBe(201, trimmed.Text);
        trimmed.Body.GetProperty("pledge").GetProperty("pledger").GetString().ShouldBe("Germany");
    }

    [Fact]
    public async Task text_limits_count_characters_as_a_reader_does_not_utf16_units()
    {
        await Api.StatedTheStabilisationGoal();
        // Outside the Basic Multilingual Plane each character is two UTF-16 units: a note of 1,500 was over its limit of
        // 2,000 until 2026-12-06.
        var accepted = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(note: string.Concat(Enumerable.Repeat("\U0001F600", 1500))));
        var refused = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(note: string.Concat(Enumerable.Repeat("\U0001F600", 2001))));

        accepted.Status.ShouldBe(201, accepted.Text);
        ShouldBeAProblemNaming(refused, 400, "source.note");
        refused.Body.GetProperty("errors").GetProperty("source.note").EnumerateArray().Select(m => m.GetString())
            .ShouldBe(["source.note must be at most 2,000 characters (it has 2,001)."]);
    }

    [Fact]
    public async Task a_letter_and_its_combining_accent_count_as_one_character_but_marks_may_not_pile_up_without_end()
    {
        await Api.StatedTheStabilisationGoal();
        // "é" written as e and U+0301, as macOS file names and some keyboards send it: two code points, one character.
        // Until 2026-12-06 a note of 1,001 was refused as 2,002 characters.
        const string decomposed = "e\u0301";
        var accepted = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(note: string.Concat(Enumerable.Repeat(decomposed, 1001))));
        var refused = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(note: string.Concat(Enumerable.Repeat(decomposed, 2001))));
        // A thousand characters, each a letter under twenty accents: 21,000 code points, past the 16,000 a note takes.
        var piled = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(note: string.Concat(Enumerable.Repeat("a" + new string('\u0301', 20), 1000))));

        accepted.Status.ShouldBe(201, accepted.Text);
        refused.Body.GetProperty("errors").GetProperty("source.note")[0].GetString()
            .ShouldBe("source.note must be at most 2,000 characters (it has 2,001).");
        piled.Body.GetProperty("errors").GetProperty("source.note")[0].GetString()
            .ShouldBe("source.note must be at most 2,000 characters (and 16,000 Unicode code points, as accents and joiners count; it has 21,000).");
    }

    [Fact]
    public async Task a_bidirectional_override_in_text_and_a_character_no_address_holds_in_a_url_are_refused()
    {
        static string Document(string title, string url) =>
            $$$"""{"key":"report-2026","title":{{{JsonSerializer.Serialize(title)}}},"publishedOn":"2026-01-15","kind":"communique","url":{{{JsonSerializer.Serialize(url)}}},"primary":true}""";

        // Until 2026-12-06 both were stored, and shown and exported as sent.
        var spoofed = await Send(HttpMethod.Post, "/api/documents", Document("report\u202E(txt.exe", "https://example.org/r"));
        var quoted = await Send(HttpMethod.Post, "/api/documents", Document("Report", "HTTPS://EX.org/a?b=\"c\"&d=<e>"));

        ShouldBeAProblemNaming(spoofed, 400, "title");
        spoofed.Text.ShouldContain("bidirectional override (found U+202E)");
        ShouldBeAProblemNaming(quoted, 400, "url");
        quoted.Body.GetProperty("errors").GetProperty("url")[0].GetString().ShouldNotBeNull().ShouldStartWith("url must not hold \" < >");
        (await Send(HttpMethod.Post, "/api/documents", Document("Report", "https://example.org/a?b=%22c%22"))).Status.ShouldBe(201);
    }

    [Fact]
    public async Task a_url_with_a_percent_that_starts_no_escape_is_refused_and_a_long_one_is_counted_as_other_lengths_are()
    {
        static string Document(string key, string url) =>
            $$$"""{"key":"{{{key}}}","title":"Report","publishedOn":"2026-01-15","kind":"communique","url":{{{JsonSerializer.Serialize(url)}}},"primary":true}""";

        // Until 2026-12-06 "%zz" was stored and exported as sent, and the length was "(it has 2002)".
        var broken = await Send(HttpMethod.Post, "/api/documents", Document("report-a", "https://example.org/%zz"));
        var cut = await Send(HttpMethod.Post, "/api/documents", Document("report-b", "https://example.org/a%2"));
        var long_ = await Send(HttpMethod.Post, "/api/documents", Document("report-c", "https://example.org/" + new string('a', 1982)));

        ShouldBeAProblemNaming(broken, 400, "url");
        broken.Body.GetProperty("errors").GetProperty("url")[0].GetString().ShouldBe("url must follow each '%' with two hexadecimal digits, as an escape: write a '%' itself as %25.");
        ShouldBeAProblemNaming(cut, 400, "url");
        long_.Body.GetProperty("errors").GetProperty("url")[0].GetString().ShouldBe("url must be at most 2,000 characters (it has 2,002).");
        (await Send(HttpMethod.Post, "/api/documents", Document("report-d", "https://example.org/100%25-sure?q=a%2Fb"))).Status.ShouldBe(201);
    }

    [Fact]
    public async Task a_wrong_enum_value_is_answered_with_the_values_the_field_takes()
    {
        // Until 2026-12-06 "quarter" got the message for a value of any wrong type.
        var refused = await Send(HttpMethod.Post, "/api/documents",
            """{"key":"report-2026","title":"Report","publishedOn":"2026-01-15","publishedPrecision":"quarter","kind":"communique","primary":true}""");

        ShouldBeAProblemNaming(refused, 400, "publishedPrecision");
        refused.Body.GetProperty("errors").GetProperty("publishedPrecision")[0].GetString().ShouldBe("This value must be one of: day, month, year.");
    }

    [Fact]
    public async Task a_key_folds_only_ascii_letters_and_an_unknown_document_is_said_to_be_unknown()
    {
        await Api.RegisterDocument(Tracker.Tests.Documents.DocumentScenarios.Washington2024("kelvin-doc"));

        // The Kelvin sign (U+212A) folded to "k" until 2026-12-06, and read the document kelvin-doc.
        var kelvin = await Send(HttpMethod.Get, "/api/documents/%E2%84%AAelvin-doc");
        var upper = await Send(HttpMethod.Get, "/api/documents/KELVIN-DOC");
        // Until 2026-12-06 an unknown document's 404 said no route was at the path.
        var unknown = await Send(HttpMethod.Get, "/api/documents/no-such-doc");

        kelvin.Status.ShouldBe(404);
        upper.Status.ShouldBe(200, upper.Text);
        unknown.Status.ShouldBe(404);
        unknown.Body.GetProperty("detail").GetString().ShouldBe("No document has key 'no-such-doc'.");
    }

    [Fact]
    public async Task optional_text_sent_blank_is_refused_rather_than_stored_empty()
    {
        await Api.StatedTheStabilisationGoal();
        var before = await Api.EventCount();

        // Until 2026-12-06 a note of spaces was stored and shown as an empty note.
        foreach (var blank in new[] { "", "   ", "\n\t" })
        {
            var refused = await Send(HttpMethod.Post, PledgeUrl, PledgeJson(note: blank));
            ShouldBeAProblemNaming(refused, 400, "source.note");
            refused.Body.GetProperty("errors").GetProperty("source.note").EnumerateArray().Select(m => m.GetString())
                .ShouldBe(["source.note must not be blank: leave it out, or give text."]);
        }
        var revision = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/revisions", """
            {"deadline":{"date":"2026-12-31","precision":"day","description":" "},"reason":"moved",
             "source":{"documentKey":"washington-2024","primary":true}}
            """);
        ShouldBeAProblemNaming(revision, 400, "deadline.description");
        revision.Body.GetProperty("errors").GetProperty("deadline.description").EnumerateArray().Select(m => m.GetString())
            .ShouldBe(["deadline.description must not be blank: leave it out, or give text."]);
        // A code or a word sent blank is told which to give (until 2026-12-07 "give text"); a blank address is still only
        // blank, not told how to write one.
        var report = await Send(HttpMethod.Post, $"/api/commitments/{Goal}/progress", """
            {"figure":5,"currency":"","comparator":"about","asOf":"2024-10-01",
             "source":{"url":" ","primary":false}}
            """);
        var errors = report.Body.GetProperty("errors");
        errors.GetProperty("currency").EnumerateArray().Select(m => m.GetString())
            .ShouldBe(["currency must not be blank: leave it out, or give an ISO 4217 code such as USD or EUR."]);
        errors.GetProperty("source.url").EnumerateArray().Select(m => m.GetString())
            .ShouldBe(["source.url must not be blank: leave it out, or give text."]);
        // ...and a key sent blank is told how a key is spelled (until 2026-12-07 "give text").
        var pledge = await Send(HttpMethod.Post, PledgeUrl, """
            {"pledger":"Japan","pledgerKey":" ","amount":{"amount":5,"currency":"USD"},"announcedOn":"2024-10-01",
             "source":{"documentKey":"washington-2024","primary":true}}
            """);
        pledge.Body.GetProperty("errors").GetProperty("pledgerKey").EnumerateArray().Select(m => m.GetString())
            .ShouldBe(["pledgerKey must not be blank: leave it out, or give a slug: lower-case letters, digits and single hyphens, at most 100 characters."]);
        (await Api.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task exported_text_that_a_spreadsheet_would_run_as_a_formula_starts_with_an_apostrophe()
    {
        await Api.StatedTheStabilisationGoal();
        (await Send(HttpMethod.Post, PledgeUrl, PledgeJson(pledger: "=HYPERLINK(1) Land"))).Status.ShouldBe(201);

        var csv = await Send(HttpMethod.Get, "/api/exports/pledges.csv");

        csv.Text.ShouldContain(",'=HYPERLINK(1) Land,");
        csv.Text.ShouldNotContain(",=HYPERLINK");
    }

    [Fact]
    public async Task past_the_last_page_the_total_is_still_the_total()
    {
        await Api.StatedTheStabilisationGoal();

        var beyond = await Send(HttpMethod.Get, "/api/commitments?page=5");

        beyond.Status.ShouldBe(200);
        beyond.Body.GetProperty("items").GetArrayLength().ShouldBe(0);
        beyond.Body.GetProperty("total").GetInt64().ShouldBe(1);
        beyond.Body.GetProperty("pageCount").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task a_commitment_names_at_most_fifty_actors_each_once()
    {
        await Api.RegisterDocument(Tracker.Tests.Documents.DocumentScenarios.Washington2024());
        var before = await Api.EventCount();
        string Commitment(IEnumerable<string> actors) => $$$"""
            {"key":"many-actors","title":"T","kind":"financial","lineOfEffort":"other","actors":{{{JsonSerializer.Serialize(actors)}}},
             "target":{"amount":100,"currency":"USD"},"statedIn":{"documentKey":"washington-2024","quote":"q"}}
            """;

        ShouldBeAProblemNaming(await Send(HttpMethod.Post, "/api/commitments", Commitment(Enumerable.Range(0, 51).Select(i => $"member {i}"))), 400, "actors");
        ShouldBeAProblemNaming(await Send(HttpMethod.Post, "/api/commitments", Commitment(["coalition", "Coalition "])), 400, "actors");
        (await Api.EventCount()).ShouldBe(before);
    }
}
