using System.Reflection;
using Wolverine.Http;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// Wolverine logs a request body it cannot read as an error, with the serializer's stack trace, under the request type's
/// name as the category. That is the client's mistake, answered with a 400 problem naming the field
/// (<see cref="JsonReadProblems"/>): logged as the service's error, every malformed body would page whoever watches the
/// errors. Those categories log only what is critical; nothing of the service's own logs under a request type's name.
/// </summary>
public static class UnreadableBodyLogs
{
    public static ILoggingBuilder QuietUnreadableBodies(this ILoggingBuilder logging)
    {
        foreach (var category in RequestTypeNames()) logging.AddFilter(category, LogLevel.Critical);
        return logging;
    }

    /// <summary>
    /// The request bodies of ours: the first of our records among the parameters of each endpoint that takes a body (POST,
    /// PUT, PATCH), where every endpoint here puts it, after any route values (a pledge's id). Not what middleware loads
    /// beside it (a commitment's state, a document), whose names other categories could begin with (the filter matches a
    /// category's beginning).
    /// </summary>
    public static IEnumerable<string> RequestTypeNames() => typeof(UnreadableBodyLogs).Assembly.GetTypes()
        .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        .Where(method => method.GetCustomAttributes<WolverineHttpMethodAttribute>()
            .Any(a => a is WolverinePostAttribute or WolverinePutAttribute or WolverinePatchAttribute))
        .Select(method => method.GetParameters().Select(p => p.ParameterType).FirstOrDefault(type =>
            type.FullName is { } name && name.StartsWith("Tracker.", StringComparison.Ordinal)))
        .Where(type => type?.GetMethod("<Clone>$") is not null)
        .Select(type => type!.FullName!)
        .Distinct();
}
