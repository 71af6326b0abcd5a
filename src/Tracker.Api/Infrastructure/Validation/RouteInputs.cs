using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>What one API route reads from a request: the query parameters it takes (whatever their case, as the framework binds them), and whether it reads a body.</summary>
public sealed record RouteInput(IReadOnlySet<string> Query, bool Body);

/// <summary>
/// What each API route reads from a request, as its OpenAPI operation lists it: Wolverine's own account of what the
/// route's methods bind (its endpoint, and any Load or Validate step before it). Read once, on first use.
/// </summary>
public sealed partial class RouteInputs(IApiDescriptionGroupCollectionProvider descriptions)
{
    private IReadOnlyDictionary<string, RouteInput>? _byRoute;
    private readonly ConcurrentDictionary<(string Method, RoutePattern Route), RouteInput?> _byEndpoint = new();

    /// <summary>What the route reads; null for a route the API does not describe.</summary>
    public RouteInput? Of(string method, RoutePattern route) =>
        _byEndpoint.GetOrAdd((method, route), static (key, all) => all.GetValueOrDefault(Key(key.Method, key.Route.RawText ?? "")), All);

    /// <summary>Every described route, as "METHOD /template", with what it reads.</summary>
    public IReadOnlyDictionary<string, RouteInput> All => _byRoute ??= Read();

    private Dictionary<string, RouteInput> Read()
    {
        var routes = new Dictionary<string, RouteInput>();
        foreach (var description in descriptions.ApiDescriptionGroups.Items.SelectMany(group => group.Items))
        {
            if (description.HttpMethod is not { } method || description.RelativePath is not { } path) continue;
            routes[Key(method, path)] = new RouteInput(
                description.ParameterDescriptions
                    .Where(p => p.Source == BindingSource.Query)
                    .Select(p => p.Name)
                    .ToHashSet(StringComparer.OrdinalIgnoreCase),
                description.ParameterDescriptions.Any(p => p.Source == BindingSource.Body) ||
                description.SupportedRequestFormats.Count > 0);
        }
        return routes;
    }

    // "GET api/commitments/{key}" and the endpoint's "/api/commitments/{key:minlength(1)}" alike: the route's parameters
    // by place, not by name or constraint.
    private static string Key(string method, string template) =>
        $"{method.ToUpperInvariant()} /{RouteParameter().Replace(template.Trim('/'), "{}").ToLowerInvariant()}";

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex RouteParameter();
}
