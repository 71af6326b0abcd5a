using System.Text.Json;

namespace Tracker.Api.Infrastructure;

public static class Names
{
    /// <summary>An enum value as the API spells it: AchievedLate is "achieved-late".</summary>
    public static string Of<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
