using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using Tracker.Tests.Commitments;
using Tracker.Tests.Documents;
using Tracker.Tests.Support;
using Xunit.Abstractions;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Faults;

public sealed class malformed_requests(TrackerApp app, ITestOutputHelper output) : TrackerTest(app)
{
    /// <summary>A valid body for every write route, in a state where it would be accepted (the goal stated, germany-1 pledged).</summary>
    private static Dictionary<string, JsonObject> ValidBodies()
    {
        JsonObject Of(object body) => JsonSerializer.SerializeToNode(body)!.AsObject();
        return new Dictionary<string, JsonObject>
        {
            ["/api/documents"] = Of(DocumentScenarios.Washington2024("rome-2021")),
            ["/api/commitments"] = Of(StabilisationGoal("another-goal")),
            ["/api/commitments/{key}/pledges"] = Of(GermanPledge(1_000_000m)),
            ["/api/commitments/{key}/pledges/{pledgeId}/stages"] = Of(Disbursement(1_000_000m)),
            ["/api/commitments/{key}/pledges/{pledgeId}/revisions"] = Of(new
            {
                amount = new { amount = 30_000_000m, currency = "EUR" }, exchangeRate = new { rate = 1.08m, on = "2024-11-01" },
                reason = "raised", source = LaterSource
            }),
            ["/api/commitments/{key}/progress"] = Of(Progress()),
            ["/api/commitments/{key}/assessments"] = Of(new { status = "in-progress", assessedOn = "2024-10-05", rationale = "under way", source = Source }),
            ["/api/commitments/{key}/evidence"] = Of(new { documentKey = "washington-2024", primary = true, on = "2024-09-30", note = "n" }),
            ["/api/commitments/{key}/corrections"] = Of(new { version = 2, reason = "entered twice", source = Source }),
            ["/api/commitments/{key}/restatements"] = Of(new
            {
                restatedIn = new { documentKey = "washington-2024", paragraph = "7", quote = "we reaffirm" }, restatedOn = "2024-09-30"
            }),
            ["/api/commitments/{key}/revisions"] = Of(new
            {
                deadline = new { date = "2026-12-01", precision = "month" }, reason = "moved", source = Source
            })
        };
    }

