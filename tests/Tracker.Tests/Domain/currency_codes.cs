using Shouldly;
using Tracker.Domain;

namespace Tracker.Tests.Domain;

/// <summary>The currencies money may be recorded in: ISO 4217's active codes, the newest among them.</summary>
public sealed class currency_codes
{
    [Theory]
    // VED, the digital bolívar beside VES since 2021, was refused until 2026-12-06.
    [InlineData("VED")]
    [InlineData("VES")]
    [InlineData("ZWG")]
    [InlineData("XCG")]
    [InlineData("SLE")]
    [InlineData("USD")]
    [InlineData("XDR")] // the IMF's special drawing right, in which multilateral replenishments are pledged
    public void an_active_code_is_a_currency(string code) => Currencies.IsIso4217(code).ShouldBeTrue();

    [Theory]
    [InlineData("XYZ")]
    [InlineData("usd")]
    [InlineData("XAU")] // gold: a precious metal, not money a member pledges
    public void anything_else_is_not(string code) => Currencies.IsIso4217(code).ShouldBeFalse();

    [Theory]
    // Taken until 2026-12-07: the lev went into the euro on 2026-01-01, the Antillean guilder into the Caribbean one in 2025.
    [InlineData("BGN", "EUR")]
    [InlineData("BGL", "EUR")]
    [InlineData("ANG", "XCG")]
    [InlineData("HRK", "EUR")]
    public void a_withdrawn_code_is_none_and_names_what_replaced_it(string code, string successor)
    {
        Currencies.IsIso4217(code).ShouldBeFalse();
        Currencies.ReplacedBy(code).ShouldBe(successor);
        Currencies.IsIso4217(successor).ShouldBeTrue();
    }
}
