using Alba;
using Tracker.Projections.Documents;

namespace Tracker.Tests.Documents;

/// <summary>What a monitor does with documents, in the words a test uses.</summary>
public static class DocumentScenarios
{
    public static object Washington2024(string key = "washington-2024") => new
    {
        key,
        title = "Joint Communique by the Ministers of the Global Coalition to Defeat ISIS/Daesh",
        publishedOn = "2024-09-30",
        venue = "Washington, D.C.",
        kind = "communique",
        url = "https://www.state.gov/joint-communique-2024",
        primary = true
    };

    /// <summary>A news report whose page gives the month of its story, not the day.</summary>
    public static object ShafaqReport(string publishedOn = "2024-10-01") => new
    {
        key = "shafaq-2024",
        title = "Shafaq News report on the Washington 2024 ministerial",
        publishedOn,
        publishedPrecision = "month",
        venue = "Washington, D.C.",
        kind = "news-report",
        primary = false
    };

    public static Task<IScenarioResult> RegisterDocument(this IAlbaHost api, object body, string? apiKey = null,
        string? correlationId = null, int expectedStatus = 201) => api.Scenario(s =>
    {
        s.Post.Json(body).ToUrl("/api/documents");
        if (apiKey is not null) s.WithRequestHeader("X-Api-Key", apiKey);
        if (correlationId is not null) s.WithRequestHeader("X-Correlation-Id", correlationId);
        s.StatusCodeShouldBe(expectedStatus);
    });

    public static async Task<DocumentView> GetDocument(this IAlbaHost api, string key)
    {
        var result = await api.GetAsJson<DocumentView>($"/api/documents/{key}");
        return result.ShouldNotBeNull();
    }
}
