namespace Tracker.Domain.Commitments;

/// <summary>
/// How many units of the ledger currency one unit of the original currency bought on a date: an amount in EUR with
/// Rate 1.084 to a USD ledger counts USD 1.084 per euro. The original amount and currency are always kept beside it.
/// </summary>
public sealed record ExchangeRate(decimal Rate, [property: Happened] DateOnly On, string? Source = null);
