namespace Tracker.Domain.Documents;

/// <summary>The kinds of source document commitments and evidence come from.</summary>
public static class DocumentKind
{
    public const string Communique = "communique";
    /// <summary>A leaders' or ministers' declaration (G7, G20), taken since 2026-12-07.</summary>
    public const string Declaration = "declaration";
    public const string Roadmap = "roadmap";
    public const string Statement = "statement";
    public const string Report = "report";
    public const string NewsReport = "news-report";
    /// <summary>
    /// An organisation's own announcement (a fund's replenishment pledges), a body's resolution or decision (the UN, the
    /// African Union), a web page that is neither: taken since 2026-12-07, when they had to be registered as "other".
    /// </summary>
    public const string PressRelease = "press-release";
    public const string Resolution = "resolution";
    public const string Decision = "decision";
    public const string WebPage = "web-page";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All =
        [Communique, Declaration, Roadmap, Statement, Report, NewsReport, PressRelease, Resolution, Decision, WebPage, Other];
}
