using Alba;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;
using Tracker.Tests.Documents;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Platform;

/// <summary>
/// The API answers JSON, and its errors as problems in JSON, whatever Accept asks for (RFC 9110 lets a server disregard
/// Accept rather than answer 406). Until 2026-12-06 an Accept admitting no JSON made an error raised before an endpoint a
/// 500 with an empty body, the framework's errors plain text, and a write a 406 that hid what was wrong with it.
/// </summary>
public sealed class answers_whatever_accept_says(TrackerApp app) : TrackerTest(app)
{
    private Task<IScenarioResult> Send(string accept, Action<Scenario> request, int status) => Api.Scenario(s =>
    {
        request(s);
        s.WithRequestHeader("Accept", accept);
        s.StatusCodeShouldBe(status);
    });

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("text/csv;q=1, application/json;q=0")]
    [InlineData("not a media type")]
    public async Task an_error_is_a_problem_in_json_whatever_accept_admits(string accept)
    {
        var guarded = await Send(accept, s => s.Get.Url("/api/commitments?q=a&q=b"), 400);
        var unknownRoute = await Send(accept, s => s.Get.Url("/api/no-such-route"), 404);
        var wrongMethod = await Send(accept, s => s.Delete.Url("/api/documents"), 405);
        var unsupported = await Send(accept, s =>
        {
            s.Post.Text("{}").ToUrl("/api/documents");
            s.WithRequestHeader("Content-Type", "text/plain");
        }, 415);
        var invalid = await Send(accept, s => s.Post.Json(new { }).ToUrl("/api/documents"), 400);

        guarded.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldContain("q");
        unknownRoute.ReadProblem(404).Detail.ShouldNotBeNullOrWhiteSpace();
        wrongMethod.ReadProblem(405);
        wrongMethod.Context.Response.Headers.Allow.ToString().ShouldContain("HEAD");
        unsupported.ReadProblem(415);
        invalid.ReadProblem(400).Errors.ShouldNotBeNull().Keys.ShouldContain("key");
    }

    [Fact]
    public async Task a_read_and_a_write_answer_json_and_an_export_its_file_whatever_accept_asks_for()
    {
        await Api.RegisterDocument(DocumentScenarios.Washington2024());

        var written = await Send("text/plain", s => s.Post.Json(StabilisationGoal()).ToUrl("/api/commitments"), 201);
        var read = await Send("application/xml", s => s.Get.Url($"/api/commitments/{Goal}"), 200);
        var export = await Send("application/xml", s => s.Get.Url("/api/exports/commitments.csv"), 200);

        written.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("application/json");
        read.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("application/json");
        export.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("text/csv");
    }
}
