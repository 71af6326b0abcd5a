namespace Tracker.Domain;

public static class Decimals
{
    /// <summary>
    /// The value without trailing zeros (10.50 is 10.5, 0.00 is 0): a running total and the sum of what remains after a
    /// retraction are the same number, and written the same way, however they were reached.
    /// </summary>
    public static decimal Normal(decimal value) => value / 1.0000000000000000000000000000m;

    /// <summary>
    /// The product of two decimals rounded once, half to even, to <paramref name="places"/> decimal places: decimal's own
    /// multiplication first rounds a product past 28-29 significant digits, and rounding that again can land on the other
    /// side of a half (1.000001 at 0.1234563765436234563765436235 is 0.12345650000000000000000000004362..., which is
    /// 0.123457; rounded twice it was 0.123456, until 2026-12-07). Computed on the exact product of the two.
    /// </summary>
    public static decimal MultipliedAndRounded(decimal a, decimal b, int places)
    {
        var (ma, sa) = Parts(a);
        var (mb, sb) = Parts(b);
        var product = ma * mb;
        var scale = sa + sb;
        if (scale <= places) return Math.Round(a * b, places, MidpointRounding.ToEven);
        var divisor = System.Numerics.BigInteger.Pow(10, scale - places);
        var quotient = System.Numerics.BigInteger.DivRem(System.Numerics.BigInteger.Abs(product), divisor, out var remainder);
        var twice = remainder * 2;
        if (twice > divisor || twice == divisor && !quotient.IsEven) quotient += 1;
        // A quotient past decimal's 96 bits cannot be the answer (the bounds on amounts and rates keep it far below).
        if (quotient.GetBitLength() > 96) return Math.Round(a * b, places, MidpointRounding.ToEven);
        var bytes = new byte[12];
        quotient.TryWriteBytes(bytes, out _, isUnsigned: true);
        return new decimal(BitConverter.ToInt32(bytes, 0), BitConverter.ToInt32(bytes, 4), BitConverter.ToInt32(bytes, 8),
            product.Sign < 0, (byte)places);

        static (System.Numerics.BigInteger Mantissa, int Scale) Parts(decimal value)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            var mantissa = ((System.Numerics.BigInteger)(uint)bits[2] << 64) | ((System.Numerics.BigInteger)(uint)bits[1] << 32) | (uint)bits[0];
            return (bits[3] < 0 ? -mantissa : mantissa, (bits[3] >> 16) & 0xFF);
        }
    }
}
