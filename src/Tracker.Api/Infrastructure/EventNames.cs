using System.Collections.Concurrent;
using JasperFx.Core;

namespace Tracker.Api.Infrastructure;

public static class EventNames
{
    // Worked out once per type: every write names its events in its answer and its trace (3 µs a write, worked out each time).
    private static readonly ConcurrentDictionary<Type, string> Names = new();

    /// <summary>The name an event has in the log and in responses: PledgeAnnounced is "pledge-announced".</summary>
    public static string Of(object e) =>
        Names.GetOrAdd(e.GetType(), type => type.Name.SplitPascalCase().ToLowerInvariant().Replace(' ', '-'));
}
