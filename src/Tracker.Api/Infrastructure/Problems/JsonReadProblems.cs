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

    /// <param name="body">The endpoint's request body type, which places a nested object the reader names only by its type.</param>
    public static void Rewrite(ProblemDetails problem, Type? body = null)
    {
        if (problem.Title != FrameworkTitle || problem is not { Detail: { } detail }) return;
        var field = PathPattern().Match(detail) is { Success: true } path ? Field(path.Groups[1].Value) : "body";
        string message;
        if (field == "body" && detail.Contains("does not contain any JSON tokens", StringComparison.Ordinal))
        {
            // An empty body, said as the JSON literal null is (RequestValidation), not as a value of the wrong type.
            problem.Title = "A request body is required";
            problem.Detail = "The body was empty or the JSON literal null.";
            problem.Extensions.Remove("lineNumber");
            problem.Extensions.Remove("bytePositionInLine");
            problem.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = ["A JSON object is required."] };
            return;
        }
        if (MissingPattern().Match(detail) is { Success: true } missing)
        {
            // The reader names a missing property of a nested object by the object's type, with no path: placed where
            // the body has that type once ("deadline.precision"), left as it is where it has it several times.
            if (field == "body" && body is not null && MissingTypePattern().Match(detail) is { Success: true } owner &&
                PathsOf(body, owner.Groups[1].Value, "", 0).ToList() is [var only] && only.Length > 0)
            {
                field = only;
            }
            // Every property the reader lists ("'kind', 'primary'"), each a field of the map: until 2026-12-06 only the
            // first was named, and the client learned of the next on its next try. (The reader stops listing after
            // about 60 characters, more than any of this API's objects needs.)
            var required = QuotedPattern().Matches(missing.Groups[1].Value)
                .Select(name => field == "body" ? name.Groups[1].Value : $"{field}.{name.Groups[1].Value}").Distinct().ToList();
            Finish(required, "This field is required.");
            return;
        }
        if (DuplicatePattern().Match(detail) is { Success: true } duplicate)
        {
            var name = duplicate.Groups[1].Value;
            field = field == "body" ? Placed(name) : field.EndsWith(name, StringComparison.Ordinal) ? field : $"{field}.{name}";
            message = "This property is given more than once; send it once.";
        }
        else if (UnknownPattern().Match(detail) is { Success: true } unknown)
        {
            field = field == "body" ? Placed(unknown.Groups[1].Value) : field;
            message = "The request has no such field (check its spelling; read-only fields are not sent).";
        }
        else if (detail.Contains("trailing comma", StringComparison.Ordinal))
        {
            message = "The body has a trailing comma, which JSON does not allow.";
        }
        else if (detail.StartsWith("'/' is", StringComparison.Ordinal))
        {
            message = "The body has a comment, which JSON does not allow.";
        }
        else if (detail.Contains("end of the JSON payload", StringComparison.Ordinal) || detail.Contains("is an invalid", StringComparison.Ordinal)
                 || detail.Contains("' is invalid", StringComparison.Ordinal)
                 || detail.Contains("invalid start of a value", StringComparison.Ordinal) || detail.Contains("depth", StringComparison.Ordinal))
        {
            message = "The body is not well-formed JSON at this point.";
        }
        else if (body is not null && TypeAt(body, field) is { } wanted && (wanted == typeof(int) || wanted == typeof(long)))
        {
            // Until 2026-12-06 a version sent as 7.0 got the message for any wrong type, which never said "whole".
            message = "This value must be a whole number, written in digits alone (7, not 7.0 or 7e0).";
        }
        else if (body is not null && TypeAt(body, field) is { IsEnum: true } choices)
        {
            // Until 2026-12-06 an enum's wrong value ("quarter" for a precision) got the message for any wrong type.
            message = $"This value must be one of: {string.Join(", ", Tracker.Domain.Wording.Names(choices))}.";
        }
        else
        {
            message = "This value has the wrong type or format (numbers as JSON numbers of at most 28 significant digits, dates as YYYY-MM-DD, instants in ISO 8601 with their offset, enums by name).";
        }

        // A property of a nested object the reader names by the object's type alone: placed where the body has that type
        // once ("source.Primary"; until 2026-12-06 just "Primary"), left as it is where it has it several times.
        string Placed(string name) =>
            body is not null && OwnerTypePattern().Match(detail) is { Success: true } owner &&
            PathsOf(body, owner.Groups[1].Value, "", 0).ToList() is [var only] && only.Length > 0
                ? $"{only}.{name}"
                : name;
        Finish([field], message);

        void Finish(IReadOnlyList<string> fields, string said)
        {
            problem.Title = "The request body could not be read";
            // The reader's position is an internal of its buffering; the field map points at the fields.
            problem.Extensions.Remove("lineNumber");
            problem.Extensions.Remove("bytePositionInLine");
            problem.Detail = fields is ["body"] ? said : string.Join(" ", fields.Select(f => $"'{f}': {said}"));
            problem.Extensions["errors"] = fields.ToDictionary(f => f, _ => new[] { said });
        }
    }

    /// <summary>"$.amount.amount" is "amount.amount"; "$" is the whole body.</summary>
    private static string Field(string jsonPath)
    {
        var field = jsonPath.TrimStart('$').TrimStart('.');
        return field.Length == 0 ? "body" : field;
    }

    /// <summary>
    /// The type of the value at a field's path ("deadline.precision", "actors[2]") in the body, nullable unwrapped; null
    /// where the path names nothing the body type has.
    /// </summary>
    private static Type? TypeAt(Type body, string path)
    {
        Type? type = body;
        foreach (var part in path.Split('.'))
        {
            var name = part.Split('[')[0];
            type = type?.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
                .FirstOrDefault(p => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name) == name)?.PropertyType;
            if (type is null) return null;
            type = Nullable.GetUnderlyingType(type) ?? type;
            // An element of a list: "actors[2]" is one of the list's items.
            for (var i = part.Count(c => c == '['); i > 0; i--)
            {
                type = type.IsArray ? type.GetElementType()
                    : type.GetInterfaces().Append(type).FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
                if (type is null) return null;
                type = Nullable.GetUnderlyingType(type) ?? type;
            }
        }
        return type;
    }

    /// <summary>Where in the body (as JSON spells it) an object of the named type sits: "" for the body itself.</summary>
    private static IEnumerable<string> PathsOf(Type type, string typeName, string path, int depth)
    {
        if ((Nullable.GetUnderlyingType(type) ?? type).FullName == typeName) yield return path;
        if (depth > 4 || type.IsPrimitive || type == typeof(string) || type.Assembly.GetName().Name?.StartsWith("Tracker.", StringComparison.Ordinal) != true)
        {
            yield break;
        }
        foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.SetMethod is null) continue;
            var name = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            foreach (var found in PathsOf(property.PropertyType, typeName, path.Length == 0 ? name : $"{path}.{name}", depth + 1))
            {
                yield return found;
            }
        }
    }

    [GeneratedRegex(@"for type '([^']+)' was missing required properties")]
    private static partial Regex MissingTypePattern();

    [GeneratedRegex(@"Path: (\$[^\s|]*)")]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"missing required properties including: ('[^']+'(?:[,;] '[^']+')*)")]
    private static partial Regex MissingPattern();

    [GeneratedRegex(@"'([^']+)'")]
    private static partial Regex QuotedPattern();

    [GeneratedRegex(@"(?:contained in|deserializ\w* of|for) type '([^']+)'")]
    private static partial Regex OwnerTypePattern();

    [GeneratedRegex(@"Duplicate property '([^']+)'")]
    private static partial Regex DuplicatePattern();

    [GeneratedRegex(@"The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnknownPattern();
}

/// <summary>An endpoint's request body type, as endpoint metadata (Audit.EndpointMetadataPolicy puts it there).</summary>
public sealed record RequestBody(Type Type);
