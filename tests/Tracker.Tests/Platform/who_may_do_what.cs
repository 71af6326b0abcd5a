using Alba;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Api.Security;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;

namespace Tracker.Tests.Platform;

/// <summary>The whole matrix: every route, every role, and the callers who must be turned away.</summary>
public sealed class who_may_do_what(TrackerApp app) : TrackerTest(app)
{
    public sealed record Caller(string Name, string? Role, (string Header, string Value)? Credentials, bool Valid);

    private static readonly Caller[] Callers =
    [
        new("anonymous", null, null, Valid: false),
        new("viewer", Roles.Viewer, ("X-Api-Key", TestIdentities.DemoKey(Roles.Viewer)), true),
        new("monitor", Roles.Monitor, ("X-Api-Key", TestIdentities.DemoKey(Roles.Monitor)), true),
        new("auditor", Roles.Auditor, ("X-Api-Key", TestIdentities.DemoKey(Roles.Auditor)), true),
        new("admin", Roles.Admin, ("X-Api-Key", TestIdentities.DemoKey(Roles.Admin)), true),
        new("monitor by token", Roles.Monitor, ("Authorization", "Bearer " + TestIdentities.Token("carol", Roles.Monitor)), true),
        new("bad key", null, ("X-Api-Key", "not-a-key"), false),
        new("empty key", null, ("X-Api-Key", ""), false),
        new("expired token", null, ("Authorization", "Bearer " + TestIdentities.Token("carol", Roles.Admin, expiresIn: TimeSpan.FromMinutes(-5))), false),
        new("token for another audience", null, ("Authorization", "Bearer " + TestIdentities.Token("carol", Roles.Admin, audience: "someone-else")), false),
        new("token signed with another key", null, ("Authorization", "Bearer " + TestIdentities.Token("carol", Roles.Admin, signingKey: "another-key-that-is-also-32-bytes-long!!")), false),
        // A write's actor is the token's subject (until 2026-12-06 a token without one wrote as "anonymous", and one
        // spelled as an API key's holder wrote as that key did).
        new("token without a subject", null, ("Authorization", "Bearer " + TestIdentities.Token(" ", Roles.Admin)), false),
        new("token spelled as a key's holder", null, ("Authorization", "Bearer " + TestIdentities.Token("key:alice", Roles.Admin)), false),
    ];

