namespace Tracker.Domain;

/// <summary>
/// Active ISO 4217 currency codes (funds and precious metals left out), and XDR, the IMF's special drawing right, in which
/// multilateral replenishments are pledged (IDA's, IFAD's; refused until 2026-12-06).
/// </summary>
public static class Currencies
{
    private static readonly HashSet<string> Active =
    [
        "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BHD", "BIF",
        "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
        "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
        "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
        "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
        "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
        "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
        "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
        "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VED", "VES",
        "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XDR", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG"
    ];

    public static bool IsIso4217(string? code) => code is not null && Active.Contains(code);

    /// <summary>
    /// ISO 4217 codes withdrawn since 1999, each with the code that replaced it: refused as any code not taken is, but told
    /// what to record instead (until 2026-12-06 HRK was told what ABC is, to give an ISO 4217 code).
    /// </summary>
    private static readonly Dictionary<string, string> Replaced = new(StringComparer.Ordinal)
    {
        // Into the euro.
        ["ATS"] = "EUR", ["BEF"] = "EUR", ["CYP"] = "EUR", ["DEM"] = "EUR", ["EEK"] = "EUR", ["ESP"] = "EUR", ["FIM"] = "EUR",
        ["FRF"] = "EUR", ["GRD"] = "EUR", ["HRK"] = "EUR", ["IEP"] = "EUR", ["ITL"] = "EUR", ["LTL"] = "EUR", ["LUF"] = "EUR",
        ["LVL"] = "EUR", ["MTL"] = "EUR", ["NLG"] = "EUR", ["PTE"] = "EUR", ["SIT"] = "EUR", ["SKK"] = "EUR",
        // Bulgaria's lev, into the euro on 2026-01-01 (taken until 2026-12-07), and the lev it had replaced.
        ["BGN"] = "EUR", ["BGL"] = "EUR",
        // Redenominated or replaced.
        ["AFA"] = "AFN", ["AZM"] = "AZN", ["ECS"] = "USD", ["TPE"] = "USD", ["BYR"] = "BYN", ["CSD"] = "RSD", ["CUC"] = "CUP", ["GHC"] = "GHS", ["MGF"] = "MGA", ["MRO"] = "MRU",
        ["MZM"] = "MZN", ["ROL"] = "RON", ["SDD"] = "SDG", ["SLL"] = "SLE", ["SRG"] = "SRD", ["STD"] = "STN", ["TMM"] = "TMT",
        ["TRL"] = "TRY", ["VEB"] = "VES", ["VEF"] = "VES", ["YUM"] = "RSD", ["ZMK"] = "ZMW", ["ZWD"] = "ZWG", ["ZWL"] = "ZWG",
        ["ZWN"] = "ZWG", ["ZWR"] = "ZWG",
        // The Netherlands Antillean guilder, replaced by the Caribbean guilder in 2025 (taken until 2026-12-07).
        ["ANG"] = "XCG"
    };

    /// <summary>The code that replaced a withdrawn one; null for a code in use, or one that never was.</summary>
    public static string? ReplacedBy(string? code) =>
        code is not null && Replaced.TryGetValue(code.ToUpperInvariant(), out var successor) ? successor : null;

    /// <summary>Why a currency code is refused, for a field of that name.</summary>
    public static string Refusal(string field, string? code) => ReplacedBy(code) is { } successor
        ? $"{field} {code} is no longer in use (replaced by {successor}): record the amount in {successor}, converted at the rate of the day."
        : $"{field} must be an ISO 4217 code such as USD or EUR.";

    /// <summary>Every code taken, in order.</summary>
    public static IReadOnlyList<string> Codes { get; } = [.. Active.Order(StringComparer.Ordinal)];
}
