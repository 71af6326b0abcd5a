using JasperFx.Core;

namespace Tracker.Api.Infrastructure;

public static class EventNames
{
    /// <summary>The name an event has in the log and in responses: PledgeAnnounced is "pledge-announced".</summary>
    public static string Of(object e) => e.GetType().Name.SplitPascalCase().ToLowerInvariant().Replace(' ', '-');
}
