using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>
/// The query parameters each API route takes: those its OpenAPI operation lists, which is Wolverine's own account of
/// what the route's methods bind (its endpoint, and any Load or Validate step before it). Read once, on first use.
/// </summary>
public sealed partial class RouteQueryParameters(IApiDescriptionGroupCollectionProvider descriptions)
{
    private IReadOnlyDictionary<string, IReadOnlySet<string>>? _byRoute;
    private readonly ConcurrentDictionary<(string Method, RoutePattern Route), IReadOnlySet<string>?> _byEndpoint = new();

    /// <summary>The names the route takes (whatever their case, as the framework binds them); null for a route the API does not describe.</summary>
    public IReadOnlySet<string>? Of(string method, RoutePattern route) =>
        _byEndpoint.GetOrAdd((method, route), static (key, all) => all.GetValueOrDefault(Key(key.Method, key.Route.RawText ?? "")), All);

    /// <summary>Every described route, as "METHOD /template", with the names it takes.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> All => _byRoute ??= Read();

    private Dictionary<string, IReadOnlySet<string>> Read()
    {
        var routes = new Dictionary<string, IReadOnlySet<string>>();
        foreach (var description in descriptions.ApiDescriptionGroups.Items.SelectMany(group => group.Items))
        {
            if (description.HttpMethod is not { } method || description.RelativePath is not { } path) continue;
            routes[Key(method, path)] = description.ParameterDescriptions
                .Where(p => p.Source == BindingSource.Query)
                .Select(p => p.Name)
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
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
