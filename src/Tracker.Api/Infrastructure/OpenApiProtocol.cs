using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tracker.Api.Infrastructure.Auditing;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// What the middleware adds to every operation, which the endpoints' own metadata cannot say: the headers a request may
/// carry (Idempotency-Key, If-Match, If-None-Match, X-Correlation-Id), the headers an answer carries (ETag, Location,
/// Retry-After), and the refusals any route can give before its endpoint runs (400 for a malformed query, 413, 415, 429,
/// 304 for a conditional GET). Also what the generator gets wrong about answers written by the endpoint itself: the
/// streamed exports answer 200 with their file, not 204, and an endpoint answering through an IResult has no 200 beside
/// its 201 or 202.
/// </summary>
public static class ProtocolDescription
{
    public static void Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var method = context.Description.HttpMethod ?? "GET";
        var path = "/" + (context.Description.RelativePath ?? "");
        var responses = operation.Responses ??= new OpenApiResponses();
        var problem = Problem(context);

        operation.Parameters ??= [];
        operation.Parameters.Add(Header("X-Correlation-Id",
            "Ties this request to others of one piece of work: recorded on every event it writes and returned in the answer " +
            "(else the W3C traceparent's trace id, else a new one).", 200));
        responses.TryAdd("400", Refusal(problem, "A malformed query or body: a parameter given twice, a value out of range"));
        responses.TryAdd("429", Refusal(problem, "Too many requests from this client; Retry-After says when to try again",
            ("Retry-After", "Seconds to wait before trying again", JsonSchemaType.Integer)));

        if (operation.RequestBody is not null)
        {
            responses.TryAdd("413", Refusal(problem, "The body is over the size limit (problem type body-too-large)"));
            responses.TryAdd("415", Refusal(problem, "The body is not JSON (application/json or another +json type, UTF-8)"));
        }

        if (HttpMethods.IsPost(method) && !path.StartsWith(WriteMetadata.ReadOnlyPrefix, StringComparison.Ordinal))
        {
            operation.Parameters.Add(Header("Idempotency-Key",
                "Any string up to 200 characters (a UUID is best). Repeating the request with the key replays the first " +
                "success (with Idempotent-Replayed: true) and records nothing again; the key with another request is a 422.", 200));
        }

        // Any other write (one that creates, or acts on no version) refuses If-Match naming versions with a 412 and does
        // nothing (IfMatchOnOtherWrites); until 2026-12-06 the document did not say so.
        if (HttpMethods.IsPost(method) && !path.StartsWith(WriteMetadata.ReadOnlyPrefix, StringComparison.Ordinal) &&
            !responses.ContainsKey("412"))
        {
            responses.TryAdd("412", Refusal(problem, "If-Match named versions: this write has none to compare, so nothing was done"));
            operation.Parameters.Add(Header("If-Match",
                "Not needed here: this write has no version to compare. * passes; naming versions is a 412, and nothing is done."));
        }
        // A write to a commitment (refused with 412 when its version moved on) takes the version it decided on.
        else if (responses.ContainsKey("412"))
        {
            operation.Parameters.Add(Header("If-Match",
                "The commitment's ETag the write was decided on (\"3\"), or *: a 412 if the commitment has moved on since."));
            foreach (var (_, success) in Successes(responses)) AddHeader(success, "ETag", "The commitment's version after the write");
        }

        if (responses.TryGetValue("201", out var created))
        {
            AddHeader(created, "Location", "Where the created resource is read");
        }

        // Answers through an IResult have their real status declared beside it (201, 202): the generator's 200 is not one.
        if (responses.TryGetValue("200", out var ok) && Describes(ok, "IResult") &&
            responses.Keys.Any(code => code is not "200" && code.StartsWith('2')))
        {
            responses.Remove("200");
        }

