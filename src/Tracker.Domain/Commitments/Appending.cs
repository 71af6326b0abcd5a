using System.Collections.Immutable;

namespace Tracker.Domain.Commitments;

/// <summary>
/// Adds to a commitment's history lists without copying them: an immutable list shares its structure, so a fold over
/// a long stream is linear instead of copying every list on every event. Lists read back from JSON are converted on
/// their first append.
/// </summary>
public static class Appending
{
    public static IReadOnlyList<T> Appended<T>(this IReadOnlyList<T> list, T item) =>
        (list as ImmutableList<T> ?? ImmutableList.CreateRange(list)).Add(item);
}
