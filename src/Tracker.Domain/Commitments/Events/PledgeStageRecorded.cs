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
    Evidence Source);
