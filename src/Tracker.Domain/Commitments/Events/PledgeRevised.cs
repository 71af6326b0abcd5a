using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>A pledge's amount was explicitly revised (raised or cut), with the reason.</summary>
public sealed record PledgeRevised(
    string PledgeId,
    string Pledger,
    Money NewAmount,
    ExchangeRate? Rate,
    decimal LedgerAmount,
    string Reason,
    Evidence Source) : ITrackedEvent, IRetractable
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => Source.On ?? recordedOn;

    string ITrackedEvent.Summary(string ledgerCurrency) =>
        $"{Pledger}'s pledge {PledgeId} revised to {Money(NewAmount)}{Converted(NewAmount, LedgerAmount, Rate, ledgerCurrency)}: {Reason}";

    IRetraction IRetractable.RetractedBy(int version, string reason, Evidence source) =>
        new PledgeRevisionRetracted(version, PledgeId, Pledger, reason, source);
}

