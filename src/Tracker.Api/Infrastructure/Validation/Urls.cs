using FluentValidation;

namespace Tracker.Api;

public static class Urls
{
    public const int MaxLength = 2000;

    public static bool IsHttp(string? url) =>
        url is { Length: <= MaxLength } && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    /// <summary>
    /// A link to a source: at most <see cref="MaxLength"/> characters, then an absolute http or https address, each said
    /// as such (a long address is not "not absolute").
    /// </summary>
    public static IRuleBuilderOptions<T, string?> HttpAddress<T>(this IRuleBuilderInitial<T, string?> rule) => rule
        .Cascade(CascadeMode.Stop)
        .MaximumLength(MaxLength).WithMessage($"url must be at most {MaxLength:N0} characters (it has {{TotalLength}}).")
        .Must(IsHttp).WithMessage("url must be an absolute http or https address.")
        // A user name or password in a link would be published with every export of it.
        .Must(url => !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length == 0)
        .WithMessage("url must not carry a user name or password (user:password@): links are published in the exports.");
}
