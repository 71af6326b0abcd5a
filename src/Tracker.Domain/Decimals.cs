namespace Tracker.Domain;

public static class Decimals
{
    /// <summary>
    /// The value without trailing zeros (10.50 is 10.5, 0.00 is 0): a running total and the sum of what remains after a
    /// retraction are the same number, and written the same way, however they were reached.
    /// </summary>
    public static decimal Normal(decimal value) => value / 1.0000000000000000000000000000m;
}
