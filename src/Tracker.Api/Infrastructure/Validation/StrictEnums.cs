using Tracker.Domain;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>
/// Enums are read by their API name only ("achieved-late"), exactly: not by number ("3"), not by their .NET name
/// ("AchievedLate"), not in another case, not with spaces around, not as a comma-separated combination. Framework
/// enum reading falls back to all of those; a trailing space once withdrew a commitment.
/// </summary>
public sealed class StrictEnums : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(ByName<>).MakeGenericType(typeToConvert))!;

    private sealed class ByName<T> : JsonConverter<T> where T : struct, Enum
    {
        private static readonly Dictionary<string, T> Values = Enum.GetValues<T>().ToDictionary(v => Wording.Name(v), StringComparer.Ordinal);
        private static readonly Dictionary<T, string> Spellings = Values.ToDictionary(p => p.Value, p => p.Key);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            // A null message lets the reader add the field's path; the problem then names the field (JsonReadProblems).
            if (reader.TokenType != JsonTokenType.String || !Values.TryGetValue(reader.GetString()!, out var value)) throw new JsonException();
            return value;
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Spellings.TryGetValue(value, out var name) ? name : Wording.Name(value));
    }
}
