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
        // (A day before any target was in force measures nothing, and decides nothing: the target now does.)
        var measured = new[] { state.Target, state.TargetOn(asOf) }.OfType<Target>().Distinct().ToList();
        if (currency is null)
        {
            if (measured.Count > 0 &&
                measured.All(t => t is { IsMoney: false, Unit: { } targetUnit } && !string.Equals(targetUnit, unit, StringComparison.OrdinalIgnoreCase)))
            {
                return new RuleViolation("unit-mismatch", (measured.Count == 1 || string.Equals(measured[0].Unit, measured[1].Unit, StringComparison.OrdinalIgnoreCase)
                    ? $"Commitment '{state.Key}' counts {measured[0].Unit}; the figure was in {unit}."
                    : $"Commitment '{state.Key}' counts {measured[0].Unit} (on {asOf:yyyy-MM-dd}, {measured[1].Unit}); the figure was in {unit}.") +
                    " A count is taken in the unit of the target now, or of the target in force on its asOf day.");
            }
            // A commitment measured in money is not measured by a count (until 2026-12-06 a head count became its latest report).
            if (measured.Count > 0 && measured.All(t => t.IsMoney))
            {
                return new RuleViolation("unit-mismatch",
                    $"Commitment '{state.Key}' counts money ({measured[0].Currency}); a count in {unit} does not measure it.");
            }
            return Decision.Accept(new ProgressReported(figure, unit, null, comparator, asOf, null, null, note, source));
        }

        if (measured.Count > 0 && measured.All(t => t is { IsMoney: false }))
        {
            return new RuleViolation("unit-mismatch",
                $"Commitment '{state.Key}' counts {measured[0].Unit}; a money figure does not measure it.");
        }

        var (ledgerFigure, conversion) = Rules.ToLedger(new Money(figure, currency), rate, state.LedgerCurrency, asOf);
        if (conversion is not null) return conversion;

        return Decision.Accept(new ProgressReported(figure, null, currency, comparator, asOf,
            currency == state.LedgerCurrency ? null : rate, ledgerFigure, note, source, stage, state.LedgerCurrency));
    }
}
