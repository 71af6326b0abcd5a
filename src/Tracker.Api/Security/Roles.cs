namespace Tracker.Api.Security;

/// <summary>
/// viewer reads progress, pledgers, the dashboard and documents; monitor is a viewer who records; auditor is a viewer
/// who reads history, the past, the feed, verification and exports; admin may do everything, rebuilds and keys included.
/// </summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Monitor = "monitor";
    public const string Auditor = "auditor";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Monitor, Auditor, Admin];
}

public static class Policies
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Audit = "audit";
    public const string Administer = "administer";

    /// <summary>The roles a policy admits, as a refusal names them; null for a policy of no role.</summary>
    public static IReadOnlyList<string>? RolesOf(string policy) => policy switch
    {
        Read => Roles.All,
        Write => [Roles.Monitor, Roles.Admin],
        Audit => [Roles.Auditor, Roles.Admin],
        Administer => [Roles.Admin],
        _ => null
    };
}
