using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tracker.Tests.Faults;

/// <summary>One malformed request: what is wrong with it, and which field the answer must name ("body" for the whole).</summary>
public sealed record MalformedCase(string Route, string What, string Field, HttpContent Content);

/// <summary>
/// Malformed requests generated from the OpenAPI document: for every write operation, every field its request schema
/// declares (followed through $ref and nullable oneOf) gets the wrong values for its type (wrong JSON types, null or
/// missing when required, huge, negative and NaN numbers, impossible dates, unknown enum names and currencies, and
/// injection and unicode edge-case strings where the field has a format), set into a request that is otherwise valid;
/// then the body as a whole is broken (not JSON, truncated, the wrong shape, too deep, too big, the wrong content type).
/// </summary>
public static class MalformedCorpus
{
    /// <summary>Strings the service constrains (keys, references, codes, links): injection and unicode strings are invalid there.</summary>
    private static readonly HashSet<string> FormattedStrings = ["key", "documentKey", "currency", "url", "pledgeId"];

    private static readonly string[] HostileStrings =
    [
        "'; drop table tracker.mt_events; --", "\" or 1=1 --", "<script>alert(1)</script>", "javascript:alert(1)",
        "\u0000", "\u202egnp.exe", "\ud83d\ude00\u200d", "../../etc/passwd", "%00", "ＵＳＤ"
    ];

    /// <summary>Stands for "leave the field out" (a JSON null is a C# null here).</summary>
    private static readonly JsonNode Missing = JsonValue.Create("(missing)");

    public static IEnumerable<MalformedCase> Generate(JsonElement openApi, IReadOnlyDictionary<string, JsonObject> validBodies)
    {
        foreach (var (route, body) in validBodies)
        {
            var schema = RequestSchema(openApi, route);
            foreach (var field in Fields(openApi, schema, ""))
            {
                foreach (var (what, change) in Mutations(field).Concat(PastItsLimits(field)))
                {
                    var mutated = (JsonObject)body.DeepClone();
                    if (!Apply(mutated, field.Path, change)) continue;
                    yield return new MalformedCase(route, what, field.Path, Json(mutated.ToJsonString()));
                }
            }
            foreach (var broken in BrokenBodies(body)) yield return broken with { Route = route };
        }
    }

    private sealed record Field(string Path, JsonElement Schema, bool Required);

