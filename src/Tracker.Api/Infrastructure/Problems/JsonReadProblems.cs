using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// A body the JSON reader refused (wrong type, impossible date, broken JSON) is answered by the framework with the
/// serializer's message, which names .NET types. This rewrites it to name the field, as validation problems do, and to
/// say what the field wanted, without internals.
/// </summary>
public static partial class JsonReadProblems
{
    private const string FrameworkTitle = "Invalid JSON format";

    public static void Rewrite(ProblemDetails problem)
    {
        if (problem.Title != FrameworkTitle || problem is not { Detail: { } detail }) return;
        var field = PathPattern().Match(detail) is { Success: true } path ? Field(path.Groups[1].Value) : "body";
        var broken = detail.Contains("end of the JSON payload", StringComparison.Ordinal) || detail.Contains("is an invalid", StringComparison.Ordinal)
                     || detail.Contains("invalid start of a value", StringComparison.Ordinal);
        var message = broken
            ? "The body is not well-formed JSON at this point."
            : "This value has the wrong type or format (numbers as JSON numbers, dates as YYYY-MM-DD, enums by name).";
        problem.Title = "The request body could not be read";
        problem.Detail = field == "body" ? message : $"'{field}': {message}";
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
    }

    /// <summary>"$.amount.amount" is "amount.amount"; "$" is the whole body.</summary>
    private static string Field(string jsonPath)
    {
        var field = jsonPath.TrimStart('$').TrimStart('.');
        return field.Length == 0 ? "body" : field;
    }

    [GeneratedRegex(@"Path: (\$[^\s|]*)")]
    private static partial Regex PathPattern();
}
