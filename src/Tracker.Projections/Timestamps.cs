namespace Tracker.Projections;

public static class Timestamps
{
    /// <summary>
    /// An event's timestamp as PostgreSQL keeps it (microseconds). An inline projection sees the clock's 100 ns ticks
    /// before the row is written; a rebuild reads the stored value. Truncating makes both write the same model.
    /// </summary>
    public static DateTimeOffset AsStored(DateTimeOffset timestamp) =>
        new(timestamp.Ticks - timestamp.Ticks % 10, timestamp.Offset);
}
