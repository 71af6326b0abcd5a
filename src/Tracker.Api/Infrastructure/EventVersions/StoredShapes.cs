using Marten.Services.Json.Transformations;

namespace Tracker.Api.Infrastructure.EventVersions;

/// <summary>
/// Every older shape of an event the log may hold, read as today's: registered with the store (TrackerDatabase), and
/// left to Marten's own resolve by a rebuild's replay (ReadModelReplay), which deserialises the other events itself.
/// </summary>
public static class StoredShapes
{
    public static readonly IReadOnlyList<IEventUpcaster> Upcasters = [new PledgeMadeV1()];

    /// <summary>The stored type names an upcaster reads (which may also be a type's own name, for a shape changed in place).</summary>
    public static readonly IReadOnlySet<string> UpcastNames = Upcasters.Select(u => u.EventTypeName).ToHashSet();
}
