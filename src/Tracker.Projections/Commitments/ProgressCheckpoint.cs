namespace Tracker.Projections.Commitments;

/// <summary>
/// A commitment's progress model as recorded at a version, kept whenever a write takes the stream past a multiple of
/// <see cref="Interval"/>. The past as recorded never changes (a correction is a later event), so a checkpoint is valid
/// forever: the state at any version is the nearest checkpoint at or before it plus fewer than Interval events.
/// </summary>
public sealed record ProgressCheckpoint(string Id, Guid StreamId, int Version, CommitmentProgress Progress)
{
    public const int Interval = 25;

    public static ProgressCheckpoint Of(CommitmentProgress progress) =>
        new($"{progress.Id:N}:{progress.Version}", progress.Id, progress.Version, progress);
}
