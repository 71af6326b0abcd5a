using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>
/// A pledge's amount was explicitly revised (raised or cut), with the reason. PreviousLedgerAmount is the amount in the
/// ledger currency before it, so the commitment's totals change without reading the pledge again (null in revisions
/// recorded before it was kept).
/// </summary>
public sealed record PledgeRevised(
    string PledgeId,
    string Pledger,
    Money NewAmount,
    ExchangeRate? Rate,
    decimal LedgerAmount,
    string Reason,
    Evidence Source,
    decimal? PreviousLedgerAmount = null) : ITrackedEvent, IRetractable, IPledgeFact
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => Source.On ?? recordedOn;

    string ITrackedEvent.Summary(string ledgerCurrency) =>
        $"{Pledger}'s pledge {PledgeId} revised to {Money(NewAmount)}{Converted(NewAmount, LedgerAmount, Rate, ledgerCurrency)}: {Reason}";

    IRetraction IRetractable.RetractedBy(int version, string reason, Evidence source) =>
        new PledgeRevisionRetracted(version, PledgeId, Pledger, reason, source);
}

