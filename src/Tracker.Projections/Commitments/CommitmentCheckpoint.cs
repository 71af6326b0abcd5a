namespace Tracker.Projections.Commitments;

/// <summary>
/// A commitment's progress model as recorded at a version that is a multiple of <see cref="Interval"/>. The past as
/// recorded never changes (later corrections are later events), so a checkpoint is valid forever: a read of a far past
/// starts from the nearest one and folds at most Interval - 1 events more.
/// </summary>
public sealed record CommitmentCheckpoint(string Id, Guid StreamId, int Version, CommitmentProgress State)
{
    public const int Interval = 100;

    public static string IdFor(Guid streamId, int version) => $"{streamId:N}:{version}";
}
