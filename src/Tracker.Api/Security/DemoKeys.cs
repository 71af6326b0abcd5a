namespace Tracker.Api.Security;

/// <summary>Documented keys for local use, one per role; accepted only with Auth:DemoKeys in Development.</summary>
public static class DemoKeys
{
    public static readonly IReadOnlyDictionary<string, string> ByKey = Roles.All.ToDictionary(r => $"demo-{r}-key", r => r);
}
