using Microsoft.OpenApi;

namespace Tracker.Api.Infrastructure;

public static partial class OpenApiSetup
{
    [System.Text.RegularExpressions.GeneratedRegex("^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)_[A-Za-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex GeneratedHandlerName();

    /// <summary>
    /// HEAD is answered wherever GET is (HeadAsGet), with the same status and headers and no body: the document says so
    /// with an operation of its own beside each GET (until 2026-12-07 it listed none).
    /// </summary>
    private static void HeadWhereGet(OpenApiDocument document)
    {
        foreach (var item in (document.Paths ?? []).Values.OfType<OpenApiPathItem>())
        {
            if (item.Operations is not { } operations || !operations.TryGetValue(HttpMethod.Get, out var get) ||
                operations.ContainsKey(HttpMethod.Head)) continue;
            var head = new OpenApiOperation
            {
                Summary = get.Summary is { } summary ? $"{summary}: the headers only" : "The headers of the GET only",
                OperationId = get.OperationId is { } id ? $"{id}Head" : null,
                Tags = get.Tags,
                Parameters = get.Parameters,
                Security = get.Security,
                Responses = new OpenApiResponses()
            };
            foreach (var (code, response) in get.Responses ?? [])
            {
                head.Responses[code] = new OpenApiResponse { Description = response.Description, Headers = response.Headers };
            }
            operations[HttpMethod.Head] = head;
        }
    }

    /// <summary>The parameters that ask for a past view, which only the audit roles may read (AuditAccess).</summary>
    private static readonly string[] PastParameters = ["recordedAsOf", "version", "effectiveAsOf"];

    /// <summary>
    /// Who may call the operation, as RouteAuthorization decides it: the roles, in its description, and for the public
    /// reads where anonymous reads are on, a security requirement that admits no credentials. The past parameters say
    /// they are the auditors'. (Until 2026-12-07 every operation inherited the document's requirement of a key or token,
    /// and nothing said which role a route needs.)
    /// </summary>
    private static void WhoMayCall(OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context)
    {
        var policy = Security.RouteAuthorization.PolicyFor(context.Description.HttpMethod ?? "GET", "/" + context.Description.RelativePath);
        var anonymous = policy == Security.Policies.Read &&
                        context.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Security.AuthOptions>>().Value.AnonymousReads;
        var roles = string.Join(", ", Security.Policies.RolesOf(policy) ?? []);
        var who = anonymous ? $"Who may call it: anyone, without a key (anonymous reads are on), or the roles {roles}." : $"Who may call it: the roles {roles}.";
        operation.Description = operation.Description is { Length: > 0 } described ? $"{described}\n\n{who}" : who;
        if (anonymous)
        {
            operation.Security =
            [
                new OpenApiSecurityRequirement(),
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", context.Document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] }
            ];
        }
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>()
                     .Where(p => p.In == ParameterLocation.Query && PastParameters.Contains(p.Name)))
        {
            var past = $"A past view: the roles {string.Join(", ", Security.Policies.RolesOf(Security.Policies.Audit) ?? [])} only (401 without a key or token, 403 for the other roles).";
            parameter.Description = parameter.Description is { Length: > 0 } said ? $"{said} {past}" : past;
        }
    }

    public static IServiceCollection AddTrackerOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "CommitmentTracker API";
                document.Info.Description =
                    "Commitments stated in communiqués as event streams: monitors record what happens, dashboards read " +
                    "projections, auditors replay history. Every error is an RFC 9457 problem. Authenticate with an " +
                    "X-Api-Key header or a bearer token; see the README's Security section for who may do what.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "X-Api-Key",
                    Description = "An API key (api-keys create), the bootstrap admin key, or a demo key in Development."
                };
                document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A JWT from the configured identity provider; roles in its 'role' claims."
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] });
                document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
                return Task.CompletedTask;
            });
            // Enums are read and written by their API names only (Validation/StrictEnums): list them. Null is one of them
            // only for a field that may be left out (a parameter with a default, publishedPrecision): a request's enum
            // typed nullable only so that its validator can say it is required (a stage, a status, a comparator) may not
            // be null, and an enum's shared schema is not nullable (until 2026-12-06 PledgeStage listed null).
            options.AddSchemaTransformer((schema, context, _) =>
            {
                var nullable = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type);
                var type = nullable ?? context.JsonTypeInfo.Type;
                if (!type.IsEnum) return Task.CompletedTask;
                var optional = nullable is not null && context.JsonPropertyInfo?.AssociatedParameter is { HasDefaultValue: true };
                schema.Type = optional ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
                schema.Enum = Tracker.Domain.Wording.Names(type)
                    .Select(name => (System.Text.Json.Nodes.JsonNode?)name)
                    .Concat(optional ? [null] : [])
                    .ToList()!;
                return Task.CompletedTask;
            });
            // Amounts, rates and figures are exact decimals, not binary floating point: JSON numbers (which the generator
            // cannot tell from ExactDecimals, a converter of its own) of at most 28 significant digits.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                var nullable = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type);
                if ((nullable ?? context.JsonTypeInfo.Type) == typeof(decimal))
                {
                    schema.Type = nullable is null ? JsonSchemaType.Number : JsonSchemaType.Number | JsonSchemaType.Null;
                    schema.Format = "decimal";
                }
                return Task.CompletedTask;
            });
            // A generic answer is named for what it is, not by its .NET type's arguments ("CreationResponseOfstring",
            // "VersionedOfPledgedAmount"); any JSON value (a history's before and after) is described where it is used.
            options.CreateSchemaReferenceId = type =>
                (Nullable.GetUnderlyingType(type.Type) ?? type.Type) == typeof(System.Text.Json.JsonElement) ? null
                : type.Type.IsGenericType && type.Type.GetGenericTypeDefinition() == typeof(Wolverine.Http.CreationResponse<>)
                    ? "CreationResponse"
                : type.Type.IsGenericType && type.Type.GetGenericTypeDefinition() == typeof(Tracker.Domain.Commitments.Versioned<>)
                    ? $"{type.Type.GetGenericArguments()[0].Name}AtVersion"
                : Microsoft.AspNetCore.OpenApi.OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            // A problem carries members of its own beside RFC 9457's (traceId on every one, rule, errors, missingDocuments,
            // waitingSince): the schema admits them, as RFC 9457 does, and names the one every problem has. Until 2026-12-06
            // it forbade any other member, so a client validating against the document refused every error.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (!typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).IsAssignableFrom(context.JsonTypeInfo.Type)) return Task.CompletedTask;
                schema.AdditionalPropertiesAllowed = true;
                schema.AdditionalProperties = null;
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                schema.Properties.TryAdd("traceId", new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "The W3C trace id of the request, as the service's logs and traces name it."
                });
                // And the members a client acts on, where they apply (until 2026-12-07 admitted but not named).
                schema.Properties.TryAdd("errors", new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "On a 400: each field (a body's path, a query parameter, a header, path) with its messages.",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } }
                });
                schema.Properties.TryAdd("rule", new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "On a rule's refusal (409, 422, and 404 for a pledge or version not found): the rule's name, as the type's last segment."
                });
                schema.Properties.TryAdd("missingDocuments", new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    Items = new OpenApiSchema { Type = JsonSchemaType.String },
                    Description = "On a 422 unknown-document: the cited document keys that are not registered."
                });
                return Task.CompletedTask;
            });
            // Pledged money (a pledge's, a stage's, a revision's amount) is kept to a millionth (Rules.PledgedMoneyPlaces),
            // which the validators refuse past and the description says. Not as multipleOf: a validator computes it in
            // binary floating point, where 100.01 is no multiple of 0.000001, so a client refused ordinary amounts (until
            // 2026-12-06).
            // A date and time is a string (the generator gives a DateTimeOffset a format and no type: until 2026-12-06 a
            // client generated from the document read recordedAt as any value).
            options.AddSchemaTransformer((schema, context, _) =>
            {
                var nullable = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type);
                if ((nullable ?? context.JsonTypeInfo.Type) == typeof(DateTimeOffset) && schema.Type is null)
                {
                    // (A query parameter left out is no null.)
                    schema.Type = nullable is null || context.ParameterDescription is not null ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
                    schema.Format = "date-time";
                }
                return Task.CompletedTask;
            });
            // Computed fields (a deadline's dueBy, a target's isMoney) are answered, never read: say so.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (schema.Properties is null) return Task.CompletedTask;
                foreach (var property in context.JsonTypeInfo.Properties.Where(p => p.Set is null && p.AssociatedParameter is null))
                {
                    if (schema.Properties.TryGetValue(property.Name, out var field) && field is OpenApiSchema concrete) concrete.ReadOnly = true;
                }
                return Task.CompletedTask;
            });
            // Which fields a body must carry: what the validators and the JSON reader refuse to go without, not every
            // constructor parameter (which is what the generator assumes).
            options.AddSchemaTransformer((schema, context, _) =>
            {
                RequiredFields.Apply(schema, context);
                return Task.CompletedTask;
            });
            // What the validators hold each field to: lengths, spellings, bounds, sets of words.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                ValidationConstraints.Apply(schema, context);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                // Wolverine describes each endpoint by the name of its generated handler class (POST_api_me): an internal
                // name that documents nothing. The summary says what the operation does.
                if (operation.Description is { } described && GeneratedHandlerName().IsMatch(described)) operation.Description = null;
                if (context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) != true) return Task.CompletedTask;
                operation.Responses ??= new OpenApiResponses();
                // Both are problems (until 2026-12-06 described without a body), a 401 with its challenge.
                var problem = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) }
                };
                operation.Responses.TryAdd("401", new OpenApiResponse
                {
                    Description = "No valid key or token where one is needed",
                    Content = problem,
                    Headers = new Dictionary<string, IOpenApiHeader>
                    {
                        ["WWW-Authenticate"] = new OpenApiHeader
                        {
                            Description = "The ways to sign in: ApiKey header=\"X-Api-Key\", Bearer",
                            Schema = new OpenApiSchema { Type = JsonSchemaType.String }
                        }
                    }
                });
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The key or token lacks the role", Content = problem });
                WhoMayCall(operation, context);
                ProtocolDescription.Apply(operation, context);
                QueryParameterConstraints.Apply(operation, context);
                return Task.CompletedTask;
            });
            // The IResult placeholder the generator made for endpoints that answer through IResult is described by their
            // own answers instead (ProtocolDescription); nothing refers to it any more.
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Components?.Schemas?.Remove("IResult");
                // The generator names the server from the request's Host header, which the caller chooses (Host:
                // evil.example gave a document pointing clients there until 2026-12-06): without servers, a client
                // calls the host it read the document from.
                document.Servers = null;
                RequiredFields.NotNullWhereRequired(document);
                // Wolverine's CreationResponse<string> (a document's registration): its value, the key, is always given (the
                // generator read T as nullable, so the schema said required and nullable until 2026-12-07).
                if (document.Components?.Schemas?.TryGetValue("CreationResponse", out var creation) == true &&
                    creation.Properties?.TryGetValue("value", out var value) == true && value is OpenApiSchema { Type: { } types } concrete &&
                    types != JsonSchemaType.Null)
                {
                    concrete.Type = types & ~JsonSchemaType.Null;
                }
                HeadWhereGet(document);
                return Task.CompletedTask;
            });
        });
}
