using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>
/// Request bodies are read strictly, so nothing a client sends is silently dropped or silently defaulted: a property
/// the request type does not have is refused, and a yes/no or enum field without a default must be sent (otherwise a
/// missing "primary" would read as false and a missing "precision" as the first precision). Missing numbers and dates
/// read as 0 and 0001-01-01, which the validators refuse with the rest of the field map. Property names match exactly
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
    }

    private static void RequireYesNoAndEnumParameters(JsonTypeInfo type)
    {
        // Only the service's own request and value types (not anonymous or framework types, which have no setters).
        if (type.Kind != JsonTypeInfoKind.Object || type.Type.Assembly.GetName().Name?.StartsWith("Tracker.", StringComparison.Ordinal) != true) return;
        foreach (var property in type.Properties)
        {
            var valueType = property.PropertyType;
            if ((valueType == typeof(bool) || valueType.IsEnum) && property.Set is not null
                && property.AssociatedParameter is { HasDefaultValue: false })
            {
                property.IsRequired = true;
            }
        }
    }
}
