namespace Tracker.Api;

public static class Urls
{
    public static bool IsHttp(string? url) =>
        url is { Length: <= 2000 } && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
