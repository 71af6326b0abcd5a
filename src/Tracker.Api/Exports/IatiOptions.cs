using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Tracker.Api.Exports;

/// <summary>
/// Configuration section "Iati": who publishes the IATI export. The reporting organisation's identifier has no default:
/// only the operator knows it, and a made-up one would be published as if it were real, so until it is set the export
/// answers a problem naming the setting.
/// </summary>
public sealed partial class IatiOptions
{
    public const string Section = "Iati";

    public ReportingOrgOptions ReportingOrg { get; set; } = new();

    /// <summary>The language of the text (titles, quotes, names), ISO 639-1: the source documents are in English.</summary>
    public string Language { get; set; } = "en";

    /// <summary>
    /// The sector every activity is in, when the publisher names one of a public vocabulary (1: DAC 5-digit, such as
    /// 15220 for civilian peace-building); unset, each activity's sector is its line of effort in the reporting
    /// organisation's own vocabulary (99).
    /// </summary>
    public SectorOptions Sector { get; set; } = new();

    /// <summary>
    /// Where the money goes: the countries (ISO 3166-1 alpha-2, with their shares when more than one), or else a region,
    /// by default OECD DAC's 998, "Developing countries, unspecified". IATI's Standard Ruleset wants one or the other on
    /// every activity (rule 3.7, an error), and the tracker's commitments do not say it.
    /// </summary>
    public RecipientOptions Recipient { get; set; } = new();

    /// <summary>Why the settings cannot be used, one line each; empty when they can (an unset identifier included).</summary>
    public IEnumerable<string> Problems()
    {
        if (!string.IsNullOrWhiteSpace(ReportingOrg.Ref) && !OrganisationIdentifier().IsMatch(ReportingOrg.Ref))
        {
            yield return $"{Section}:ReportingOrg:Ref '{ReportingOrg.Ref}' is not an IATI organisation identifier: a registration " +
                         "agency's prefix and the number it gave (GB-COH-01234567, XM-DAC-41114, XI-IATI-...), without spaces, /, &, | or ?.";
        }
        if (!OrganisationTypes.Contains(ReportingOrg.Type))
        {
            yield return $"{Section}:ReportingOrg:Type '{ReportingOrg.Type}' is not a code of IATI's OrganisationType codelist " +
                         $"({string.Join(", ", OrganisationTypes)}).";
        }
        if (string.IsNullOrWhiteSpace(ReportingOrg.Name)) yield return $"{Section}:ReportingOrg:Name is empty.";
        // A code of the list, not two letters alone: "zz" was exported as the activities' language (until 2026-12-07).
        if (!LanguageCode().IsMatch(Language) || !Iso639Part1.Contains(Language))
            yield return $"{Section}:Language '{Language}' is not an ISO 639-1 code (en, fr...).";
        if (!string.IsNullOrWhiteSpace(Sector.Code) && !SectorCode().IsMatch(Sector.Code))
        {
            yield return $"{Section}:Sector:Code '{Sector.Code}' is not a sector code (letters and digits, such as 15220).";
        }
        // The DAC vocabularies' codes are numbers of a set length: "abc" or 15220 under the 3-digit one was exported as a
        // sector no reader could look up (until 2026-12-07).
        else if (!string.IsNullOrWhiteSpace(Sector.Code) && Sector.Vocabulary is "1" or "2" &&
                 !(Sector.Code.Length == (Sector.Vocabulary == "1" ? 5 : 3) && Sector.Code.All(char.IsAsciiDigit)))
        {
            yield return $"{Section}:Sector:Code '{Sector.Code}' is not a code of vocabulary {Sector.Vocabulary} (OECD DAC " +
                         (Sector.Vocabulary == "1" ? "5-digit, such as 15220)." : "3-digit, such as 152).");
        }
        foreach (var problem in Recipient.Problems()) yield return problem;
        if (!SectorVocabularies.Contains(Sector.Vocabulary))
        {
            yield return $"{Section}:Sector:Vocabulary '{Sector.Vocabulary}' is not a code of IATI's SectorVocabulary codelist " +
                         $"({string.Join(", ", SectorVocabularies)}).";
        }
    }

