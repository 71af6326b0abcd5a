namespace Tracker.Domain.Commitments;

/// <summary>
/// What a commitment aims at: money (Amount in Currency) or a quantity (Amount of Unit, such as "people"), with an
/// optional baseline the progress starts from.
/// </summary>
public sealed record Target(decimal Amount, string? Currency, string? Unit, decimal? Baseline = null)
{
    public bool IsMoney => Currency is not null;
}
