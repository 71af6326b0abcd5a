namespace Tracker.Domain.Commitments;

/// <summary>
/// The currency money toward the commitment is counted in while its target is not money was named after its statement
/// (the statement may name it itself: <see cref="CommitmentStated.LedgerCurrency"/>). Recorded only while it changes no
/// money already recorded.
/// </summary>
public sealed record LedgerCurrencyNamed(string Currency, string Reason, Evidence Source) : ITrackedEvent, IRetractable
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => Source.On ?? recordedOn;

    string? ITrackedEvent.Reason => Reason;

    string ITrackedEvent.Summary(string ledgerCurrency) => $"Money to be counted in {Currency}: {Reason}";

    IRetraction IRetractable.RetractedBy(int version, string reason, Evidence source) =>
        new LedgerCurrencyNamingRetracted(version, reason, source);
}
