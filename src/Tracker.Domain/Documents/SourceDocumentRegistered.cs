namespace Tracker.Domain.Documents;

/// <summary>A source document (a communiqué, a roadmap, a news report) was registered with the tracker.</summary>
/// <param name="Primary">True for an official text, false for a secondary report about it.</param>
/// <param name="PublishedPrecision">How much of the date is known (PublishedOn is the period's first day).</param>
/// <param name="PublishedOnInferred">The date, or part of it, was worked out (a year from the text's weekday, a meeting's
/// public date for a text that gives none), not read from the document.</param>
public sealed record SourceDocumentRegistered(
    string Key,
    string Title,
    DateOnly PublishedOn,
    string? Venue,
    string Kind,
    string? Url,
    bool Primary,
    DatePrecision PublishedPrecision = DatePrecision.Day,
    bool PublishedOnInferred = false) : ITrackedEvent
{
    /// <summary>A registration is a fact about the tracker, not the world: it counts from the day it was recorded.</summary>
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => recordedOn;

    string ITrackedEvent.Summary(string ledgerCurrency) =>
        $"Document '{Key}' registered: {Title} ({PublishedPrecision.Written(PublishedOn)}{(PublishedOnInferred ? ", date inferred" : "")}, " +
        $"{(Primary ? "primary" : "secondary")})";
}
