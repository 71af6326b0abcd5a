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
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Communique, Declaration, Roadmap, Statement, Report, NewsReport, Other];
}
