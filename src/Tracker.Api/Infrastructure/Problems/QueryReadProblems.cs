using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// A query value Wolverine could not parse ("?recordedAsOf=garbage") is answered with a detail that names the .NET type it
/// wanted. This rewrites it to name the parameter and the format it takes, in the same field map as other 400s.
/// </summary>
public static partial class QueryReadProblems
{
    private const string FrameworkTitle = "Invalid query string value";

    public static void Rewrite(ProblemDetails problem, HttpContext? http = null)
    {
        if (problem.Title != FrameworkTitle || problem is not { Detail: { } detail }) return;
        var parameter = problem.Extensions.TryGetValue("parameter", out var named) && named is string name ? name : "query";
        var expected = ExpectedPattern().Match(detail) is { Success: true } match ? match.Groups[1].Value : "";
        // Two values of one parameter (?page=1&page=2) read as one that is not a number: say what is wrong instead.
        var message = http?.Request.Query[parameter].Count > 1
            ? $"{parameter} is given more than once; give it once."
            // The parameter's own range where it is the same on every route, not its type's (the range checks say the same);
            // a whole number whose range differs by route (pageSize) is named without one rather than with the type's.
            : parameter.Equals("page", StringComparison.OrdinalIgnoreCase) ? $"{parameter} must be a whole number from 1 to {Paging.MaxPage}."
            // A whole number too large for what it counts (a version on a commitment's pages, a sequence number on the
            // feed) is told so; anything else, what it must be.
            : parameter.Equals("after", StringComparison.OrdinalIgnoreCase)
                ? http?.Request.Query[parameter].ToString() is { Length: > 0 } raw && raw.All(char.IsAsciiDigit)
                    ? expected.Contains("Int64") || expected.Contains("long")
                        ? $"{parameter} is past the largest sequence number there can be ({long.MaxValue})."
                        : $"{parameter} is past the largest version there can be ({int.MaxValue})."
                    : $"{parameter} must be a whole number, 0 or more."
            : parameter.Equals("before", StringComparison.OrdinalIgnoreCase)
                // Digits past the range are a number too large, not one that is not whole (until 2026-12-06 "must be a whole number").
                ? http?.Request.Query[parameter].ToString() is { Length: > 0 } digits && digits.All(char.IsAsciiDigit)
                    ? $"{parameter} is past the largest checkpoint number there can be ({long.MaxValue})."
                    : $"{parameter} must be a whole number, 1 or more."
            : Format(expected) is var format && format.StartsWith("a whole number")
                ? http?.GetEndpoint()?.Metadata.GetMetadata<Audit.QueryRanges>()?.Ranges.TryGetValue(parameter, out var range) == true
                    ? $"{parameter} must be a whole number {range}."
                    : $"{parameter} must be a whole number in the range this route gives it (pageSize and limit: from 1 to the route's largest page)."
            : $"{parameter} must be {format}.";
        problem.Title = "The query is not valid";
        problem.Detail = message;
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [parameter] = [message] };
    }

    private static string Format(string type) => type.Split('.')[^1].TrimEnd('?') switch
    {
        "DateTimeOffset" or "DateTime" => "a date and time in ISO 8601, such as 2024-09-30T12:00:00Z",
        "DateOnly" => "a date as YYYY-MM-DD",
        "int" or "Int32" => "a whole number from -2147483648 to 2147483647",
        "long" or "Int64" => "a whole number from -9223372036854775808 to 9223372036854775807",
        "decimal" or "Decimal" or "double" or "Double" => "a number",
        "bool" or "Boolean" => "true or false",
        "Guid" => "a UUID",
        _ => "a value of the documented format (see the OpenAPI document)"
    };

    [GeneratedRegex(@"expected type ([\w.?]+)")]
    private static partial Regex ExpectedPattern();
}
