namespace Tracker.Domain.Commitments;

/// <summary>A pledge's amount was explicitly revised (raised or cut), with the reason.</summary>
public sealed record PledgeRevised(
    string PledgeId,
    string Pledger,
    Money NewAmount,
    ExchangeRate? Rate,
    decimal LedgerAmount,
    string Reason,
    Evidence Source);
