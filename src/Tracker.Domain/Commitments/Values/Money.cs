namespace Tracker.Domain.Commitments;

/// <summary>An amount in an ISO 4217 currency. Decimal, never floating point.</summary>
public sealed record Money(decimal Amount, string Currency)
{
    public override string ToString() => $"{Currency} {Wording.Number(Amount)}";
}
