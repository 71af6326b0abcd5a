namespace Tracker.Domain;

/// <summary>
/// What each event the tracker records says about itself, stated once beside its shape: the day it took effect in the
/// world (as opposed to the day it was recorded), the reason its author gave, and the line a person reads in a history.
/// The events implement it explicitly, so none of it is stored with them.
/// </summary>
public interface ITrackedEvent
{
    /// <summary>
    /// The day the fact took effect. A fact without a date of its own (a revision, undated evidence) takes the day it was
    /// recorded; a retraction takes none: it removes its fact from every day instead.
    /// </summary>
    DateOnly? EffectiveOn(DateOnly recordedOn);

    /// <summary>The reason, rationale or note its author gave, if any.</summary>
    string? Reason => null;

    /// <summary>One line a person can read: "Germany pledged EUR 25,000,000 (USD 27,100,000 at 1.084 on 2024-10-02)".</summary>
    string Summary(string ledgerCurrency);
}

/// <summary>The same questions asked of any stored event, including shapes that do not answer them.</summary>
public static class TrackedEvents
{
    public static DateOnly? EffectiveOn(object data, DateOnly recordedOn) =>
        data is ITrackedEvent tracked ? tracked.EffectiveOn(recordedOn) : recordedOn;

    public static string? Reason(object data) => (data as ITrackedEvent)?.Reason;

    public static string Summary(object data, string ledgerCurrency) =>
        data is ITrackedEvent tracked ? tracked.Summary(ledgerCurrency) : data.GetType().Name;
}
