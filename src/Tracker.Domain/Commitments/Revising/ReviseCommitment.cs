namespace Tracker.Domain.Commitments;

/// <summary>
/// A target, deadline or ledger currency revised outside a restatement; any of them may change in one request. The
/// ledger currency is named first, so a target in the currency named beside it counts in it.
/// </summary>
public static class ReviseCommitment
{
    public static Decision Decide(CommitmentState state, Target? newTarget, Deadline? newDeadline, string reason, Evidence source,
        string? newLedgerCurrency = null)
    {
        if (Rules.NotWithdrawn(state) is { } withdrawn) return withdrawn;
        if (newTarget is null && newDeadline is null && newLedgerCurrency is null)
        {
            return new RuleViolation("nothing-to-revise", "A revision needs a new target, deadline or ledger currency.");
        }

        var named = newLedgerCurrency is null ? null : new LedgerCurrencyNamed(newLedgerCurrency, reason, source);
        // What is in force after it, each fact dated by its source or else the day it is recorded (after every fact dated
        // before it, which the latest day orders alike): a target revised to with an earlier date is not the one in force.
        var counting = named is null ? state : state.After(named, recordedOn: DateOnly.MaxValue);
        var revised = newTarget is null ? counting : counting.After(new TargetRevised(newTarget, reason, source), recordedOn: DateOnly.MaxValue);
        if ((Rules.TargetFitsKind(state.Kind, newTarget) ??
             (named is null ? null : Rules.LedgerNamedFits(state, revised, named.Currency)) ??
             Rules.LedgerCurrencyKept(counting, newTarget)) is { } violation)
        {
            return violation;
        }

        // A revision takes effect on its source's day (or the day it is recorded, never before a statement): what was not
        // yet stated cannot have been revised, as a restatement cannot precede it either.
        if (source.On is { } on && on < state.StatedOn)
        {
            return new RuleViolation("revision-before-statement",
                $"The commitment was stated on {state.StatedOn:yyyy-MM-dd}; a revision cannot take effect before it " +
                $"({on:yyyy-MM-dd}, {Rules.RevisionSourceDay}). Give the day it took effect as the source's 'on', or correct the statement.");
        }

        // Nor revised to a deadline due before it was stated, as it cannot be stated so (until 2026-12-07 a revision to
        // 1900 was taken, and the commitment overdue at once).
        if (StateCommitment.DueAfterStatement(newDeadline, state.StatedOn) is { } alreadyDue) return alreadyDue;

        var events = new List<object>();
        if (named is not null) events.Add(named);
        if (newTarget is not null) events.Add(new TargetRevised(newTarget, reason, source));
        if (newDeadline is not null) events.Add(new DeadlineRevised(newDeadline, reason, source));
        return Decision.Accept([.. events]);
    }
}
