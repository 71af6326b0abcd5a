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
        // Printable ASCII, beginning with a letter or a digit (RequestTextGuard: it is recorded and exported).
        operation.Parameters.Add(Header("X-Correlation-Id",
            "Ties this request to others of one piece of work: recorded on every event it writes and returned in the answer " +
            "(else the W3C traceparent's trace id, else a new one). Printable ASCII beginning with a letter or a digit, and not " +
            $"with a prefix the service's own work is recorded under ({string.Join(", ", Telemetry.CorrelationScope.ServicePrefixes)} in any case): a 400.", 200,
            "^[A-Za-z0-9][ -~]*$"));
        responses.TryAdd("400", Refusal(problem, "A malformed query or body: a parameter given twice, a value out of range"));
        responses.TryAdd("429", Refusal(problem, "Too many requests from this client; Retry-After says when to try again",
            ("Retry-After", "Seconds to wait before trying again", JsonSchemaType.Integer)));
        // Any request may carry a body, and one over the limit is refused before routing reads it (a GET's too).
        responses.TryAdd("413", Refusal(problem, "The body is over the size limit (problem type body-too-large)"));
        // Every route reads the database (the key, the data): while it does not answer, a 503 with when to try again.
        if (!responses.TryGetValue("503", out var unavailable))
        {
            responses["503"] = Refusal(problem, "The database does not answer (problem type database-unavailable); Retry-After says when to try again",
                ("Retry-After", "Seconds to wait before trying again", JsonSchemaType.Integer));
        }
        else
        {
            AddHeader(unavailable, "Retry-After", "Seconds to wait before trying again", JsonSchemaType.Integer);
        }

        if (operation.RequestBody is not null)
        {
            responses.TryAdd("415", Refusal(problem, "The body is not JSON (application/json or another +json type, UTF-8)"));
        }

        var idempotent = HttpMethods.IsPost(method) && !path.StartsWith(WriteMetadata.ReadOnlyPrefix, StringComparison.Ordinal);
        if (idempotent)
        {
            operation.Parameters.Add(Header("Idempotency-Key",
                "Up to 200 printable ASCII characters (a UUID is best), kept per acting user. Repeating the request with the key " +
                "replays the first success (with Idempotent-Replayed: true) and records nothing again; the key with another request is a 422.", 200,
                "^[ -~]*[!-~][ -~]*$"));
            const string reused = "the Idempotency-Key was given before with another request (problem type idempotency-key-reused)";
            if (responses.TryGetValue("422", out var unprocessable) && unprocessable is OpenApiResponse described)
            {
                described.Description = $"{described.Description}; or {reused}";
            }
            else
            {
                responses.TryAdd("422", Refusal(problem, char.ToUpperInvariant(reused[0]) + reused[1..]));
            }
        }

        // Any other write (one that creates, or acts on no version), and a verification sent as POST, refuses If-Match naming
        // versions with a 412 and does nothing (IfMatchOnOtherWrites); until 2026-12-06 the document did not say so.
        if (HttpMethods.IsPost(method) && !responses.ContainsKey("412"))
        {
            responses.TryAdd("412", Refusal(problem, "If-Match named versions: this request has none to compare, so nothing was done"));
            operation.Parameters.Add(Header("If-Match",
                "Not needed here: this request has no version to compare. * passes; naming versions is a 412, and nothing is done."));
            operation.Parameters.Add(Header("If-None-Match",
                "Not needed here: * is a 412 (what this request adds to exists), and nothing is done; ETags name no version here, so they pass."));
        }
        // A write to a commitment (refused with 412 when its version moved on) takes the version it decided on.
        else if (responses.ContainsKey("412"))
        {
            operation.Parameters.Add(Header("If-Match",
                "The commitment's ETag the write was decided on (\"3\"), or *: a 412 if the commitment has moved on since."));
            operation.Parameters.Add(Header("If-None-Match",
                "ETags of versions the write is not to follow (\"3\", W/\"3\" alike), or *: a 412 if the commitment is at one of them (or, with *, exists)."));
            foreach (var (_, success) in Successes(responses)) AddHeader(success, "ETag", "The commitment's version after the write");
        }

        if (responses.TryGetValue("201", out var created))
        {
            AddHeader(created, "Location", "Where the created resource is read");
        }
        // A statement answers the version it starts its commitment at (until 2026-12-06 the document did not say so).
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<Http.AnswersVersionAttribute>().Any())
        {
            foreach (var (_, success) in Successes(responses)) AddHeader(success, "ETag", "The commitment's version after the write");
        }
        // Work taken to be done later (a rebuild) says where to follow it (until 2026-12-06 the document did not say so).
        if (responses.TryGetValue("202", out var accepted))
        {
            AddHeader(accepted, "Location", "Where the work's progress is read");
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
            AddHeader(responses["200"], "Content-Disposition", "attachment, with the file's name");
            // Streamed, so without an ETag; * holds of any file there is (until 2026-12-07 the document named neither).
            operation.Parameters.Add(Header("If-None-Match", "* asks for the file only where there is none: a 304 without it (every export has one)."));
            responses.TryAdd("304", new OpenApiResponse { Description = "If-None-Match: * held: the file exists, and nothing of it is sent" });
            // An export that folds the log's events (the pledges, IATI, a history) meets an unreadable one as the history does.
            if (!path.EndsWith("/commitments.csv", StringComparison.Ordinal))
            {
                responses.TryAdd("409", Refusal(problem,
                    "The log holds an event the service cannot read (problem type log-damaged): GET /api/audit/verify names it"));
            }
        }
        else if (HttpMethods.IsGet(method) && responses.TryGetValue("200", out var read))
        {
            // Every JSON read's 200 carries an ETag (Http/ConditionalGets), which If-None-Match takes back, and If-Match
            // holds the read to (until 2026-12-06 the document did not say a read compares If-Match).
            AddHeader(read, "ETag", "A commitment's version, or a tag of the body");
            AddHeader(read, "Cache-Control", "private, no-cache for the public read models (kept and revalidated); no-store for the rest");
            operation.Parameters.Add(Header("If-None-Match", "An ETag of this read's earlier answer: a 304 if it is unchanged."));
            responses.TryAdd("304", new OpenApiResponse { Description = "Unchanged since the ETag sent in If-None-Match" });
            // A 304 carries the headers its 200 would have (RFC 9110 15.4.5): the ETag, and below the view it shows.
            // (And the caching and the links, since 2026-12-07.)
            if (responses["304"] is OpenApiResponse unchanged)
            {
                AddHeader(unchanged, "ETag", "The tag the request's If-None-Match named");
                AddHeader(unchanged, "Cache-Control", "As the 200's");
            }
            operation.Parameters.Add(Header("If-Match", "ETags this read is to have (\"3\"), or *: a 412 without the body if it has none of them."));
            responses.TryAdd("412", Refusal(problem, "If-Match named no tag of what is here now; the answer's ETag says what is"));
            if (responses["412"] is OpenApiResponse preconditionFailed) AddHeader(preconditionFailed, "ETag", "The tag of what is here now");
            // A page says where the others are (RFC 8288).
            if (operation.Parameters.Any(p => p is { In: ParameterLocation.Query, Name: "page" or "after" or "before" }))
            {
                AddHeader(read, "Link", "The other pages: first, prev, next and last (paged by number), or next (paged by a cursor)");
                if (responses["304"] is OpenApiResponse unchangedPage) AddHeader(unchangedPage, "Link", "As the 200's");
            }
            // Which view a body shows, on every read that can answer a past (until 2026-12-07 the document named neither
            // header); the list's and the dashboard's past as effective say too how far the timeline lags behind the log.
            if (operation.Parameters.Any(p => p is { In: ParameterLocation.Query, Name: "recordedAsOf" or "effectiveAsOf" or "version" }))
            {
                AddHeader(read, "X-Tracker-View", "The view the body shows: current, as-recorded; at=<instant>, as-recorded; version=<n>, or as-effective; on=<date>");
                if (responses["304"] is OpenApiResponse notModified) AddHeader(notModified, "X-Tracker-View", "The view the unchanged body shows");
                if (path is "/api/commitments" or "/api/dashboard")
                {
                    AddHeader(read, "X-Tracker-Projection-Lag", "With effectiveAsOf: how many events the effective timeline has yet to take in");
                    if (responses["304"] is OpenApiResponse unchangedPast) AddHeader(unchangedPast, "X-Tracker-Projection-Lag", "As the 200's");
                }
            }
            // A read of the log itself, or of the past as recorded or as effective, folds stored events: one that does not
            // read is a 409 naming verify (until 2026-12-06 undocumented on these).
            if (path.EndsWith("/timeline", StringComparison.Ordinal) || path.EndsWith("/trend", StringComparison.Ordinal) ||
                operation.Parameters.Any(p => p is { In: ParameterLocation.Query, Name: "recordedAsOf" or "effectiveAsOf" or "asOf" or "version" }))
            {
                responses.TryAdd("409", Refusal(problem,
                    "The log holds an event the service cannot read (problem type log-damaged): GET /api/audit/verify names it"));
            }
        }

        // A refusal the generator assumes of an endpoint that can return nothing (Wolverine's 404 for a null answer) where
        // no route value names anything to be missing (a list, the caller's identity): never answered.
        if (!path.Contains('{') && responses.TryGetValue("404", out var missing) && missing.Content is not { Count: > 0 })
        {
            responses.Remove("404");
        }

        // Every answer says which piece of work it was part of; a write replayed from its key says so.
        foreach (var (_, answer) in responses) AddHeader(answer, "X-Correlation-Id", "The request's correlation id, as recorded on its events");
        // No refusal is kept by a cache (until 2026-12-07 the document did not say so).
        foreach (var (code, refusal) in responses.Where(r => r.Key[0] is '4' or '5')) AddHeader(refusal, "Cache-Control", "no-store");
        if (idempotent)
        {
            foreach (var (_, success) in Successes(responses))
            {
                AddHeader(success, "Idempotent-Replayed", "true when this is the first answer to an earlier request with the same Idempotency-Key, replayed");
            }
        }
    }

    private static OpenApiParameter Header(string name, string description, int? maxLength = null, string? pattern = null) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = false,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = maxLength, MinLength = pattern is null ? null : 1, Pattern = pattern }
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
        // A computed field of a type a body carries (a target's isMoney: its type has a validator) is answered, never read:
        // required, it made every body that leaves it out invalid, since readOnly does not lift required in JSON Schema
        // (until 2026-12-07). Of a type only answers carry, it says the field is always there, as any other.
        if (rules is not null && property.Set is null && property.AssociatedParameter is null) return false;
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

