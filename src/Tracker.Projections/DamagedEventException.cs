using JasperFx.Events;

namespace Tracker.Projections;

/// <summary>
/// An event of the log that reads as JSON but not as the fact its type says (fields missing or of another kind, a
/// tombstone in a commitment's stream): a row changed outside the service, or, if the log verifies intact, a fault of
/// the service's own. Reads that fold the log name it instead of failing without a name; the service answers 409
/// log-damaged and logs the cause.
/// </summary>
public sealed class DamagedEventException(long sequence, string typeName, Exception inner)
    : Exception($"The event at sequence {sequence} ({typeName}) cannot be read as the fact it says it is.", inner)
{
    public long Sequence => sequence;
    public string TypeName => typeName;

    /// <summary>A step over one event, any failure of it named by the event.</summary>
    public static T Guard<T>(IEvent e, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception failure) when (failure is not (DamagedEventException or OperationCanceledException))
        {
            throw new DamagedEventException(e.Sequence, e.EventTypeName, failure);
        }
    }

    /// <summary>An asynchronous step over one event, any failure of it named by the event.</summary>
    public static async ValueTask<T> GuardAsync<T>(IEvent e, Func<ValueTask<T>> step)
    {
        try
        {
            return await step();
        }
        catch (Exception failure) when (failure is not (DamagedEventException or OperationCanceledException))
        {
            throw new DamagedEventException(e.Sequence, e.EventTypeName, failure);
        }
    }
}
