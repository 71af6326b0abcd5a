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

        // A figure measures the target in force on the day it counts, or the one in force now (counted ahead of a
        // revision to its unit): a count of camps dated before the target became sites is a true figure learned late.
        Target?[] measured = [state.Target, state.TargetOn(asOf)];
        if (currency is null)
        {
            if (measured.All(t => t is { IsMoney: false, Unit: { } targetUnit } && !string.Equals(targetUnit, unit, StringComparison.OrdinalIgnoreCase)))
            {
                return new RuleViolation("unit-mismatch", state.Target!.Unit == measured[1]!.Unit
                    ? $"Commitment '{state.Key}' counts {state.Target.Unit}; the figure was in {unit}."
                    : $"Commitment '{state.Key}' counts {state.Target.Unit} (on {asOf:yyyy-MM-dd}, {measured[1]!.Unit}); the figure was in {unit}.");
            }
            return Decision.Accept(new ProgressReported(figure, unit, null, comparator, asOf, null, null, note, source));
        }

        if (measured.All(t => t is { IsMoney: false }))
        {
            return new RuleViolation("unit-mismatch",
                $"Commitment '{state.Key}' counts {state.Target!.Unit}; a money figure does not measure it.");
        }

        var (ledgerFigure, conversion) = Rules.ToLedger(new Money(figure, currency), rate, state.LedgerCurrency, asOf);
        if (conversion is not null) return conversion;

        return Decision.Accept(new ProgressReported(figure, null, currency, comparator, asOf,
            currency == state.LedgerCurrency ? null : rate, ledgerFigure, note, source, stage, state.LedgerCurrency));
    }
}