    /// <summary>The problem the export answers while the reporting organisation's identifier is not set.</summary>
    public static string NotConfigured =>
        $"Set {Section}:ReportingOrg:Ref (environment: {Section}__ReportingOrg__Ref) to the publisher's IATI organisation " +
        "identifier before exporting: every activity's iati-identifier begins with it.";

    /// <summary>IATI OrganisationType codes (codelist of the 2.03 standard).</summary>
    public static readonly string[] OrganisationTypes =
        ["10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"];

    /// <summary>Settings that cannot be used stop the start, each problem named.</summary>
    public sealed class Validation : IValidateOptions<IatiOptions>
    {
        public ValidateOptionsResult Validate(string? name, IatiOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    [GeneratedRegex(@"^[A-Z]{2}-[A-Z0-9]+-[^\s/&|?]+$")]
    public static partial Regex OrganisationIdentifier();

    [GeneratedRegex("^[a-z]{2}$")]
    private static partial Regex LanguageCode();

    /// <summary>ISO 639-1's two-letter language codes (IATI's Language codelist).</summary>
    private static readonly HashSet<string> Iso639Part1 = new(
        ("aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu " +
         "fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn " +
         "ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os " +
         "pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw " +
         "ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu").Split(' '), StringComparer.Ordinal);

    /// <summary>IATI SectorVocabulary codes (codelist of the 2.03 standard).</summary>
    public static readonly string[] SectorVocabularies = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "98", "99"];

    [GeneratedRegex("^[A-Za-z0-9.-]{1,20}$")]
    private static partial Regex SectorCode();
}

public sealed partial class RecipientOptions
{
    /// <summary>
    /// The recipient countries as ISO 3166-1 alpha-2 codes, each with its percentage when there are several
    /// ("IQ:60,SY:40"; "IQ" alone is all of it); none by default, and then the region.
    /// </summary>
    public string? Countries { get; set; }

    /// <summary>The recipient region's code, when no country is named: OECD DAC's 998, developing countries, unspecified.</summary>
    public string Region { get; set; } = "998";

    /// <summary>The region's RegionVocabulary code: 1 OECD DAC, 2 UN M49.</summary>
    public string RegionVocabulary { get; set; } = "1";

    /// <summary>The countries named, each with its percentage (null for a single country, which is all of it).</summary>
    public IReadOnlyList<(string Code, decimal? Percentage)> CountryShares() =>
        string.IsNullOrWhiteSpace(Countries)
            ? []
            : [.. Countries.Split(',', StringSplitOptions.TrimEntries).Select(part => part.Split(':', 2, StringSplitOptions.TrimEntries) is [var code, var share]
                && decimal.TryParse(share, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var percentage)
                ? (code, (decimal?)percentage)
                : (part.Split(':')[0], null))];

