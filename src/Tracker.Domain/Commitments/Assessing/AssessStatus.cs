namespace Tracker.Domain.Commitments;

public static class AssessStatus
{
    public static Decision Decide(CommitmentState state, CommitmentStatus status, DateOnly assessedOn, string rationale,
        Evidence source)
    {
        if (Rules.NotWithdrawn(state) is { } withdrawn) return withdrawn;
        if (status == CommitmentStatus.NotAssessed)
        {
            return new RuleViolation("not-assessed-is-initial",
                "'not-assessed' is the state before any assessment; to undo an assessment, correct it.");
        }

        if (status == CommitmentStatus.AchievedLate && Timeliness(state, CommitmentStatus.Achieved, assessedOn) != status)
        {
            return new RuleViolation("achieved-on-time",
                $"'achieved-late' follows from the deadline, and {(state.Deadline?.DueBy is { } due ? $"it ({due:yyyy-MM-dd})" : "there is none that")} " +
                $"had not passed on {assessedOn:yyyy-MM-dd}: assess 'achieved', and the tracker records whether it was late.");
        }

        if (state.StatusDate is { } current && assessedOn < current)
        {
            return new RuleViolation("assessment-out-of-order",
                $"The current assessment is dated {current:yyyy-MM-dd}; a new one cannot be " +
                $"dated earlier ({assessedOn:yyyy-MM-dd}).");
        }

        return Decision.Accept(new StatusAssessed(Timeliness(state, status, assessedOn), assessedOn, rationale, source));
    }

    /// <summary>Achieved after the deadline is achieved late, whatever the monitor called it.</summary>
    public static CommitmentStatus Timeliness(CommitmentState state, CommitmentStatus status, DateOnly assessedOn)
    {
        if (status != CommitmentStatus.Achieved) return status;
        var late = state.DeadlinePassedOn is not null && state.DeadlinePassedOn == state.Deadline?.DueBy
                   || state.Deadline?.DueBy is { } due && assessedOn > due;
        return late ? CommitmentStatus.AchievedLate : status;
    }
}
