namespace Tracker.Api.Exports;

/// <summary>
/// The region codes an IATI recipient-region takes, by vocabulary. A code of the right form that names no region (a
/// DAC 1234, an M49 999) would publish an activity no IATI tool can place; until 2026-12-06 only the form was checked.
/// </summary>
public static class IatiRegions
{
    /// <summary>
    /// Vocabulary 1, the OECD DAC's supra-national regions (IATI's Region codelist, 2.03): 380, West Indies, regional, is
    /// withdrawn there (its countries are under 1031 and 1032 now), and refused as such.
    /// </summary>
    private static readonly HashSet<string> Dac =
    [
        "88", "89", "189", "289", "298", "389", "489", "498", "589", "619", "679", "689", "789", "798", "889", "998",
        "1027", "1028", "1029", "1030", "1031", "1032", "1033", "1034", "1035"
    ];

    public const string WithdrawnDac = "380";

    /// <summary>
    /// Vocabulary 2, the UN M49 standard's regions: the world, its regions, sub-regions and intermediate regions. A
    /// country's own M49 code (368, Iraq) is a country, which IATI reports as a recipient-country instead.
    /// </summary>
    private static readonly HashSet<string> M49 =
    [
        "001", "002", "005", "009", "011", "013", "014", "015", "017", "018", "019", "021", "029", "030", "034", "035",
        "039", "053", "054", "057", "061", "142", "143", "145", "150", "151", "154", "155", "202", "419", "830"
    ];

    public static bool IsDacRegion(string code) => Dac.Contains(code);

    public static bool IsM49Region(string code) => M49.Contains(code);
}
