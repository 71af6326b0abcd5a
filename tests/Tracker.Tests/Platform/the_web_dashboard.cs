using System.Text.Json;
using Alba;
using Tracker.Api.Security;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;

namespace Tracker.Tests.Platform;

/// <summary>The dashboard's files as the service serves them (the pages themselves are tested in a browser: tests/e2e).</summary>
public sealed class the_web_dashboard(TrackerApp app) : TrackerTest(app)
{
    [Fact]
    public async Task the_dashboard_is_served_at_the_root_and_loads_only_its_own_files()
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url("/");
            s.WithRequestHeader(TestIdentities.AnonymousMarker, "1");
            s.StatusCodeShouldBe(200);
            s.ContentTypeShouldBe("text/html");
        });

        var html = result.ReadAsText();
        html.ShouldContain("<script type=\"module\" src=\"app/main.js\"></script>");
        html.ShouldNotContain("http://");
        html.ShouldNotContain("https://");
        var policy = result.Context.Response.Headers["Content-Security-Policy"].ToString();
        policy.ShouldContain("default-src 'self'");
        policy.ShouldContain("script-src 'self'");
        result.Context.Response.Headers.CacheControl.ToString().ShouldBe("no-cache");
    }

    [Theory]
    [InlineData("/app/main.js", "text/javascript")]
    [InlineData("/app/views/commitment.js", "text/javascript")]
    [InlineData("/app/app.css", "text/css")]
    [InlineData("/app/icon.svg", "image/svg+xml")]
    public async Task its_modules_and_styles_are_served_to_anyone(string path, string contentType)
    {
        var result = await Api.Scenario(s =>
        {
            s.Get.Url(path);
            s.WithRequestHeader(TestIdentities.AnonymousMarker, "1");
            s.StatusCodeShouldBe(200);
        });

        result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith(contentType);
        result.Context.Response.Headers.ETag.ToString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task every_module_the_page_imports_exists()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Tracker.Api", "wwwroot", "app");
        var modules = Directory.GetFiles(root, "*.js", SearchOption.AllDirectories);
        modules.Length.ShouldBeGreaterThan(5);

        foreach (var module in modules)
        {
            foreach (System.Text.RegularExpressions.Match import in
                     System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(module), "from '(\\.{1,2}/[^']+)'"))
            {
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(module)!, import.Groups[1].Value));
                var url = "/app/" + Path.GetRelativePath(root, target).Replace('\\', '/');
                await Api.Scenario(s =>
                {
                    s.Get.Url(url);
                    s.StatusCodeShouldBe(200);
                });
            }
        }
    }

    [Fact]
    public async Task the_page_asks_who_the_caller_is_and_what_they_may_do()
    {
        var anonymous = await Api.Scenario(s =>
        {
            s.Get.Url("/api/me");
            s.WithRequestHeader(TestIdentities.AnonymousMarker, "1");
        });
        var auditor = await Api.Scenario(s =>
        {
            s.Get.Url("/api/me");
            s.WithRequestHeader("X-Api-Key", TestIdentities.DemoKey(Roles.Auditor));
        });

        var nobody = anonymous.Json();
        nobody.GetProperty("authenticated").GetBoolean().ShouldBeFalse();
        nobody.GetProperty("may").GetProperty("read").GetBoolean().ShouldBeTrue();
        nobody.GetProperty("may").GetProperty("audit").GetBoolean().ShouldBeFalse();
        var someone = auditor.Json();
        someone.GetProperty("name").GetString().ShouldBe("demo-auditor");
        someone.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe([Roles.Auditor]);
        var may = someone.GetProperty("may");
        (may.GetProperty("read").GetBoolean(), may.GetProperty("write").GetBoolean(), may.GetProperty("audit").GetBoolean(),
            may.GetProperty("administer").GetBoolean()).ShouldBe((true, false, true, false));
    }
}
