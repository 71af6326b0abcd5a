namespace Tracker.Domain.Documents;

/// <summary>The kinds of source document commitments and evidence come from.</summary>
public static class DocumentKind
{
    public const string Communique = "communique";
    public const string Roadmap = "roadmap";
    public const string Statement = "statement";
    public const string Report = "report";
    public const string NewsReport = "news-report";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Communique, Roadmap, Statement, Report, NewsReport, Other];
}