/// <summary>
/// What the validators hold a body's fields to, written into its schema so that a client (or a client generator) knows
/// before sending: lengths (maxLength, minLength), spellings (pattern), fixed sets of words (enum), numeric bounds
/// (minimum, exclusiveMinimum, maximum) and how many items a list may hold (maxItems), for the rules that always apply. A
/// rule that holds under a condition (a target's amount above 0 only for money), a test of its own (Must) and a rule of
/// the value whole are said in their own words in the description instead, where their message is written for the rule
/// (not a template, nor made from the request). A type shared by a request and an answer (Money, Provenance, Evidence) carries them in both, which
/// holds: what an answer shows was refused otherwise when it was written.
/// <para>
/// Text limits are counted as a reader counts characters (TextLength), which JSON Schema cannot say: its maxLength
/// counts code points, so it is given the most code points a text within the limit may hold, and the description says
/// the limit itself.
/// </para>
/// </summary>
public static class ValidationConstraints
{
    public static void Apply(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        var type = context.JsonTypeInfo;
        if (type.Kind != JsonTypeInfoKind.Object || schema.Properties is null ||
            type.Type.Assembly.GetName().Name?.StartsWith("Tracker.", StringComparison.Ordinal) != true ||
            context.ApplicationServices.GetService(typeof(IValidator<>).MakeGenericType(type.Type)) is not IValidator validator)
        {
            return;
        }

        var rules = validator.CreateDescriptor();
        // Rules of the value whole (a target is money or a quantity) are said of it.
        foreach (var component in rules.Rules.Where(r => string.IsNullOrEmpty(r.PropertyName)).SelectMany(r => r.Components)
                     .Where(c => c.Validator is IPredicateValidator))
        {
            schema.Description = Said(schema.Description, component);
        }
        foreach (var property in type.Properties)
        {
            if (property.AttributeProvider is not MemberInfo member ||
                !schema.Properties.TryGetValue(property.Name, out var described) || described is not OpenApiSchema field)
            {
                continue;
            }
            foreach (var rule in rules.GetRulesForMember(member.Name))
            {
                // RuleForEach: the rule is each item's.
                var target = IsEachItem(rule) ? field.Items as OpenApiSchema : field;
                if (target is null) continue;
                foreach (var component in rule.Components)
                {
                    // (A nested value's validator says its own rules in its own schema.)
                    if (component.Validator is IChildValidatorAdaptor) continue;
                    if (rule.HasCondition || rule.HasAsyncCondition || component.HasCondition || component.HasAsyncCondition ||
                        component.Validator is IPredicateValidator)
                    {
                        // A rule JSON Schema cannot state (one that applies only with another field, or a test of its own)
                        // is said in its own words, where they stand alone. Not of a nested value: its schema is the one
                        // every request shares (an exchange rate refused on a count is not a rule of every exchange rate).
                        if (target.Type?.HasFlag(JsonSchemaType.Object) == true || target.Properties is { Count: > 0 }) continue;
                        target.Description = Said(target.Description, component);
                    }
                    else
                    {
                        Describe(target, component.Validator);
                    }
                }
            }
            // Every number a body carries is at most a quadrillion in size (InputBounds), whatever its own rules say.
            if (field.Format == "decimal")
            {
                field.Maximum ??= Bound;
                if (field.Minimum is null && field.ExclusiveMinimum is null) field.Minimum = "-" + Bound;
            }
            if (property.Set is null) continue;
            // A whole number is read as written in digits alone (JsonReadProblems): 7.0 and 7e0, integers to JSON Schema, are
            // refused (until 2026-12-07 the document did not say so).
            if (field.Type?.HasFlag(JsonSchemaType.Integer) == true)
            {
                field.Description = Joined(field.Description, "Written in digits alone (7, not 7.0 or 7e0).");
            }
            // Text a body carries is never blank, given or left out (InputBounds: "" and spaces alone are refused where a
            // field may be left out; until 2026-12-06 the document let them through). Not of a type an answer also
            // carries (a source's note, a quote's paragraph): blank text was taken until 2026-12-05, and is answered as
            // stored.
            if (field.Type?.HasFlag(JsonSchemaType.String) == true && field.Format is null && field.Pattern is null && field.Enum is not { Count: > 0 })
            {
                if (!Answered(context.ApplicationServices).Contains(type.Type))
                {
                    field.MinLength = Math.Max(field.MinLength ?? 0, 1);
                    field.Pattern = @"\S";
                }
                // A type answers carry too is said in words (until 2026-12-07 it said nothing of blank text).
                else field.Description = Joined(field.Description, BlankRefusedInRequests);
            }
            // So is each text of a list (an actor): until 2026-12-07 the items said minLength 1 alone, and " " was refused.
            if (field.Type?.HasFlag(JsonSchemaType.Array) == true && field.Items is OpenApiSchema item &&
                item.Type?.HasFlag(JsonSchemaType.String) == true && item.Format is null && item.Pattern is null && item.Enum is not { Count: > 0 } &&
                !Answered(context.ApplicationServices).Contains(type.Type))
            {
                item.MinLength = Math.Max(item.MinLength ?? 0, 1);
                item.Pattern = @"\S";
            }
            // And every date lies in the calendar's bounds, a date something happened not after today.
            if (field.Format == "date")
            {
                field.Description = Joined(field.Description,
                    $"A date from {Validation.InputBounds.EarliestDate:yyyy-MM-dd} to {Validation.InputBounds.LatestDate:yyyy-MM-dd}" +
                    (member.IsDefined(typeof(Tracker.Domain.HappenedAttribute)) ? ", and not later than today (UTC, with a day's grace for time zones ahead of it)." : "."));
            }
        }
    }

