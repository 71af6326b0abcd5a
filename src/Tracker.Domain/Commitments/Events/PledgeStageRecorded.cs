using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>Part of a pledge reached a later stage: committed (firm) or disbursed (paid), on a date.</summary>
public sealed record PledgeStageRecorded(
    string PledgeId,
    string Pledger,
    PledgeStage Stage,
    Money Amount,
    DateOnly On,
    ExchangeRate? Rate,
    decimal LedgerAmount,
    Evidence Source) : ITrackedEvent, IRetractable, IPledgeFact
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => On;

    string ITrackedEvent.Summary(string ledgerCurrency) =>
        $"{Pledger} {Stage.ToString().ToLowerInvariant()} {Money(Amount)}{Converted(Amount, LedgerAmount, Rate, ledgerCurrency)} on {Date(On)} (pledge {PledgeId})";

    IRetraction IRetractable.RetractedBy(int version, string reason, Evidence source) =>
        new PledgeStageRetracted(version, PledgeId, Pledger, Stage, Amount, LedgerAmount, reason, source, On);
}

