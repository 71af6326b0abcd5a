using System.Text.Json;
using Alba;

namespace Tracker.Tests.Support;

/// <summary>Reads an RFC 9457 problem response so a test can say what went wrong and where.</summary>
public sealed record Problem(string? Type, string? Title, int Status, string? Detail, string? TraceId,
    Dictionary<string, string[]>? Errors);

public static class ProblemAssertions
{
    public static Problem ReadProblem(this IScenarioResult result, int expectedStatus)
    {
        result.Context.Response.StatusCode.ShouldBe(expectedStatus);
        result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("application/problem+json");
        var problem = JsonSerializer.Deserialize<Problem>(result.ReadAsText(), JsonSerializerOptions.Web)!;
        problem.Status.ShouldBe(expectedStatus);
        problem.TraceId.ShouldNotBeNullOrWhiteSpace();
        return problem;
    }
}