        var export = path.EndsWith(".csv", StringComparison.Ordinal) || path.EndsWith(".xml", StringComparison.Ordinal);
        if (export && responses.Remove("204"))
        {
            responses["200"] = new OpenApiResponse
            {
                Description = "The file, streamed as it is read",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [path.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv" : "application/xml"] =
                        new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } }
                }
            };
        }
        else if (HttpMethods.IsGet(method) && responses.TryGetValue("200", out var read))
        {
            // Every JSON read's 200 carries an ETag (Http/ConditionalGets), which If-None-Match takes back.
            AddHeader(read, "ETag", "A commitment's version, or a tag of the body");
            operation.Parameters.Add(Header("If-None-Match", "An ETag of this read's earlier answer: a 304 if it is unchanged."));
            responses.TryAdd("304", new OpenApiResponse { Description = "Unchanged since the ETag sent in If-None-Match" });
        }
    }

    private static OpenApiParameter Header(string name, string description, int? maxLength = null) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = false,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = maxLength }
    };

    private static IOpenApiSchema Problem(OpenApiOperationTransformerContext context) =>
        context.Document is { } document ? new OpenApiSchemaReference(nameof(Microsoft.AspNetCore.Mvc.ProblemDetails), document)
            : new OpenApiSchema { Type = JsonSchemaType.Object };

    private static OpenApiResponse Refusal(IOpenApiSchema problem, string description,
        params (string Name, string Description, JsonSchemaType Type)[] headers)
    {
        var response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = problem } }
        };
        foreach (var (name, text, type) in headers) AddHeader(response, name, text, type);
        return response;
    }

    private static IEnumerable<KeyValuePair<string, IOpenApiResponse>> Successes(OpenApiResponses responses) =>
        responses.Where(r => r.Key.StartsWith('2'));

    private static bool Describes(IOpenApiResponse response, string schema) =>
        response.Content?.Values.Any(c => c.Schema is OpenApiSchemaReference reference && reference.Reference.Id == schema) == true;

    private static void AddHeader(IOpenApiResponse response, string name, string description,
        JsonSchemaType type = JsonSchemaType.String)
    {
        if (response is not OpenApiResponse concrete) return;
        concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
        concrete.Headers.TryAdd(name, new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } });
    }
}

/// <summary>
/// The fields a body must carry, as the service reads it: those the JSON reader requires (yes/no and enum fields without
/// a default), those the type's validator refuses to go without (NotNull or NotEmpty, whatever else holds), and those of
/// a type that cannot be null. A nullable field is optional unless its validator says otherwise. In an answer, where a
/// null field is left out, the same rule says which fields are always there.
/// </summary>
public static class RequiredFields
{
    public static void Apply(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        var type = context.JsonTypeInfo;
        // (Also when the type's schema is made for a property of another: JsonTypeInfo is then the property's type.)
        if (type.Kind != JsonTypeInfoKind.Object || schema.Properties is null ||
            type.Type.Assembly.GetName().Name?.StartsWith("Tracker.", StringComparison.Ordinal) != true)
        {
            return;
        }

        var validator = context.ApplicationServices.GetService(typeof(IValidator<>).MakeGenericType(type.Type)) as IValidator;
        var rules = validator?.CreateDescriptor();
        var nullability = new NullabilityInfoContext();
        var required = type.Properties.Where(p => schema.Properties.ContainsKey(p.Name) && Required(p, rules, nullability))
            .Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        schema.Required = required.Count > 0 ? required : null;
        // A field that must be sent must not be null either (null is refused as missing is).
        foreach (var name in required)
        {
            if (schema.Properties[name] is OpenApiSchema { Type: { } types } field && types.HasFlag(JsonSchemaType.Null) &&
                types != JsonSchemaType.Null)
            {
                field.Type = types & ~JsonSchemaType.Null;
            }

        }
    }

    /// <summary>
    /// The same for a required field of a nullable object or enum type, which the generator writes as "one of null or
    /// the type" once the document's schemas are put together: the type alone.
    /// </summary>
    public static void NotNullWhereRequired(OpenApiDocument document)
    {
        foreach (var schema in document.Components?.Schemas?.Values.OfType<OpenApiSchema>() ?? [])
        {
            if (schema.Required is not { Count: > 0 } required || schema.Properties is null) continue;
            foreach (var name in required)
            {
                if (schema.Properties.TryGetValue(name, out var field) && field is OpenApiSchema { OneOf: [var first, var second] } &&
                    (IsNull(first) ? second : IsNull(second) ? first : null) is { } alone)
                {
                    schema.Properties[name] = alone;
                }
            }
        }
    }

    private static bool IsNull(IOpenApiSchema schema) => schema is OpenApiSchema { Type: JsonSchemaType.Null };

    private static bool Required(JsonPropertyInfo property, IValidatorDescriptor? rules, NullabilityInfoContext nullability)
    {
        if (property.IsRequired) return true;
        if (property.AssociatedParameter is { HasDefaultValue: true }) return false;
        var member = property.AttributeProvider as MemberInfo;
        if (member is not null && rules is not null && rules.GetRulesForMember(member.Name).Any(rule =>
                !rule.HasCondition && !rule.HasAsyncCondition && rule.Components.Any(c =>
                    !c.HasCondition && !c.HasAsyncCondition && c.Validator is INotNullValidator or INotEmptyValidator)))
        {
            return true;
        }
        return !MayBeNull(property, member, nullability);
    }

    private static bool MayBeNull(JsonPropertyInfo property, MemberInfo? member, NullabilityInfoContext nullability)
    {
        if (property.PropertyType.IsValueType) return Nullable.GetUnderlyingType(property.PropertyType) is not null;
        var state = member switch
        {
            PropertyInfo p => nullability.Create(p).ReadState,
            FieldInfo f => nullability.Create(f).ReadState,
            _ => NullabilityState.Unknown
        };
        return state != NullabilityState.NotNull;
    }
}
