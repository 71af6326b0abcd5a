using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// A body the JSON reader refused (wrong type, impossible date, broken JSON) is answered by the framework with the
/// serializer's message, which names .NET types. This rewrites it to name the field, as validation problems do, and to
/// say what the field wanted, without internals. Given the body as sent (<see cref="SentBody"/>), it says what the reader's
/// message cannot: a body that is not UTF-8, or that stops before its JSON ends; and beside the fields a body left out,
/// what the request's rules say of the rest of it, so that a client hears every mistake at once.
/// </summary>
public static partial class JsonReadProblems
{
    private const string FrameworkTitle = "Invalid JSON format";

    /// <param name="body">The endpoint's request body type, which places a nested object the reader names only by its type.</param>
    /// <param name="sent">The body as it was sent, with what read it, where the request kept it.</param>
    public static void Rewrite(ProblemDetails problem, Type? body = null, SentBody? sent = null)
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
        // The reader's message for either is about a value of the wrong type (until 2026-12-06 what the client was told).
        if (sent is not null && FirstByteNotUtf8(sent.Bytes) is { } notUtf8)
        {
            Finish(["body"], string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"The body is not UTF-8 from its byte {notUtf8 + 1:N0} on: send the JSON encoded as UTF-8."));
            return;
        }
        if (sent is not null && EndsBeforeItsJson(sent.Bytes, sent.Options))
        {
            Finish(["body"], "The body ends before its JSON does (a value, a closing quote, brace or bracket is missing): send it whole.");
            return;
        }
        // An array, a string or a number where the route reads an object: told so (until 2026-12-06 told of types and dates).
        // (Only where the body opens as another JSON value: a comment or a body that is not JSON at all is said as such below.)
        if (field == "body" && sent is not null && FirstValueByte(sent.Bytes) is (byte)'[' or (byte)'"' or (byte)'-' or (>= (byte)'0' and <= (byte)'9') or (byte)'t' or (byte)'f'
            && Safely(() => Parsed(sent.Bytes)) is not null and not JsonObject)
        {
            Finish(["body"], "The body must be a JSON object ({ ... }), not an array, a string, a number or true or false.");
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
            // The reader stops at the first object with a field left out; the body as sent names them all, and the rules
            // run on the rest of it (until 2026-12-06 they were heard on the next try).
            var besides = new Dictionary<string, string[]>();
            if (sent is not null && body is not null && Safely(() => LeftOut(body, sent)) is { Fields.Count: > 0 } leftOut)
            {
                required = [.. leftOut.Fields.Select(f => f.Path).Union(required)];
                // A large body is not read again and again for its rules: the fields left out are named, as before.
                if (sent.Bytes.Length <= MaxBodyReadAgain) besides = Safely(() => RulesBesides(body, sent, leftOut)) ?? besides;
            }
            const string said = "This field is required.";
            Finish(required, said, "The request is not valid");
            foreach (var (name, messages) in besides) ((Dictionary<string, string[]>)problem.Extensions["errors"]!)[name] = messages;
            problem.Detail = string.Join(" ", required.Select(f => $"'{f}': {said}").Concat(besides.Values.SelectMany(m => m)));
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
        else if (sent is not null && SyntaxErrorAt(sent.Bytes) is { } broken && ReaderPosition().Match(detail) is { Success: true } stopped &&
                 (long.Parse(stopped.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
                  long.Parse(stopped.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)) == broken)
        {
            // The reader's other words for a body that is no JSON ("invalid leading zero", "not a hex digit"): told of
            // types and formats until 2026-12-07, as if the value were well-formed and of the wrong type. Said only where
            // the reader stopped at the body's first break (a value of the wrong type before it is said as such): the
            // field is where it stopped, and what is wrong is the body's syntax there, not the value's type.
            message = "The body is not well-formed JSON at this point (a number written with a leading zero such as 01, " +
                      "an escape that is none such as \\u00zz, or a missing quote or comma).";
        }
        else if (NullRefusedPattern().IsMatch(detail))
        {
            // A field the reader's type does not let be null (a catalogue's title): until 2026-12-06 told it had the wrong type.
            message = "This field is required; null is not a value it takes.";
        }
        else if (body is not null && TypeAt(body, field) is { } wanted && (wanted == typeof(int) || wanted == typeof(long)))
        {
            // Until 2026-12-06 a version sent as 7.0 got the message for any wrong type, which never said "whole"; and one
            // written in digits but past the field's range was told to write it in digits.
            var (least, largest) = wanted == typeof(int) ? ((long)int.MinValue, (long)int.MaxValue) : (long.MinValue, long.MaxValue);
            var value = sent is null ? null : Safely(() => ValueAt(sent.Bytes, field));
            message = value is not null && WholeNumberPattern().IsMatch(value)
                ? value.StartsWith('-')
                    ? FormattableString.Invariant($"This value is below the smallest whole number this field holds ({least:N0}).")
                    : FormattableString.Invariant($"This value is past the largest whole number this field holds ({largest:N0}).")
                : value is null && sent is not null
                    // The body could not be read again to tell which (a property given twice further on).
                    ? FormattableString.Invariant($"This value must be a whole number from {least:N0} to {largest:N0}, written in digits alone (7, not 7.0 or 7e0).")
                    : "This value must be a whole number, written in digits alone (7, not 7.0 or 7e0).";
        }
        else if (sent is not null && (body is null || TypeAt(body, field) == typeof(string)) &&
                 LoneSurrogate().IsMatch(System.Text.Encoding.UTF8.GetString(sent.Bytes)))
        {
            // Until 2026-12-06 told of numbers, dates and enums.
            message = "This text holds half of a surrogate pair (a \\uD800-\\uDFFF escape without its other half), which is no character: send whole characters.";
        }
        else if (body is not null && TypeAt(body, field) is { } dated && (dated == typeof(DateOnly) || dated == typeof(DateTimeOffset)))
        {
            // A day written rightly that does not exist (2023-02-29) is told so, as the query's dates are (until 2026-12-06 it
            // was told to write dates as YYYY-MM-DD, which it had).
            var value = sent is null ? null : Safely(() => ValueAt(sent.Bytes, field));
            message = dated == typeof(DateOnly)
                ? value is not null && QuotedDatePattern().IsMatch(value)
                    ? "This date does not exist (a month past 12, or a day past its month's end)."
                    : "This value must be a date as YYYY-MM-DD."
                : value is not null && value.Length > 2 && Validation.RequestTextGuard.InstantPattern().IsMatch(value[1..^1])
                    ? "This date and time does not exist (a day past its month's end, an hour past 23, a minute or second past 59, or an offset beyond 14:00 either side)."
                    : "This value must be a date and time in ISO 8601 with its offset, such as 2024-09-30T12:00:00Z.";
        }
        else if (body is not null && TypeAt(body, field) is { IsEnum: true } choices)
        {
            // Until 2026-12-06 an enum's wrong value ("quarter" for a precision) got the message for any wrong type.
            message = $"This value must be one of: {string.Join(", ", Tracker.Domain.Wording.Names(choices))}.";
        }
        else
        {
            message = "This value has the wrong type or format (numbers as JSON numbers of at most 28 significant digits and 28 decimal places, dates as YYYY-MM-DD, instants in ISO 8601 with their offset, enums by name).";
        }

        // A property of a nested object the reader names by the object's type alone: placed where the body has that type
        // once ("source.Primary"; until 2026-12-06 just "Primary"), left as it is where it has it several times.
        string Placed(string name) =>
            body is not null && OwnerTypePattern().Match(detail) is { Success: true } owner &&
            PathsOf(body, owner.Groups[1].Value, "", 0).ToList() is [var only] && only.Length > 0
                ? $"{only}.{name}"
                : name;
        Finish([field], message);
        // A mistake the reader stopped at (a field the request has not) before the body breaks JSON further on (a trailing
        // comma, a comment): the break is said too, as the body's, so that the next try is not refused for it (until
        // 2026-12-07 only the field was said).
        if (field != "body" && !message.StartsWith("The body", StringComparison.Ordinal) && sent is not null &&
            sent.Bytes.Length <= MaxBodyReadAgain && !ReadsAsJson(sent.Bytes) && Safely(() => SyntaxOf(sent.Bytes)) is { } syntax)
        {
            ((Dictionary<string, string[]>)problem.Extensions["errors"]!)["body"] = [syntax];
            problem.Detail = $"{problem.Detail} {syntax}";
        }

        // A body that reads as JSON and holds a mistake (a field of the wrong type, one the request has not, a value not
        // among an enum's) is titled as a mistake the rules find is (until 2026-12-07 "could not be read", as a body
        // that is no JSON is): the title says which check found it no more than the README's one shape does.
        void Finish(IReadOnlyList<string> fields, string said, string? title = null)
        {
            problem.Title = title ?? (sent is not null && ReadsAsJson(sent.Bytes) ? "The request is not valid" : "The request body could not be read");
            // The reader's position is an internal of its buffering; the field map points at the fields.
            problem.Extensions.Remove("lineNumber");
            problem.Extensions.Remove("bytePositionInLine");
            problem.Detail = fields is ["body"] ? said : string.Join(" ", fields.Select(f => $"'{f}': {said}"));
            problem.Extensions["errors"] = fields.ToDictionary(f => f, _ => new[] { said });
        }
    }

    /// <summary>Whether bytes are JSON at all (a property given twice included: the reader refuses it, the syntax does not).</summary>
    private static bool ReadsAsJson(byte[] bytes)
    {
        // UTF-8 throughout (the parser lets bytes that are not pass inside a string), after any byte-order mark (which the
        // service's reader skips), at any depth the reader's own refusal would be about.
        var body = bytes.AsSpan().StartsWith(System.Text.Encoding.UTF8.Preamble) ? bytes.AsMemory(3) : bytes.AsMemory();
        if (!System.Text.Unicode.Utf8.IsValid(body.Span)) return false;
        try
        {
            using var _ = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 1024 });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>What breaks JSON in a body that is UTF-8, in the words a body broken at its first value is told; null where nothing does.</summary>
    private static string? SyntaxOf(byte[] bytes)
    {
        var body = bytes.AsSpan().StartsWith(System.Text.Encoding.UTF8.Preamble) ? bytes.AsSpan(3) : bytes.AsSpan();
        if (!System.Text.Unicode.Utf8.IsValid(body)) return null;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 1024 });
        try
        {
            while (reader.Read()) { }
            return null;
        }
        catch (JsonException e)
        {
            return e.Message.Contains("trailing comma", StringComparison.Ordinal) ? "The body has a trailing comma, which JSON does not allow."
                : e.Message.StartsWith("'/' is", StringComparison.Ordinal) ? "The body has a comment, which JSON does not allow."
                : "The body is not well-formed JSON further on (a number written with a leading zero such as 01, an escape that is " +
                  "none such as \\u00zz, or a missing quote, comma, brace or bracket).";
        }
    }

    /// <summary>Where the body first stops being JSON (its line and byte, as the reader counts them), or null where it does not.</summary>
    private static (long Line, long Byte)? SyntaxErrorAt(byte[] bytes)
    {
        var body = bytes.AsSpan().StartsWith(System.Text.Encoding.UTF8.Preamble) ? bytes.AsSpan(3) : bytes.AsSpan();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 1024 });
        try
        {
            while (reader.Read()) { }
            return null;
        }
        catch (JsonException e)
        {
            return (e.LineNumber ?? -1, e.BytePositionInLine ?? -1);
        }
    }

    /// <summary>The largest body whose rules are run again beside the fields it left out (each reading parses it whole).</summary>
    public const int MaxBodyReadAgain = 64 * 1024;

    /// <summary>
    /// The body as a tree, a property given twice refused (the tree would take it, and then throw on looking it up). The
    /// reader stops at a body's first problem, so a repeated property after it reaches here.
    /// </summary>
    private static JsonNode? Parsed(byte[] bytes) =>
        JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });

    /// <summary>
    /// What the body as sent adds to a refusal, or null where working it out fails: this runs while an error response is
    /// written, where an exception would turn a 400 into a 500, so the reader's own account stands instead.
    /// </summary>
    private static T? Safely<T>(Func<T?> describe) where T : class
    {
        try
        {
            return describe();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException
                                       or OverflowException or System.Reflection.TargetInvocationException)
        {
            return null;
        }
    }

    /// <summary>Where the body stops being UTF-8 (a byte offset), or null where it is UTF-8 throughout.</summary>
    private static int? FirstByteNotUtf8(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return null;
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != OperationStatus.Done) return offset;
            offset += consumed;
        }
        return null;
    }

    /// <summary>
    /// Whether the body is JSON cut short: read whole, the reader fails; read as though more were to come, it does not.
    /// </summary>
    private static bool EndsBeforeItsJson(ReadOnlySpan<byte> bytes, JsonSerializerOptions options)
    {
        var reading = new JsonReaderOptions { MaxDepth = options.MaxDepth };
        try
        {
            var whole = new Utf8JsonReader(bytes, isFinalBlock: true, new JsonReaderState(reading));
            while (whole.Read()) { }
            return false;
        }
        catch (JsonException)
        {
            // Broken somewhere, or stopped short: the second read tells which.
        }
        try
        {
            var begun = new Utf8JsonReader(bytes, isFinalBlock: false, new JsonReaderState(reading));
            while (begun.Read()) { }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A field the body left out that the reader requires, and the object it belongs in.</summary>
    public sealed record LeftOutField(JsonObject Parent, string Name, string Path, Type Type);

    /// <summary>Every required field the body left out, at every depth, with the body read as a tree.</summary>
    public sealed record LeftOutFields(JsonNode Body, IReadOnlyList<LeftOutField> Fields);

    private static LeftOutFields? LeftOut(Type body, SentBody sent)
    {
        JsonNode? root;
        try
        {
            root = Parsed(sent.Bytes);
        }
        catch (JsonException)
        {
            return null;
        }
        if (root is null) return null;
        var found = new List<LeftOutField>();
        Walk(root, sent.Options.GetTypeInfo(body), "");
        return new LeftOutFields(root, found);

        void Walk(JsonNode? node, JsonTypeInfo type, string path)
        {
            if (type.Kind == JsonTypeInfoKind.Object && node is JsonObject fields)
            {
                foreach (var property in type.Properties)
                {
                    var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (!fields.TryGetPropertyValue(property.Name, out var value))
                    {
                        if (property.IsRequired) found.Add(new LeftOutField(fields, property.Name, at, property.PropertyType));
                    }
                    else
                    {
                        Walk(value, sent.Options.GetTypeInfo(property.PropertyType), at);
                    }
                }
            }
            else if (type.Kind == JsonTypeInfoKind.Enumerable && node is JsonArray items && type.ElementType is { } element)
            {
                for (var i = 0; i < items.Count; i++) Walk(items[i], sent.Options.GetTypeInfo(element), $"{path}[{i}]");
            }
        }
    }

    /// <summary>
    /// What the request's rules say of the rest of a body that left fields out: the body is read several times, its
    /// left-out fields given other values each time (a yes/no both ways, every value of an enum in turn, a small and a
    /// large amount; several left-out fields move together, not through every combination), and only what every reading
    /// says is kept, so nothing said turns on a value the client did not send as far as those readings tell. Nothing is
    /// said of the left-out fields themselves, or of what lies under them. Null when a reading fails.
    /// </summary>
    private static Dictionary<string, string[]>? RulesBesides(Type body, SentBody sent, LeftOutFields leftOut)
    {
        var choices = leftOut.Fields.Select(f => ValuesFor(f.Type, sent.Options)).ToList();
        if (choices.Any(c => c.Count == 0)) return null;
        Dictionary<string, string[]>? common = null;
        for (var reading = 0; reading < Math.Max(2, choices.Max(c => c.Count)); reading++)
        {
            for (var i = 0; i < leftOut.Fields.Count; i++)
            {
                leftOut.Fields[i].Parent[leftOut.Fields[i].Name] = choices[i][reading % choices[i].Count]?.DeepClone();
            }
            object? request;
            try
            {
                request = leftOut.Body.Deserialize(body, sent.Options);
            }
            catch (JsonException)
            {
                return null;
            }
            if (request is null || sent.Validate(request) is not { } said) return null;
            common = common is null
                ? said
                : common.Where(e => said.TryGetValue(e.Key, out var again) && again.SequenceEqual(e.Value)).ToDictionary();
        }
        return common?
            .Where(e => !leftOut.Fields.Any(f => e.Key == f.Path || e.Key.StartsWith(f.Path + ".", StringComparison.Ordinal) ||
                                                   e.Key.StartsWith(f.Path + "[", StringComparison.Ordinal)))
            .ToDictionary();
    }

    private static List<JsonNode?> ValuesFor(Type type, JsonSerializerOptions options)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(bool)) return [JsonValue.Create(false), JsonValue.Create(true)];
        if (type == typeof(decimal)) return [JsonValue.Create(1m), JsonValue.Create(1_000_000_000m)];
        if (type.IsEnum) return [.. Enum.GetValues(type).Cast<object>().Select(v => JsonSerializer.SerializeToNode(v, type, options))];
        return [];
    }

    /// <summary>The JSON text of the value at a field's path ("version", "items[2].amount") in a body; null where there is none.</summary>
    private static string? ValueAt(byte[] bytes, string path)
    {
        JsonNode? node;
        try
        {
            node = Parsed(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
        foreach (var part in path.Split('.'))
        {
            var name = part.Split('[')[0];
            node = node is JsonObject fields && fields.TryGetPropertyValue(name, out var value) ? value : null;
            foreach (var index in IndexPattern().Matches(part).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
            {
                node = node is JsonArray items && index < items.Count ? items[index] : null;
            }
            if (node is null) return null;
        }
        return node?.ToJsonString();
    }

    /// <summary>Where the reader stopped, as its message says ("LineNumber: 0 | BytePositionInLine: 12").</summary>
    [GeneratedRegex(@"LineNumber: ([0-9]+) \| BytePositionInLine: ([0-9]+)")]
    private static partial Regex ReaderPosition();

    [GeneratedRegex(@"^-?[0-9]+$")]
    private static partial Regex WholeNumberPattern();

    [GeneratedRegex(@"^""[0-9]{4}-[0-9]{2}-[0-9]{2}""$")]
    private static partial Regex QuotedDatePattern();

    // A high surrogate's escape not followed by a low one's, or a low one's not after a high one's; an escape only where its
    // backslash is not itself escaped ("C:\\ud800" is a backslash and text).
    [GeneratedRegex(@"(?<!\\)(?:\\\\)*\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\)(?:\\\\)*(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")]
    private static partial Regex LoneSurrogate();

    /// <summary>The first byte of the body's JSON after any whitespace (and a UTF-8 byte order mark); null for none.</summary>
    private static byte? FirstValueByte(byte[] bytes)
    {
        var start = bytes is [0xEF, 0xBB, 0xBF, ..] ? 3 : 0;
        for (var i = start; i < bytes.Length; i++)
        {
            if (bytes[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return bytes[i];
        }
        return null;
    }

    [GeneratedRegex(@"\[([0-9]+)\]")]
    private static partial Regex IndexPattern();

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

    [GeneratedRegex(@"(?:doesn't|does not) allow (?:setting |getting )?null values")]
    private static partial Regex NullRefusedPattern();

    [GeneratedRegex(@"Duplicate property '([^']+)'")]
    private static partial Regex DuplicatePattern();

    [GeneratedRegex(@"The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnknownPattern();
}

/// <summary>
/// A request's body as it was sent (<see cref="Validation.SentJsonBody"/>), the options the endpoint read it with, and the
/// request's rules (<see cref="Validation.RequestValidation.ErrorsOf(object, IServiceProvider)"/>).
/// </summary>
public sealed record SentBody(byte[] Bytes, JsonSerializerOptions Options, Func<object, Dictionary<string, string[]>?> Validate);

/// <summary>An endpoint's request body type, as endpoint metadata (Audit.EndpointMetadataPolicy puts it there).</summary>
public sealed record RequestBody(Type Type);
