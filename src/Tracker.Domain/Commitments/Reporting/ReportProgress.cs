namespace Tracker.Domain.Commitments;

public static class ReportProgress
{
    /// <summary>
    /// A figure is money (currency given, with the stage of money it counts if the text says) or a quantity (unit given),
    /// never both.
    /// </summary>
    public static Decision Decide(CommitmentState state, decimal figure, string? unit, string? currency, Comparator comparator,
        DateOnly asOf, ExchangeRate? rate, string? note, Evidence source, FigureStage? stage = null)
    {
        if (Rules.NotWithdrawn(state) is { } withdrawn) return withdrawn;
        if (currency is null && stage is not null)
        {
            return new RuleViolation("stage-needs-money",
                $"A stage of money ({Wording.Name(stage.Value)}) describes a money figure; this one is in {unit}.");
        }

        if (currency is null)
        {
            if (state.Target is { IsMoney: false, Unit: { } targetUnit } &&
                !string.Equals(targetUnit, unit, StringComparison.OrdinalIgnoreCase))
            {
                return new RuleViolation("unit-mismatch",
                    $"Commitment '{state.Key}' counts {targetUnit}; the figure was in {unit}.");
            }
            return Decision.Accept(new ProgressReported(figure, unit, null, comparator, asOf, null, null, note, source));
        }

        if (state.Target is { IsMoney: false })
        {
            return new RuleViolation("unit-mismatch",
                $"Commitment '{state.Key}' counts {state.Target.Unit}; a money figure does not measure it.");
        }

        var (ledgerFigure, conversion) = Rules.ToLedger(new Money(figure, currency), rate, state.LedgerCurrency, asOf);
        if (conversion is not null) return conversion;

        return Decision.Accept(new ProgressReported(figure, null, currency, comparator, asOf,
            currency == state.LedgerCurrency ? null : rate, ledgerFigure, note, source, stage, state.LedgerCurrency));
    }
}
