using Tracker.Domain.Commitments;

namespace Tracker.Projections.Commitments;

/// <summary>
/// A commitment's full fold as recorded at a version that is a multiple of <see cref="Interval"/>, with the time and
/// sequence of its last event. The past as recorded never changes (later corrections are later events), so a checkpoint
/// is valid forever: a read of a far past starts from the nearest one and folds at most Interval - 1 events more.
/// </summary>
public sealed record ReplayCheckpoint(string Id, Guid StreamId, int Version, Commitment State, DateTimeOffset LastChangedAt,
    long LastEventSequence)
{
    public const int Interval = 100;

    public static string IdFor(Guid streamId, int version) => $"{streamId:N}:{version}";
}
