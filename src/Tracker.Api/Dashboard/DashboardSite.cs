using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Tracker.Api.Dashboard;

/// <summary>
/// The web dashboard: plain ES modules, a stylesheet and index.html from wwwroot, served at /. No build step and no CDN,
/// so it works offline; files are revalidated by ETag on each load (Cache-Control: no-cache) so an upgrade shows at once.
/// </summary>
public static class DashboardSite
{
    public const string AssetsPath = "/app";

    public static bool IsDashboardPath(PathString path) =>
        path == "/" || path == "/index.html" || path.StartsWithSegments(AssetsPath);

    public static WebApplication UseTrackerDashboard(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = file => file.Context.Response.Headers[HeaderNames.CacheControl] = "no-cache"
        });
        return app;
    }
}