    private static bool Names(JsonElement problem, string field)
    {
        if (!problem.TryGetProperty("errors", out var errors)) return false;
        if (field == "body") return errors.EnumerateObject().Any(); // the whole body: the answer names where it broke
        return errors.EnumerateObject().Select(e => e.Name).Any(name =>
            name.Equals(field, StringComparison.OrdinalIgnoreCase)
            || field.StartsWith(name + ".", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith(field + ".", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith(field + "[", StringComparison.OrdinalIgnoreCase)
            // A missing nested field is reported by the JSON reader with its name only.
            || name.Equals(field.Split('.')[^1], StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task a_thousand_malformed_requests_from_the_openapi_document_are_each_a_problem_naming_the_field_and_write_nothing()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        var openApi = (await Api.Scenario(s => s.Get.Url("/openapi/v1.json"))).Json();
        var cases = MalformedCorpus.Generate(openApi, ValidBodies()).ToList();
        var client = Api.Server.CreateClient();
        var eventsBefore = await Api.EventCount();
        var wrong = new List<string>();
        var statuses = new SortedDictionary<int, int>();

        foreach (var malformed in cases)
        {
            var url = malformed.Route.Replace("{key}", Goal).Replace("{pledgeId}", "germany-1");
            using var response = await client.PostAsync(url, malformed.Content);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var text = await response.Content.ReadAsStringAsync();
            var label = $"{malformed.Route} {malformed.Field}: {malformed.What} → {status}";
            if (status is < 400 or >= 500) { wrong.Add($"{label} {text[..Math.Min(text.Length, 300)]}"); continue; }
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") { wrong.Add($"{label}: not a problem"); continue; }
            using var problem = JsonDocument.Parse(text);
            if (status is 409 or 422) output.WriteLine($"{label}: {problem.RootElement.GetProperty("title").GetString()}");
            if (status is 400 or 415 && !Names(problem.RootElement, malformed.Field)) wrong.Add($"{label}: does not name the field: {text[..Math.Min(text.Length, 300)]}");
        }

        output.WriteLine($"{cases.Count} malformed requests over {ValidBodies().Count} routes; answers: " +
                         string.Join(", ", statuses.Select(s => $"{s.Value} x {s.Key}")));
        cases.Count.ShouldBeGreaterThan(1000);
        wrong.ShouldBeEmpty();
        (await Api.EventCount()).ShouldBe(eventsBefore, "not one malformed request wrote an event");
    }

    [Fact]
    public async Task hundreds_of_malformed_queries_paths_and_headers_on_every_route_are_problems_naming_them_and_write_nothing()
    {
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        var openApi = (await Api.Scenario(s => s.Get.Url("/openapi/v1.json"))).Json();
        static string Fill(string route) => route.Replace("{key}", Goal).Replace("{pledgeId}", "germany-1")
            .Replace("{name}", "EffectiveTimeline").Replace("{id}", Guid.Empty.ToString());
        var cases = RequestCorpus.Generate(openApi, Fill).ToList();
        var bodies = ValidBodies();
        var client = Api.Server.CreateClient();
        var eventsBefore = await Api.EventCount();
        var wrong = new List<string>();
        var statuses = new SortedDictionary<int, int>();

        foreach (var hostile in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(hostile.Method), hostile.Url);
            if (hostile.Method == "POST" && bodies.TryGetValue(hostile.Route, out var body))
            {
                request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            }
            foreach (var (name, value) in hostile.Headers) request.Headers.TryAddWithoutValidation(name, value);
            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var text = await response.Content.ReadAsStringAsync();
            var label = $"{hostile.Method} {hostile.Route} {hostile.What} → {status}";
            if (status >= 500) { wrong.Add($"{label} {text[..Math.Min(text.Length, 300)]}"); continue; }
            if (hostile.Headers.Count > 0 && status != 400) { wrong.Add($"{label}: a bad recorded header was not refused"); continue; }
            if (status < 400) continue; // a hostile value can be a legitimate one (a search for "' or 1=1 --")
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") { wrong.Add($"{label}: not a problem"); continue; }
            if (text.Contains("System.", StringComparison.Ordinal) || text.Contains("lineNumber", StringComparison.Ordinal)) wrong.Add($"{label}: names internals: {text}");
            if (status == 400 && !Names(JsonDocument.Parse(text).RootElement, hostile.Names)) wrong.Add($"{label}: does not name {hostile.Names}: {text[..Math.Min(text.Length, 300)]}");
        }

        output.WriteLine($"{cases.Count} malformed queries, paths and headers over {cases.Select(c => c.Method + c.Route).Distinct().Count()} operations; answers: " +
                         string.Join(", ", statuses.Select(s => $"{s.Value} x {s.Key}")));
        cases.Count.ShouldBeGreaterThan(300);
        wrong.ShouldBeEmpty();
        (await Api.EventCount()).ShouldBe(eventsBefore, "not one malformed request wrote an event");
    }

    [Fact]
    public async Task every_limit_the_openapi_document_states_for_a_query_parameter_is_the_one_the_service_keeps()
    {
        // The document states ranges, defaults, sets of words and lengths for the query parameters (until 2026-12-06 it
        // stated none): each value at a limit is taken, each just past it is a 400 naming the parameter.
        await Api.StatedTheStabilisationGoal();
        await Api.Write($"/api/commitments/{Goal}/pledges", GermanPledge(25_000_000m), 201);
        var openApi = (await Api.Scenario(s => s.Get.Url("/openapi/v1.json"))).Json();
        static string Fill(string route) => route
            .Replace("/api/documents/{key}", "/api/documents/washington-2024").Replace("/api/pledgers/{key}", "/api/pledgers/germany")
            .Replace("{key}", Goal);
        var client = Api.Server.CreateClient();
        var wrong = new List<string>();
        var checkedLimits = 0;

        foreach (var path in openApi.GetProperty("paths").EnumerateObject())
        {
            if (!path.Value.TryGetProperty("get", out var get) || !get.TryGetProperty("parameters", out var parameters)) continue;
            foreach (var query in parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query"))
            {
                var name = query.GetProperty("name").GetString()!;
                foreach (var (value, taken) in AtAndPastTheLimits(query.GetProperty("schema")))
                {
                    checkedLimits++;
                    var url = $"{Fill(path.Name)}?{name}={Uri.EscapeDataString(value)}";
                    using var response = await client.GetAsync(url);
                    var status = (int)response.StatusCode;
                    var text = await response.Content.ReadAsStringAsync();
                    if (taken && status is < 200 or >= 300) wrong.Add($"{url} is within the document's limits but was answered {status}: {text[..Math.Min(text.Length, 200)]}");
                    if (!taken && (status != 400 || !Names(JsonDocument.Parse(text).RootElement, name)))
                    {
                        wrong.Add($"{url} is past the document's limits but was answered {status}: {text[..Math.Min(text.Length, 200)]}");
                    }
                }
            }
        }

        output.WriteLine($"{checkedLimits} values at and past the stated limits");
        checkedLimits.ShouldBeGreaterThan(60);
        wrong.ShouldBeEmpty();
    }

    /// <summary>Values at each limit the schema states (taken) and just past it (refused).</summary>
    private static IEnumerable<(string Value, bool Taken)> AtAndPastTheLimits(JsonElement schema)
    {
        if (schema.TryGetProperty("minimum", out var least))
        {
            yield return (least.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), true);
            yield return ((least.GetInt64() - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), false);
        }
        if (schema.TryGetProperty("maximum", out var most))
        {
            yield return (most.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), true);
            yield return ((most.GetDecimal() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), false);
        }
        if (schema.TryGetProperty("default", out var byDefault)) yield return (byDefault.ToString(), true);
        if (schema.TryGetProperty("enum", out var words))
        {
            foreach (var word in words.EnumerateArray()) yield return (word.GetString()!, true);
            yield return ("not-one-of-them", false);
        }
        if (schema.TryGetProperty("maxLength", out var maxLength))
        {
            yield return (new string('x', maxLength.GetInt32()), true);
            yield return (new string('x', maxLength.GetInt32() + 1), false);
        }
    }
}