    private static JsonElement RequestSchema(JsonElement openApi, string route) =>
        Resolve(openApi, openApi.GetProperty("paths").GetProperty(route).GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema"));

    /// <summary>Follows $ref, and a oneOf of null and one schema (a nullable reference).</summary>
    private static JsonElement Resolve(JsonElement openApi, JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            return Resolve(openApi, openApi.GetProperty("components").GetProperty("schemas").GetProperty(name));
        }
        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var notNull = oneOf.EnumerateArray().Where(s => !IsNullSchema(s)).ToList();
            if (notNull.Count == 1) return Resolve(openApi, notNull[0]);
        }
        return schema;
    }

    private static bool IsNullSchema(JsonElement schema) => schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "null";

    private static bool Nullable(JsonElement schema) =>
        (schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.GetString() == "null"))
        || (schema.TryGetProperty("oneOf", out var oneOf) && oneOf.EnumerateArray().Any(IsNullSchema));

    private static IEnumerable<Field> Fields(JsonElement openApi, JsonElement schema, string prefix, int depth = 0)
    {
        if (depth > 3 || !schema.TryGetProperty("properties", out var properties)) yield break;
        var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()).ToHashSet() : [];
        foreach (var property in properties.EnumerateObject())
        {
            var path = prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}";
            var resolved = Resolve(openApi, property.Value);
            if (property.Value.TryGetProperty("readOnly", out var readOnly) && readOnly.GetBoolean()) continue; // answered, never read
            yield return new Field(path, resolved, required.Contains(property.Name) && !Nullable(property.Value));
            foreach (var nested in Fields(openApi, resolved, path, depth + 1)) yield return nested;
        }
    }

    private static string[] Types(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type)) return schema.TryGetProperty("properties", out _) ? ["object"] : [];
        return type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).Where(t => t != "null").ToArray() : [type.GetString()!];
    }

    /// <summary>The wrong values for a field, by its declared type and format.</summary>
    private static IEnumerable<(string What, JsonNode? Change)> Mutations(Field field)
    {
        var name = field.Path.Split('.')[^1];
        var types = Types(field.Schema);
        var format = field.Schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        var isEnum = field.Schema.TryGetProperty("enum", out _);

        if (field.Required)
        {
            yield return ("missing", Missing);
            yield return ("null", null);
        }
        if (types.Contains("object"))
        {
            foreach (var wrong in new JsonNode?[] { "text", 42, new JsonArray(), true }) yield return ($"object as {Describe(wrong)}", wrong);
            yield break;
        }
        if (types.Contains("array"))
        {
            foreach (var wrong in new JsonNode?[] { "text", 42, new JsonObject(), new JsonArray(42, true) }) yield return ($"array as {Describe(wrong)}", wrong);
            yield break;
        }
        if (types.Contains("number") || types.Contains("integer"))
        {
            foreach (var wrong in new JsonNode?[] { "abc", "NaN", "Infinity", "-Infinity", true, new JsonObject(), new JsonArray(),
                         JsonNode.Parse("1e400"), JsonNode.Parse("79228162514264337593543950336"), -1, JsonNode.Parse("-0.000001"), "1,000" })
            {
                yield return ($"number as {Describe(wrong)}", wrong);
            }
            yield break;
        }
        if (types.Contains("boolean"))
        {
            foreach (var wrong in new JsonNode?[] { "yes", 1, new JsonObject() }) yield return ($"boolean as {Describe(wrong)}", wrong);
            yield break;
        }
        if (format is "date" or "date-time")
        {
            foreach (var wrong in new JsonNode?[] { "2024-02-30", "2024-13-01", "0000-00-00", "30/09/2024", "yesterday", "", 20240930, new JsonObject() })
            {
                yield return ($"date as {Describe(wrong)}", wrong);
            }
            yield break;
        }
        // A string.
        foreach (var wrong in new JsonNode?[] { 42, true, new JsonObject(), new JsonArray() }) yield return ($"string as {Describe(wrong)}", wrong);
        if (isEnum || IsEnumName(name))
        {
            foreach (var wrong in new JsonNode?[] { "not-a-value", "ACHIEVED!", "", 99 }) yield return ($"enum as {Describe(wrong)}", wrong);
        }
        if (FormattedStrings.Contains(name))
        {
            foreach (var wrong in HostileStrings) yield return ($"{name} as {Describe(wrong)}", wrong);
            if (name == "currency") foreach (var wrong in new[] { "XYZ", "EURO", "usd ", "US" }) yield return ($"unknown currency {wrong}", wrong);
        }
        if (field.Required)
        {
            yield return ("blank", "   ");
            yield return ("a million characters", new string('x', 1_000_000));
        }
    }

    /// <summary>
    /// A value just past each limit the document states for the field (its length, spelling, bounds, how many items, and
    /// the same for each item of a list): the service must refuse each, or the document promises what it does not keep.
    /// </summary>
    private static IEnumerable<(string What, JsonNode? Change)> PastItsLimits(Field field)
    {
        var schema = field.Schema;
        foreach (var (what, change) in PastLimits(schema)) yield return (what, change);
        if (!schema.TryGetProperty("items", out var items)) yield break;
        foreach (var (what, change) in PastLimits(items).Where(c => c.Change is JsonValue))
        {
            yield return ($"an item {what}", new JsonArray(change));
        }
        if (schema.TryGetProperty("maxItems", out var maxItems))
        {
            var many = new JsonArray();
            for (var i = 0; i <= maxItems.GetInt32(); i++) many.Add(JsonValue.Create($"item-{i}"));
            yield return ($"{many.Count} items, past maxItems {maxItems.GetInt32()}", many);
        }
        if (schema.TryGetProperty("minItems", out var minItems) && minItems.GetInt32() == 1) yield return ("no items, below minItems 1", new JsonArray());
    }

    private static IEnumerable<(string What, JsonNode? Change)> PastLimits(JsonElement schema)
    {
        if (schema.TryGetProperty("maxLength", out var maxLength))
        {
            yield return ($"{maxLength.GetInt32() + 1} characters, past maxLength {maxLength.GetInt32()}", new string('x', maxLength.GetInt32() + 1));
        }
        if (schema.TryGetProperty("minLength", out var minLength) && minLength.GetInt32() == 1) yield return ("empty, below minLength 1", "");
        // A value the pattern refuses: a spelling a key cannot have, or spaces alone where text must show something.
        if (schema.TryGetProperty("pattern", out var pattern) &&
            new[] { "Not-A Key!", "   " }.FirstOrDefault(v => !System.Text.RegularExpressions.Regex.IsMatch(v, pattern.GetString()!)) is { } refused)
        {
            yield return ($"not matching {pattern.GetString()}", refused);
        }
        if (schema.TryGetProperty("exclusiveMinimum", out var above)) yield return ($"{above.GetDecimal()}, not above it", above.GetDecimal());
        if (schema.TryGetProperty("minimum", out var least)) yield return ($"{least.GetDecimal() - 1}, below minimum {least.GetDecimal()}", least.GetDecimal() - 1);
        if (schema.TryGetProperty("maximum", out var most)) yield return ($"{most.GetDecimal() + 1}, above maximum {most.GetDecimal()}", most.GetDecimal() + 1);
    }

    /// <summary>Enum-valued request fields (the schema states their type only as string).</summary>
    private static bool IsEnumName(string name) => name is "kind" or "status" or "stage" or "comparator" or "precision";

    private static string Describe(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length > 40 ? text[..40] + "…" : text;
    }

    private static bool Apply(JsonObject body, string path, JsonNode? change)
    {
        var parts = path.Split('.');
        JsonObject parent = body;
        foreach (var part in parts[..^1])
        {
            if (parent[part] is not JsonObject next) return false; // optional parent not in the valid body: nothing to break
            parent = next;
        }
        if (ReferenceEquals(change, Missing)) return parent.Remove(parts[^1]);
        parent[parts[^1]] = change;
        return true;
    }

    private static HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");

    private static IEnumerable<MalformedCase> BrokenBodies(JsonObject valid)
    {
        var text = valid.ToJsonString();
        MalformedCase Body(string what, HttpContent content) => new("", what, "body", content);
        yield return Body("empty body", Json(""));
        yield return Body("truncated JSON", Json(text[..(text.Length / 2)]));
        yield return Body("trailing comma", Json(text[..^1] + ",}"));
        yield return Body("single quotes", Json(text.Replace('"', '\'')));
        yield return Body("an array", Json($"[{text}]"));
        yield return Body("a string", Json("\"hello\""));
        yield return Body("null", Json("null"));
        yield return Body("a number", Json("42"));
        yield return Body("nested 500 deep", Json(string.Concat(Enumerable.Repeat("{\"a\":", 500)) + "1" + new string('}', 500)));
        yield return Body("invalid UTF-8", new ByteArrayContent([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) { Headers = { { "Content-Type", "application/json" } } });
        yield return Body("two megabytes", Json($"{{\"title\":\"{new string('x', 2 * 1024 * 1024)}\"}}"));
        yield return Body("text/plain", new StringContent(text, Encoding.UTF8, "text/plain"));
        yield return Body("application/xml", new StringContent("<pledge><amount>5</amount></pledge>", Encoding.UTF8, "application/xml"));
        yield return Body("a form", new FormUrlEncodedContent([new("key", "value")]));
        yield return Body("no content type", new ByteArrayContent(Encoding.UTF8.GetBytes(text)));
    }
}
