using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>
/// A figure was reported toward the commitment ("over 10,000 repatriated", "more than $200 million announced"), with its
/// comparator and the date it refers to. Money figures carry a Currency (and LedgerFigure in the ledger currency);
/// quantities carry a Unit. An aggregate money figure is never added to member pledges as separate money. LedgerCurrency
/// names the ledger currency of a money figure's LedgerFigure (null in figures recorded before it was kept, 2026-12-05).
/// </summary>
public sealed record ProgressReported(
    decimal Figure,
    string? Unit,
    string? Currency,
    Comparator Comparator,
    DateOnly AsOf,
    ExchangeRate? Rate,
    decimal? LedgerFigure,
    string? Note,
    Evidence Source,
    FigureStage? Stage = null,
    string? LedgerCurrency = null) : ITrackedEvent, IRetractable
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => AsOf;

    string? ITrackedEvent.Reason => Note;

    /// <summary>
    /// "Reported more than EUR 200,000,000 (USD 216,800,000 at 1.084 on 2024-10-02) announced as of 2024-09-30": a
    /// converted figure says what it counts as in the ledger, as a pledge does (until 2026-12-06 it left that out).
    /// </summary>
    string ITrackedEvent.Summary(string ledgerCurrency) =>
        $"Reported {Wording.Comparator(Comparator)}{(Currency is not null ? $"{Currency} {Number(Figure)}" : $"{Number(Figure)} {Unit}".TrimEnd())}" +
        $"{(Currency is not null && LedgerFigure is { } inLedger ? Converted(new Money(Figure, Currency), inLedger, Rate, LedgerCurrency ?? ledgerCurrency) : "")}" +
        $"{(Stage is { } stage ? $" {Name(stage)}" : "")} as of {Date(AsOf)}";

    IRetraction IRetractable.RetractedBy(int version, string reason, Evidence source) =>
        new ProgressReportRetracted(version, Currency is not null, reason, source);
}