    /// <summary>What a text field of a type both requests and answers carry says of blank text.</summary>
    public const string BlankRefusedInRequests = "Not blank in a request (empty or spaces alone is refused); an answer gives it as stored.";

    /// <summary>
    /// A rule's message added to what a field says of itself: only a message written for the rule whole. A template
    /// ("'{PropertyName}' must not be empty.", FluentValidation's own, or one filled in from the request) would say the
    /// rule without the condition it holds under, so it is left out.
    /// </summary>
    private static string? Said(string? description, FluentValidation.Internal.IRuleComponent component)
    {
        string message;
        try
        {
            message = component.GetUnformattedErrorMessage();
        }
        catch (Exception)
        {
            // A message made from the request (WithMessage(x => ...)) is made here without one, which its code need not
            // survive: such a message says the rule of that request only, and is left out.
            return description;
        }
        if (string.IsNullOrWhiteSpace(message) || message.Contains('{') || description?.Contains(message, StringComparison.Ordinal) == true)
        {
            return description;
        }
        return Joined(description, message);
    }

    /// <summary>Every type of ours an answer carries, at any depth (read once from the endpoints' declared answers).</summary>
    private static HashSet<Type> Answered(IServiceProvider services)
    {
        if (_answered is { } known) return known;
        var found = new HashSet<Type>();
        var provider = services.GetService(typeof(Microsoft.AspNetCore.Mvc.ApiExplorer.IApiDescriptionGroupCollectionProvider))
            as Microsoft.AspNetCore.Mvc.ApiExplorer.IApiDescriptionGroupCollectionProvider;
        foreach (var description in provider?.ApiDescriptionGroups.Items.SelectMany(g => g.Items) ?? [])
        {
            foreach (var answer in description.SupportedResponseTypes) Walk(answer.Type);
        }
        return _answered = found;

        void Walk(Type? type)
        {
            if (type is null) return;
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type.IsArray) { Walk(type.GetElementType()); return; }
            if (type.IsGenericType) foreach (var argument in type.GetGenericArguments()) Walk(argument);
            if (type.Assembly.GetName().Name?.StartsWith("Tracker.", StringComparison.Ordinal) != true || !found.Add(type)) return;
            foreach (var member in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)) Walk(member.PropertyType);
        }
    }

    private static HashSet<Type>? _answered;

    private static decimal Number(string bound) => decimal.Parse(bound, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);

    private static readonly string Bound = Validation.InputBounds.MaxNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsEachItem(IValidationRule rule) =>
        rule.GetType().GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollectionRule<,>));

    private static void Describe(OpenApiSchema field, IPropertyValidator validator)
    {
        var type = field.Type ?? 0;
        var text = type.HasFlag(JsonSchemaType.String);
        switch (validator)
        {
            case INotEmptyValidator when text:
                field.MinLength = Math.Max(field.MinLength ?? 0, 1);
                break;
            case INotEmptyValidator when type.HasFlag(JsonSchemaType.Array):
                field.MinItems = Math.Max(field.MinItems ?? 0, 1);
                break;
            case ILengthValidator or IRegularExpressionValidator when text:
                // (A slug's rule is both.)
                if (validator is ILengthValidator { Max: > 0 } most) field.MaxLength = Math.Min(field.MaxLength ?? int.MaxValue, most.Max);
                if (validator is ILengthValidator { Min: > 0 } least) field.MinLength = Math.Max(field.MinLength ?? 0, least.Min);
                if (validator is IRegularExpressionValidator spelling) field.Pattern = spelling.Expression;
                break;
            case IComparisonValidator { MemberToCompare: null, ValueToCompare: IConvertible bound } comparison when
                (type.HasFlag(JsonSchemaType.Number) || type.HasFlag(JsonSchemaType.Integer)):
                var value = Convert.ToDecimal(bound, System.Globalization.CultureInfo.InvariantCulture)
                    .ToString(System.Globalization.CultureInfo.InvariantCulture);
                switch (comparison.Comparison)
                {
                    // Two lower bounds (above 0, and at least a billionth): a schema carries one (the library hides a minimum
                    // while an exclusive one is set), and the tighter is the rule (until 2026-12-06 an exchange rate's least
                    // was lost, and only "above 0" stated).
                    case Comparison.GreaterThan when !(field.Minimum is { } atLeast && Number(atLeast) > Number(value)):
                        field.Minimum = null;
                        field.ExclusiveMinimum = value;
                        break;
                    case Comparison.GreaterThanOrEqual when !(field.ExclusiveMinimum is { } above && Number(above) >= Number(value)):
                        field.ExclusiveMinimum = null;
                        field.Minimum = value;
                        break;
                    case Comparison.LessThan: field.ExclusiveMaximum = value; break;
                    case Comparison.LessThanOrEqual: field.Maximum = value; break;
                }
                break;
            case Validation.ICharacterLimit limit when text:
                field.MaxLength = Math.Min(field.MaxLength ?? int.MaxValue, limit.MaxCodePoints);
                field.Description = Joined(field.Description,
                    $"At most {limit.Max:N0} characters as a reader counts them (Unicode's grapheme clusters: a letter with its " +
                    $"accents, an emoji), and at most {limit.MaxCodePoints:N0} code points.");
                break;
            case Validation.IWordSet set when text:
                // A field that may be null takes null too: an enum without it refuses what the type admits.
                field.Enum = set.Words.Select(word => (System.Text.Json.Nodes.JsonNode?)word)
                    .Concat(type.HasFlag(JsonSchemaType.Null) ? [null] : Array.Empty<System.Text.Json.Nodes.JsonNode?>())
                    .ToList()!;
                break;
            case Validation.IItemLimit limit:
                field.MaxItems = limit.Max;
                break;
        }
    }

    private static string Joined(string? description, string more) =>
        string.IsNullOrEmpty(description) ? more : $"{description} {more}";
}

