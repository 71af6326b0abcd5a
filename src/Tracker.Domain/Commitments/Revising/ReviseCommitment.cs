namespace Tracker.Domain.Commitments;

/// <summary>A target or deadline revised outside a restatement; both may change in one request.</summary>
public static class ReviseCommitment
{
    public static Decision Decide(CommitmentState state, Target? newTarget, Deadline? newDeadline, string reason, Evidence source)
    {
        if (Rules.NotWithdrawn(state) is { } withdrawn) return withdrawn;
        if (newTarget is null && newDeadline is null)
        {
            return new RuleViolation("nothing-to-revise", "A revision needs a new target, a new deadline, or both.");
        }

        if ((Rules.TargetFitsKind(state.Kind, newTarget) ?? Rules.LedgerCurrencyKept(state, newTarget)) is { } violation)
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

        var events = new List<object>();
        if (newTarget is not null) events.Add(new TargetRevised(newTarget, reason, source));
        if (newDeadline is not null) events.Add(new DeadlineRevised(newDeadline, reason, source));
        return Decision.Accept([.. events]);
    }
}