    public IEnumerable<string> Problems()
    {
        const string setting = $"{IatiOptions.Section}:Recipient:Countries";
        if (!string.IsNullOrWhiteSpace(Countries))
        {
            var parts = Countries.Split(',', StringSplitOptions.TrimEntries);
            var malformed = parts.Where(p => !CountryShare().IsMatch(p)).ToList();
            if (malformed.Count > 0)
            {
                yield return $"{setting} '{Countries}' is not a list of ISO 3166-1 alpha-2 codes, each with its percentage when " +
                             $"there are several (IQ:60,SY:40); not read: {string.Join(", ", malformed.Select(p => $"'{p}'"))}.";
                yield break;
            }
            var shares = CountryShares();
            if (shares.Where(s => !IsoCountries.IsCountry(s.Code)).Select(s => s.Code).ToList() is { Count: > 0 } unknown)
            {
                yield return $"{setting} '{Countries}': {string.Join(", ", unknown.Select(c => $"'{c}'"))} " +
                             (unknown.Count == 1 ? "is no country's" : "are no countries'") + " ISO 3166-1 alpha-2 code (IQ for Iraq, SY for Syria).";
                yield break;
            }
            if (shares.Select(s => s.Code).Distinct(StringComparer.Ordinal).Count() != shares.Count)
            {
                yield return $"{setting} '{Countries}' names a country twice.";
            }
            else if (shares.Count > 1 && (shares.Any(s => s.Percentage is null) || shares.Sum(s => s.Percentage ?? 0) != 100))
            {
                yield return $"{setting} '{Countries}': several countries each need a percentage, and the percentages add up to 100 " +
                             "(IATI's Standard Ruleset).";
            }
            else if (shares is [{ Percentage: { } only }] && only != 100)
            {
                yield return $"{setting} '{Countries}': a single country is all of it (100), or leave its percentage out.";
            }
        }
        if (RegionVocabulary is not ("1" or "2"))
        {
            yield return $"{IatiOptions.Section}:Recipient:RegionVocabulary '{RegionVocabulary}' is not 1 (OECD DAC) or 2 (UN M49).";
        }
        // OECD DAC's region codes have two to four digits (89 Europe, regional; 589; 1027), UN M49's three (142 Asia).
        else if (!(RegionVocabulary == "1" ? DacRegionCode() : M49RegionCode()).IsMatch(Region))
        {
            yield return $"{IatiOptions.Section}:Recipient:Region '{Region}' is not a region code of the " +
                         (RegionVocabulary == "1" ? "OECD DAC's vocabulary (two to four digits: 89, 589, 998, 1027)" : "UN M49 (three digits: 142, 145)") + ".";
        }
        else if (RegionVocabulary == "2" && Region == "998")
        {
            yield return $"{IatiOptions.Section}:Recipient:Region '998' is the OECD DAC's code for developing countries, unspecified, not a UN M49 region: " +
                         "give the M49 code with RegionVocabulary 2, or RegionVocabulary 1 to keep 998.";
        }
        else if (RegionVocabulary == "1" && Region == IatiRegions.WithdrawnDac)
        {
            yield return $"{IatiOptions.Section}:Recipient:Region '380' (West Indies, regional) is withdrawn from IATI's Region codelist: " +
                         "give 1031 (Caribbean, regional) or 1032 (Central America, regional).";
        }
        else if (RegionVocabulary == "1" && !IatiRegions.IsDacRegion(Region))
        {
            yield return $"{IatiOptions.Section}:Recipient:Region '{Region}' is no region of the OECD DAC's vocabulary (IATI's Region " +
                         "codelist: 89 Europe, 298 Africa, 589 Middle East, 798 Asia, 998 developing countries, unspecified, ...).";
        }
        else if (RegionVocabulary == "2" && !IatiRegions.IsM49Region(Region))
        {
            yield return $"{IatiOptions.Section}:Recipient:Region '{Region}' is no UN M49 region (001 World, 002 Africa, 142 Asia, " +
                         "145 Western Asia, 150 Europe, ...); a country's code is given in Iati:Recipient:Countries instead.";
        }
    }

    [GeneratedRegex(@"^[A-Z]{2}(:(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?))?\z")]
    private static partial Regex CountryShare();

    [GeneratedRegex(@"^[1-9][0-9]{1,3}\z")]
    private static partial Regex DacRegionCode();

    [GeneratedRegex(@"^[0-9]{3}\z")]
    private static partial Regex M49RegionCode();
}

public sealed class SectorOptions
{
    /// <summary>SectorVocabulary code of <see cref="Code"/>: 1 is OECD DAC 5-digit.</summary>
    public string Vocabulary { get; set; } = "1";

    /// <summary>The sector's code in that vocabulary; none by default (each activity's line of effort).</summary>
    public string? Code { get; set; }

    /// <summary>The sector's name, said beside its code.</summary>
    public string? Name { get; set; }
}

public sealed class ReportingOrgOptions
{
    /// <summary>The publisher's IATI organisation identifier (org-id.guide); none by default.</summary>
    public string? Ref { get; set; }

    /// <summary>OrganisationType code; 90 is Other.</summary>
    public string Type { get; set; } = "90";

    public string Name { get; set; } = "CommitmentTracker";
}
