using Marten.Schema;

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

    /// <summary>
    /// The stream and the version as columns, and one index over both, so the nearest checkpoint at or before a version
    /// is one probe of it (with an index on each column apart, PostgreSQL read every checkpoint of a long stream, or walked
    /// the versions of all streams, and a read as of version 10 of a 100,000-event stream took 18 ms).
    /// </summary>
    public static void Configure(DocumentMapping<ProgressCheckpoint> mapping)
        => DuplicatedColumns.UnderOneIndex(mapping, c => c.StreamId, c => c.Version);
}
