namespace Tracker.Domain.Commitments;

/// <summary>
/// A figure was reported toward the commitment ("over 10,000 repatriated", "more than $200 million announced"), with its
/// comparator and the date it refers to. Money figures carry a Currency (and LedgerFigure in the ledger currency);
/// quantities carry a Unit. An aggregate money figure is never added to member pledges as separate money.
/// </summary>
public sealed record ProgressReported(
    decimal Figure,
    string? Unit,
    string? Currency,
    Comparator Comparator,
    DateOnly AsOf,
    ExchangeRate? Rate,
    decimal? LedgerFigure,
    string? Note,
    Evidence Source);
