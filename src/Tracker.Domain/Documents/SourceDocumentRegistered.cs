namespace Tracker.Domain.Documents;

/// <summary>A source document (a communiqué, a roadmap, a news report) was registered with the tracker.</summary>
/// <param name="Primary">True for an official text, false for a secondary report about it.</param>
public sealed record SourceDocumentRegistered(
    string Key,
    string Title,
    DateOnly PublishedOn,
    string? Venue,
    string Kind,
    string? Url,
    bool Primary) : ITrackedEvent
{
    /// <summary>A registration is a fact about the tracker, not the world: it counts from the day it was recorded.</summary>
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => recordedOn;

    string ITrackedEvent.Summary(string ledgerCurrency) =>
        $"Document '{Key}' registered: {Title} ({Wording.Date(PublishedOn)}, {(Primary ? "primary" : "secondary")})";
}
