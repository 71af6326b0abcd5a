using System.Globalization;
using System.Text.Json;
using Tracker.Domain.Commitments;

namespace Tracker.Domain;

/// <summary>How the values inside events read in a summary: dates as ISO days, amounts with thousands separators and every digit.</summary>
public static class Wording
{
    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Every digit the value has, without trailing zeros: a summary is read by auditors, so a target of 10^-25 is not
    /// "0", nor 1,234.5678 "1,234.57" (until 2026-12-05 amounts were rounded to two places).
    /// </summary>
    public static string Number(decimal value) => value.ToString("#,0.############################", CultureInfo.InvariantCulture);

    public static string Money(Money money) => $"{money.Currency} {Number(money.Amount)}";

    public static string Paragraph(string? paragraph) => paragraph is null ? "" : $" paragraph {paragraph}";

    /// <summary>An enum value as the API spells it: AchievedLate is "achieved-late".</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>Every value of an enum type as the API spells it ("achieved-late"), in declaration order.</summary>
    public static IEnumerable<string> Names(Type enumType) => Enum.GetNames(enumType).Select(JsonNamingPolicy.KebabCaseLower.ConvertName);

    /// <summary>" (USD 27,100,000 at 1.084 on 2024-10-02)" for money converted into the ledger currency; "" otherwise.</summary>
    public static string Converted(Money original, decimal ledgerAmount, ExchangeRate? rate, string ledgerCurrency) =>
        rate is null || original.Currency == ledgerCurrency
            ? ""
            : $" ({ledgerCurrency} {Number(ledgerAmount)} at {Decimals.Normal(rate.Rate).ToString(CultureInfo.InvariantCulture)} on {Date(rate.On)})";

    /// <summary>"USD 394,000,000"; "0 camps from a baseline of 200" (a change of baseline alone is a change it shows).</summary>
    public static string Target(Target target) =>
        (target.IsMoney ? $"{target.Currency} {Number(target.Amount)}" : $"{Number(target.Amount)} {target.Unit}") +
        (target.Baseline is { } baseline ? $" from a baseline of {Number(baseline)}" : "");

    public static string Deadline(Deadline deadline) => deadline.DueBy is { } due
        ? $"due by {Date(due)}"
        : deadline.Description ?? "open-ended";

    /// <summary>The words a comparator puts before a figure: "more than ", "about ", or nothing for an exact one.</summary>
    public static string Comparator(Comparator comparator) => comparator switch
    {
        Commitments.Comparator.Exactly => "",
        Commitments.Comparator.AtLeast => "at least ",
        Commitments.Comparator.MoreThan => "more than ",
        Commitments.Comparator.About => "about ",
        Commitments.Comparator.UpTo => "up to ",
        Commitments.Comparator.Nearly => "nearly ",
        Commitments.Comparator.LessThan => "less than ",
        Commitments.Comparator.AtMost => "at most ",
        _ => throw new ArgumentOutOfRangeException(nameof(comparator), comparator, "A comparator without words.")
    };
}
