using Tracker.Domain;
using Tracker.Domain.Commitments;

namespace Tracker.Tests.Domain;

public sealed class rounding_a_product
{
    [Theory]
    // Decimal's own product is rounded to 0.1234565000000000000000000000 first, then half to even: 0.123456. The exact
    // product, 0.12345650000000000000000000004362..., is past the half: 0.123457 (until 2026-12-07 rounded twice).
    [InlineData("1.000001", "0.1234563765436234563765436235", "0.123457")]
    [InlineData("-1.000001", "0.1234563765436234563765436235", "-0.123457")]
    // An exact half goes to the even neighbour, up or down.
    [InlineData("0.0000125", "1", "0.000012")]
    [InlineData("0.0000135", "1", "0.000014")]
    [InlineData("25000000", "1.0842", "27105000")]
    [InlineData("1000000000000000", "0.000000001", "1000000")]
    public void a_product_is_rounded_once_from_its_exact_value(string a, string b, string expected)
    {
        static decimal Read(string text) => decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

        Decimals.MultipliedAndRounded(Read(a), Read(b), 6).ShouldBe(Read(expected));
    }

    [Fact]
    public void pledged_money_in_another_currency_is_valued_in_the_ledger_from_the_exact_product()
    {
        var (ledger, violation) = Rules.ToPledgeLedger(new Money(1.000001m, "EUR"),
            new ExchangeRate(0.1234563765436234563765436235m, new DateOnly(2024, 10, 1)), "USD", new DateOnly(2024, 10, 2));

        violation.ShouldBeNull();
        ledger.ShouldBe(0.123457m);
    }
}
