using System.Text.Json;
using System.Text.RegularExpressions;
using Alba;
using Tracker.Tests.Support;

namespace Tracker.Tests.Platform;

/// <summary>src/Tracker.Api/Tracker.Api.http has a request for every route the OpenAPI document describes.</summary>
public sealed partial class the_http_file(TrackerApp app) : TrackerTest(app)
{
    [Fact]
    public async Task has_a_request_for_every_route_of_the_api()
    {
        var file = await File.ReadAllTextAsync(Path.Combine(TestDatabase.RepositoryRoot(), "src", "Tracker.Api", "Tracker.Api.http"));
        var requests = RequestLine().Matches(file)
            .Select(m => $"{m.Groups["method"].Value} {Template(m.Groups["path"].Value)}")
            .ToHashSet();
        using var openApi = JsonDocument.Parse((await Api.Scenario(s => s.Get.Url("/openapi/v1.json"))).ReadAsText());

        var routes = openApi.RootElement.GetProperty("paths").EnumerateObject()
            // HEAD is each GET's, answered and documented beside it (since 2026-12-07): the file's GET stands for both.
            .SelectMany(path => path.Value.EnumerateObject().Where(op => op.Name != "head")
                .Select(op => $"{op.Name.ToUpperInvariant()} {Template(path.Name)}"))
            .ToList();

        routes.ShouldNotBeEmpty();
        routes.Where(r => !requests.Contains(r)).ShouldBeEmpty();
    }

    // Both sides with every path parameter as {}: "{{key}}" and "germany-1" in the file, "{key}" and "{pledgeId}" in the document.
    private static string Template(string path)
    {
        var withoutQuery = path.Split('?')[0];
        var segments = withoutQuery.Split('/').Select(s => s.StartsWith('{') ? "{}" : s).ToArray();
        return string.Join('/', segments);
    }

    [GeneratedRegex(@"^(?<method>GET|POST|PUT|PATCH|DELETE) \{\{api\}\}(?<path>\S+)", RegexOptions.Multiline)]
    private static partial Regex RequestLine();
}
