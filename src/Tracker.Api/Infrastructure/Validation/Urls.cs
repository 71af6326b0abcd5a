using FluentValidation;

namespace Tracker.Api;

public static class Urls
{
    public const int MaxLength = 2000;

    private static readonly char[] OutsideEveryAddress = ['"', '<', '>', '\\', '^', '`', '{', '|', '}'];

    public static bool IsHttp(string? url) =>
        url is { Length: <= MaxLength } && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    /// <summary>Whether every '%' starts a percent-escape (RFC 3986: '%' and two hexadecimal digits).</summary>
    public static bool EscapesAreWhole(string url)
    {
        for (var i = url.IndexOf('%'); i >= 0; i = url.IndexOf('%', i + 1))
        {
            if (i + 2 >= url.Length || !char.IsAsciiHexDigit(url[i + 1]) || !char.IsAsciiHexDigit(url[i + 2])) return false;
        }
        return true;
    }

    /// <summary>
    /// A link to a source: at most <see cref="MaxLength"/> characters, then an absolute http or https address, each said
    /// as such (a long address is not "not absolute"). A null passes: the field is optional where this is used.
    /// </summary>
    public static IRuleBuilderOptions<T, string?> HttpAddress<T>(this IRuleBuilderInitial<T, string?> rule) => rule
        .Cascade(CascadeMode.Stop)
        // The count with its thousands separated, as every other length message (until 2026-12-06 "it has 2002").
        .MaximumLength(MaxLength).WithMessage((_, url) =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"url must be at most {MaxLength:N0} characters (it has {url!.Length:N0})."))
        // .NET's parser forgives spaces around an address and inside its path, and invisible characters, which were then
        // stored and exported as sent (until 2026-12-06): an address holds none (RFC 3986 writes a space as %20).
        .Must(url => url is null || !url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format))
        .WithMessage("url must not hold spaces or invisible characters: percent-encode them (a space is %20), and send none around it.")
        // Nor do the characters RFC 3986 leaves out of every address, which .NET's parser also forgives (until 2026-12-06
        // a url with " < > was stored, and exported into the IATI file's XML as sent).
        .Must(url => url is null || url.IndexOfAny(OutsideEveryAddress) < 0)
        .WithMessage("url must not hold \" < > \\ ^ ` { | }, which no address holds as they are: percent-encode them (\" is %22).")
        // A '%' starts an escape of two hexadecimal digits; .NET's parser keeps "%zz" as it is (stored until 2026-12-06).
        .Must(url => url is null || EscapesAreWhole(url))
        .WithMessage("url must follow each '%' with two hexadecimal digits, as an escape: write a '%' itself as %25.")
        .Must(url => url is null || IsHttp(url)).WithMessage("url must be an absolute http or https address.")
        // A user name or password in a link would be published with every export of it.
        // An empty one too ("https://@example.org/", stored as sent until 2026-12-06): the authority holds no '@' at all.
        .Must(url => !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length == 0 && !Authority(url).Contains('@'))
        .WithMessage("url must not carry a user name or password (user:password@): links are published in the exports.");

    /// <summary>What follows the scheme's "//" up to the path, query or fragment.</summary>
    private static string Authority(string url)
    {
        var start = url.IndexOf("//", StringComparison.Ordinal);
        if (start < 0) return "";
        var rest = url[(start + 2)..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        return end < 0 ? rest : rest[..end];
    }
}