    /// <summary>Every API route the service maps, plus the past views that share a public route.</summary>
    private List<(string Method, string Url, string Policy)> Routes()
    {
        var routes = Api.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (Method: m, Pattern: e.RoutePattern.RawText!)))
            .Distinct()
            .Select(r => (r.Method, Url: Fill(r.Pattern), Policy: RouteAuthorization.PolicyFor(r.Method, r.Pattern)))
            .ToList();
        routes.Add(("GET", $"/api/commitments/{CommitmentScenarios.Goal}?version=1", Policies.Audit));
        routes.Add(("GET", "/api/dashboard?effectiveAsOf=2024-10-01", Policies.Audit));
        routes.Add(("GET", "/api/commitments?recordedAsOf=2024-10-01T00:00:00Z", Policies.Audit));
        routes.Add(("GET", $"/api/commitments/{CommitmentScenarios.Goal}/trend?effectiveAsOf=2024-10-01", Policies.Audit));
        return routes;
    }

    private static string Fill(string pattern) => pattern
        .Replace("{key}", CommitmentScenarios.Goal)
        .Replace("{pledgeId}", "germany-1")
        .Replace("{id}", Guid.NewGuid().ToString())
        .Replace("{name}", "EffectiveTimeline");

    private static bool Allowed(string policy, string? role) => policy switch
    {
        Policies.Read => true, // anonymous reads are on in Development, and every role reads
        Policies.Write => role is Roles.Monitor or Roles.Admin,
        Policies.Audit => role is Roles.Auditor or Roles.Admin,
        _ => role is Roles.Admin
    };

    [Fact]
    public async Task every_route_answers_every_caller_as_its_role_allows()
    {
        await Api.StatedTheStabilisationGoal();
        var routes = Routes();
        routes.Count.ShouldBeGreaterThan(30);
        var wrong = new List<string>();

        foreach (var (method, url, policy) in routes)
        {
            foreach (var caller in Callers)
            {
                var result = await Api.Scenario(s =>
                {
                    if (method == "POST") s.Post.Json(new { }).ToUrl(url);
                    else s.Get.Url(url);
                    if (caller.Credentials is { } c) s.WithRequestHeader(c.Header, c.Value);
                    else s.WithRequestHeader(TestIdentities.AnonymousMarker, "1");
                    s.IgnoreStatusCode();
                });
                var status = result.Context.Response.StatusCode;
                var expected = !caller.Valid && caller.Credentials is not null ? "401"
                    : caller.Role is null ? (policy == Policies.Read ? "allowed" : "401")
                    : Allowed(policy, caller.Role) ? "allowed" : "403";
                var actual = status is 401 or 403 ? status.ToString() : "allowed";
                if (actual != expected) wrong.Add($"{method} {url} as {caller.Name}: expected {expected}, got {status}");
                // A refusal says why (until 2026-12-05 neither had a detail, and a 401 had no challenge).
                if (status is 401 && result.Context.Response.Headers.WWWAuthenticate.Count == 0)
                    wrong.Add($"{method} {url} as {caller.Name}: a 401 without WWW-Authenticate");
                if (status is 401 or 403 && result.ReadProblem(status).Detail is not { Length: > 0 } detail)
                    wrong.Add($"{method} {url} as {caller.Name}: a {status} without a detail");
                else if (status is 403 && !result.ReadProblem(status).Detail!.Contains(
                             $"needs the role {string.Join(" or ", Policies.RolesOf(policy)!)}; the credentials given have {caller.Role}."))
                    wrong.Add($"{method} {url} as {caller.Name}: the 403 says '{result.ReadProblem(status).Detail}'");
            }
        }

        wrong.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_refusal_is_a_problem_saying_why()
    {
        var result = await Api.Scenario(s =>
        {
            s.Post.Json(new { }).ToUrl("/api/commitments");
            s.WithRequestHeader(TestIdentities.AnonymousMarker, "1");
            s.StatusCodeShouldBe(401);
        });

        result.ReadProblem(401).Type.ShouldNotBeNull().ShouldEndWith("unauthorized");
        result.Context.Response.Headers.WWWAuthenticate.ToString().ShouldBe("ApiKey header=\"X-Api-Key\", Bearer");
    }

    [Theory]
    [InlineData("/api/commitments/stabilisation-394m?version=abc")]
    [InlineData("/api/commitments?recordedAsOf=yesterday")]
    [InlineData("/api/dashboard?effectiveAsOf=2020-02-30")]
    public async Task a_past_view_refused_to_the_caller_is_refused_before_its_parameters_are_read(string url)
    {
        // Until 2026-12-06 a 400 telling anyone how to write the parameter, where the auditors' own routes refused first.
        await Api.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithRequestHeader(TestIdentities.AnonymousMarker, "1");
            s.StatusCodeShouldBe(401);
        });
        await Api.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithRequestHeader("X-Api-Key", TestIdentities.DemoKey(Roles.Viewer));
            s.StatusCodeShouldBe(403);
        });
        await Api.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithRequestHeader("X-Api-Key", TestIdentities.DemoKey(Roles.Auditor));
            s.StatusCodeShouldBe(400);
        });
    }

    [Fact]
    public async Task a_refused_key_is_told_why()
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/api/audit/verify");
            s.WithRequestHeader("X-Api-Key", "not-a-key");
            s.StatusCodeShouldBe(401);
        });

        result.ReadProblem(401).Detail.ShouldBe("The API key is not valid or was revoked.");

        var token = await Api.Scenario(s =>
        {
            s.Get.Url("/api/audit/verify");
            s.WithRequestHeader("Authorization", "Bearer " + TestIdentities.Token("carol", Roles.Admin, expiresIn: TimeSpan.FromMinutes(-5)));
            s.StatusCodeShouldBe(401);
        });
        token.ReadProblem(401).Detail.ShouldNotBeNull().ShouldStartWith("The bearer token was refused");
        token.Context.Response.Headers.WWWAuthenticate.ToString().ShouldStartWith("Bearer");

        // Credentials of a scheme the service does not take are said to be so, not missing (until 2026-12-06 "This needs
        // credentials"), and a bare Bearer is said to carry no token.
        foreach (var (authorization, said) in new[]
                 {
                     ("Basic YWxpY2U6c2VjcmV0", "The Authorization header's scheme, 'Basic', is not one this service takes"),
                     ("Bearer", "names the Bearer scheme but carries no token"),
                     // Empty, as an empty X-Api-Key is (until 2026-12-07 told credentials were needed).
                     ("", "The Authorization header is empty: send an API key in the X-Api-Key header, or a bearer token")
                 })
        {
            var refused = await Api.Scenario(s =>
            {
                s.Get.Url("/api/audit/verify");
                s.WithRequestHeader("Authorization", authorization);
                s.StatusCodeShouldBe(401);
            });
            refused.ReadProblem(401).Detail.ShouldNotBeNull().ShouldContain(said);
        }
        // A service with no bearer tokens configured says so, not that the token expired.
        await using var keysOnly = await TrackerApp.StartAnotherHost(("Auth:Jwt:SigningKey", ""), ("Auth:Jwt:Issuer", ""), ("Auth:Jwt:Audience", ""));
        var unconfigured = await keysOnly.Scenario(s =>
        {
            s.Get.Url("/api/audit/verify");
            s.WithRequestHeader("Authorization", "Bearer abc.def.ghi");
            s.StatusCodeShouldBe(401);
        });
        unconfigured.ReadProblem(401).Detail.ShouldNotBeNull().ShouldStartWith("This service takes no bearer tokens");
    }

    [Theory]
    [InlineData("", "The token names no subject (sub)")]
    [InlineData("demo-monitor", "The token's subject 'demo-monitor' is spelled as the service's own API keys name their holders")]
    // Written trimmed, it would be Alice's key's actor, and share its idempotent answers.
    [InlineData(" key:alice", "The token's subject (sub) has spaces around it")]
    [InlineData("\u200Bkey:alice", "The token's subject (sub) has spaces around it, or characters no reader sees")]
    // The names the service writes as itself, and look-alikes of its keys' holders (a roman numeral for the d, a dash).
    [InlineData("tracker-service", "The token's subject 'tracker-service' is spelled as the service's own")]
    [InlineData("Catalogue-Import", "The token's subject 'Catalogue-Import' is spelled as the service's own")]
    [InlineData("\u217Eemo-admin", "The token's subject '\u217Eemo-admin' is spelled as the service's own")]
    [InlineData("demo\u2010admin", "The token's subject 'demo\u2010admin' is spelled as the service's own")]
    [InlineData("d\u0435mo-admin", "The token's subject 'd\u0435mo-admin' is spelled as the service's own")]
    [InlineData("\uFF4Bey:alice", "The token's subject '\uFF4Bey:alice' is spelled as the service's own")]
    public async Task a_token_whose_subject_cannot_be_an_actor_is_refused_and_says_why(string subject, string said)
    {
        var refused = await Api.Scenario(s =>
        {
            s.Post.Json(CommitmentScenarios.Progress()).ToUrl($"/api/commitments/{CommitmentScenarios.Goal}/progress");
            s.WithRequestHeader("Authorization", "Bearer " + TestIdentities.Token(subject, Roles.Monitor));
            s.StatusCodeShouldBe(401);
        });

        refused.ReadProblem(401).Detail.ShouldNotBeNull().ShouldStartWith(said);
    }

    [Fact]
    public async Task a_machines_token_naming_its_client_and_no_subject_writes_as_that_client()
    {
        // OAuth client credentials: the client is the actor, in a namespace no subject may spell.
        await Api.StatedTheStabilisationGoal();
        var machine = TestIdentities.Token(null, Roles.Monitor, client: "ingest-bot");
        await Api.Scenario(s =>
        {
            s.Post.Json(CommitmentScenarios.Progress()).ToUrl($"/api/commitments/{CommitmentScenarios.Goal}/progress");
            s.WithRequestHeader("Authorization", "Bearer " + machine);
            s.StatusCodeShouldBe(200);
        });

        var history = (await Api.Scenario(s => s.Get.Url($"/api/commitments/{CommitmentScenarios.Goal}/history"))).Json();
        history.GetProperty("items").EnumerateArray().Last().GetProperty("actor").GetString().ShouldBe("client:ingest-bot");
        var spelled = await Api.Scenario(s =>
        {
            s.Get.Url("/api/audit/verify");
            s.WithRequestHeader("Authorization", "Bearer " + TestIdentities.Token("client:ingest-bot", Roles.Admin));
            s.StatusCodeShouldBe(401);
        });
        spelled.ReadProblem(401).Detail.ShouldNotBeNull().ShouldContain("is spelled as the service's own");

        // A client's id is written after "client:", so it may be any name, the service's own included; and a person's
        // name with an accent a reader sees is no look-alike of a demo key's holder.
        foreach (var (token, actor) in new[]
                 {
                     (TestIdentities.Token(null, Roles.Monitor, client: "catalogue-import"), "client:catalogue-import"),
                     (TestIdentities.Token("Démo-Admin", Roles.Monitor), "Démo-Admin")
                 })
        {
            await Api.Scenario(s =>
            {
                s.Post.Json(CommitmentScenarios.Progress()).ToUrl($"/api/commitments/{CommitmentScenarios.Goal}/progress");
                s.WithRequestHeader("Authorization", "Bearer " + token);
                s.StatusCodeShouldBe(200);
            });
            (await Api.Scenario(s => s.Get.Url($"/api/commitments/{CommitmentScenarios.Goal}/history"))).Json()
                .GetProperty("items").EnumerateArray().Last().GetProperty("actor").GetString().ShouldBe(actor);
        }
    }

    [Fact]
    public async Task a_token_and_a_key_together_are_refused_whatever_the_key()
    {
        // Until 2026-12-06 the token was read and the key beside it went unread, even one that is not valid.
        var refused = await Api.Scenario(s =>
        {
            s.Get.Url("/api/audit/verify");
            s.WithRequestHeader("Authorization", "Bearer " + TestIdentities.Token("carol", Roles.Admin));
            s.WithRequestHeader("X-Api-Key", "totally-bogus");
            s.StatusCodeShouldBe(401);
        });

        refused.ReadProblem(401).Detail.ShouldBe("Both a bearer token and an X-Api-Key header are given: give one.");
    }

    [Fact]
    public async Task credentials_of_another_scheme_beside_a_key_are_refused_as_they_are_alone()
    {
        // Until 2026-12-07 "Basic" beside a valid key went unread, and the request ran as the key's holder.
        var refused = await Api.Scenario(s =>
        {
            s.Get.Url("/api/documents");
            s.WithRequestHeader("Authorization", "Basic YWRtaW46YWRtaW4=");
            s.WithRequestHeader("X-Api-Key", "demo-monitor-key");
            s.StatusCodeShouldBe(401);
        });

        refused.ReadProblem(401).Detail.ShouldBe("Both an Authorization header and an X-Api-Key header are given: give one.");
    }
}