/// <summary>
/// A query parameter whose values are the API names of an enum's members (status=in-progress), listed by the OpenAPI
/// document as its enum.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class NamesOfAttribute(Type enumType) : Attribute
{
    public Type EnumType { get; } = enumType;
}

/// <summary>
/// What a query parameter may be, from the attributes on the endpoint's own parameter, which the endpoint's parsing
/// refuses past and which name the same constants. The generator reads DataAnnotations' Range and MaxLength and
/// ComponentModel's DefaultValue itself; this adds the sets of words (AllowedValues, <see cref="NamesOfAttribute"/>),
/// which it does not read, and drops the maximum of a Range that runs to its type's largest value: a version or a
/// sequence number is bounded from below only, and how far it goes depends on the data, which answers past it in its
/// own words (no such version, past the high-water mark).
/// </summary>
public static class QueryParameterConstraints
{
    public static void Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        if (context.Description.ActionDescriptor is not Wolverine.Http.WolverineActionDescriptor { Chain: var chain } ||
            operation.Parameters is null)
        {
            return;
        }
        var declared = chain.Method.Method.GetParameters()
            .Concat(chain.Middleware.OfType<JasperFx.CodeGeneration.Frames.MethodCall>().SelectMany(call => call.Method.GetParameters()))
            .Where(p => p.Name is not null)
            .GroupBy(p => p.Name!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);

        foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Query))
        {
            if (parameter.Schema is not OpenApiSchema schema || parameter.Name is null) continue;
            // A date and time is a string (the generator gives a DateTimeOffset a format and no type).
            if (schema.Type is null && schema.Format is "date-time") schema.Type = JsonSchemaType.String;
            if (declared.TryGetValue(parameter.Name, out var info)) Declared(schema, info);
            // A value that shows nothing is refused (RequestTextGuard), the search's q aside, which takes it for everything
            // (until 2026-12-07 the document allowed ?actor= and ?actor=%20). A set of words or a format says more already.
            if (schema.Type == JsonSchemaType.String && schema.Format is null && schema.Enum is not { Count: > 0 } && schema.Pattern is null &&
                !parameter.Name.Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                schema.MinLength ??= 1;
                schema.Pattern = @"\S";
            }
        }
    }

    /// <summary>What a parameter's own attributes say of it: its set of words, and a range bounded from below only.</summary>
    private static void Declared(OpenApiSchema schema, ParameterInfo info)
    {
        foreach (var attribute in info.GetCustomAttributes(inherit: false))
        {
            switch (attribute)
            {
                case System.ComponentModel.DataAnnotations.RangeAttribute range when
                    Invariant(range.Maximum) == Invariant(int.MaxValue) || Invariant(range.Maximum) == Invariant(long.MaxValue):
                    schema.Maximum = null;
                    break;
                case System.ComponentModel.DataAnnotations.AllowedValuesAttribute allowed:
                    schema.Enum = [.. allowed.Values.Select(v => (System.Text.Json.Nodes.JsonNode)Invariant(v))];
                    break;
                case NamesOfAttribute names:
                    schema.Enum = [.. Tracker.Domain.Wording.Names(names.EnumType).Select(name => (System.Text.Json.Nodes.JsonNode)name)];
                    break;
            }
        }
    }

    private static string Invariant(object? value) =>
        Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
