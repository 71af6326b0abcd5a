using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>
/// Request bodies are read strictly, so nothing a client sends is silently dropped or silently defaulted: a property
/// the request type does not have is refused, and a yes/no, enum or decimal field without a default must be sent
/// (otherwise a missing "primary" would read as false, a missing "precision" as the first precision, and a missing
/// target amount as 0). Missing whole numbers and dates read as 0 and 0001-01-01, which the validators refuse with the
/// rest of the field map. Property names match exactly
/// (camelCase, as the OpenAPI document spells them), a property given twice is refused (also when the two differ only in
/// case: the second spelling is not a property of the request), and numbers are JSON numbers, never strings.
/// </summary>
public static class StrictJson
{
    public static void Apply(JsonSerializerOptions options)
    {
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.PropertyNameCaseInsensitive = false;
        options.AllowDuplicateProperties = false;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { RequireYesNoAndEnumParameters } };
        options.Converters.Add(new ExactDecimals());
        options.Converters.Add(new InstantsWithOffset());
    }

    private static void RequireYesNoAndEnumParameters(JsonTypeInfo type)
    {
        // Only the service's own request and value types (not anonymous or framework types, which have no setters).
        if (type.Kind != JsonTypeInfoKind.Object || type.Type.Assembly.GetName().Name?.StartsWith("Tracker.", StringComparison.Ordinal) != true) return;
        foreach (var property in type.Properties)
        {
            var valueType = property.PropertyType;
            // A number without a default too: a missing target amount read as 0, a target of zero (until 2026-12-06),
            // and a missing money amount was refused as "must be greater than 0" rather than as missing.
            if ((valueType == typeof(bool) || valueType.IsEnum || valueType == typeof(decimal)) && property.Set is not null
                && property.AssociatedParameter is { HasDefaultValue: false })
            {
                property.IsRequired = true;
            }
        }
    }
}

/// <summary>
/// An instant read only as RFC 3339 with its offset, as recordedAsOf is: without one ("2026-12-06T00:43:33", or a date
/// alone) the reader would take the server's local time zone, another instant on another server.
/// </summary>
public sealed class InstantsWithOffset : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || reader.GetString() is not { } text || !RequestTextGuard.InstantPattern().IsMatch(text) ||
            !DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var instant))
        {
            throw new JsonException();
        }
        return instant;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>
    /// An instant as the JSON writes it, for text outside the JSON (a header, a CSV cell, a problem's detail): its fraction
    /// of a second without trailing zeros, and its offset (2020-01-01T00:00:00+00:00, not .NET's seven digits).
    /// </summary>
    public static string Text(DateTimeOffset value) =>
        value.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A number read into a decimal exactly or not at all: decimal keeps 28 to 29 significant digits, and the serializer
/// would round anything longer ("1.00000000000000000000000000000001" read as 1) without a word.
/// </summary>
public sealed class ExactDecimals : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // Numbers are JSON numbers, never strings (JsonNumberHandling.Strict, which a converter of its own must keep).
        if (reader.TokenType != JsonTokenType.Number) throw new JsonException();
        var value = reader.GetDecimal();
        // Every request's amounts: 29 characters or fewer without an exponent hold at most 29 digits, which the reader
        // either kept exactly or refused as out of range. Only a longer number is compared digit by digit.
        if (!reader.HasValueSequence && reader.ValueSpan.Length <= 29 && reader.ValueSpan.IndexOfAny((byte)'e', (byte)'E') < 0)
        {
            return value;
        }
        var text = reader.HasValueSequence
            ? System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence))
            : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
        if (Normalised(text) != Normalised(value.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            // Without a message of its own, the serializer names the field, which the problem then points at
            // (JsonReadProblems), with the digits it keeps.
            throw new JsonException();
        }
        return value;
    }

    /// <summary>
    /// Without trailing zeros: one amount is written one way in every answer, whatever arithmetic reached it (a ledger
    /// value converted at a rate of 1.0 read 250000.0 beside 237500.00 until 2026-12-06). The stored events keep what
    /// was sent; a number's value is the same either way.
    /// </summary>
    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(Tracker.Domain.Decimals.Normal(value));

    /// <summary>A number's text as its sign, significant digits and the power of ten of the last one ("-12.30e1": -123, 0).</summary>
    private static string Normalised(string number)
    {
        long exponent = 0;
        var e = number.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            // The reader takes any exponent ("1e-99999999999" reads as 0); one past a long's range is no number kept here.
            if (!long.TryParse(number.AsSpan(e + 1), System.Globalization.NumberStyles.AllowLeadingSign,
                    System.Globalization.CultureInfo.InvariantCulture, out exponent) || Math.Abs(exponent) > 1_000_000_000)
            {
                throw new JsonException();
            }
            number = number[..e];
        }
        var negative = number.StartsWith('-');
        var unsigned = negative ? number[1..] : number;
        var point = unsigned.IndexOf('.');
        var digits = point < 0 ? unsigned : unsigned.Remove(point, 1);
        if (point >= 0) exponent -= unsigned.Length - point - 1;
        digits = digits.TrimStart('0');
        var significant = digits.TrimEnd('0');
        exponent += digits.Length - significant.Length;
        return significant.Length == 0 ? "0" : $"{(negative ? "-" : "")}{significant}e{exponent}";
    }
}
