namespace Tracker.Domain.Commitments;

/// <summary>
/// A monitor's judgement, made on one day, about a state of affairs that took effect on another (the same day unless
/// they say otherwise). Every date the rules compare is the day things took effect, never the order they were recorded
/// in: a meeting held in May and learned of after its June deadline was recorded as passed is achieved on time.
/// </summary>
public static class AssessStatus
{
    public static Decision Decide(CommitmentState state, CommitmentStatus status, DateOnly assessedOn, string rationale,
        Evidence source, DateOnly? effectiveOn = null)
    {
        var tookEffectOn = effectiveOn ?? assessedOn;
        if (Rules.NotWithdrawn(state) is { } withdrawn) return withdrawn;
        if (status == CommitmentStatus.NotAssessed)
        {
            return new RuleViolation("not-assessed-is-initial",
                "'not-assessed' is the state before any assessment; to undo an assessment, correct it.");
        }

        if (tookEffectOn > assessedOn)
        {
            return new RuleViolation("effective-after-assessment",
                $"An assessment made on {assessedOn:yyyy-MM-dd} cannot judge a state of affairs that takes effect later " +
                $"({tookEffectOn:yyyy-MM-dd}); assess it once it has.");
        }

        if (tookEffectOn < state.StatedOn)
        {
            return new RuleViolation("assessment-before-statement", assessedOn < state.StatedOn
                ? $"The commitment was stated on {state.StatedOn:yyyy-MM-dd}; an assessment made earlier ({assessedOn:yyyy-MM-dd}) " +
                  "cannot judge it. Check the date of the assessment."
                : $"The commitment was stated on {state.StatedOn:yyyy-MM-dd}; its status cannot take effect before it " +
                  $"({tookEffectOn:yyyy-MM-dd}). Give effectiveOn no earlier than the statement.");
        }

        // An achievement holds until an assessment says otherwise: achieved again adds no fact, and would date the
        // achievement anew on its own day (past the deadline making one on time late) while the earlier one still stood in
        // every past. Until 2026-12-06 a bare re-assessment did just that; until 2026-12-07 one with its effectiveOn did.
        // A confirmation is evidence; another day for the achievement is a retraction of the one in force, then its day.
        if (state.IsAchieved && status is CommitmentStatus.Achieved or CommitmentStatus.AchievedLate)
        {
            var inForce = state.Assessments[^1];
            return new RuleViolation("already-achieved",
                $"The commitment is {Wording.Name(state.Status)} since {state.StatusDate:yyyy-MM-dd} (version {inForce.Version}); " +
                $"assessing it achieved again would date the achievement {tookEffectOn:yyyy-MM-dd}. To confirm it, attach evidence " +
                $"(POST .../evidence); if it was achieved on another day, retract the assessment in force (POST .../corrections, " +
                "version " + inForce.Version + ") and assess it with the day it took effect (effectiveOn).");
        }

        if (status == CommitmentStatus.AchievedLate && Timeliness(state, CommitmentStatus.Achieved, tookEffectOn) != status)
        {
            return new RuleViolation("achieved-on-time",
                $"'achieved-late' follows from the deadline and the day the achievement took effect " +
                $"({tookEffectOn:yyyy-MM-dd}), and {(state.DeadlineOn(tookEffectOn)?.DueBy is { } due ? $"the deadline in force then ({due:yyyy-MM-dd}) had not passed by then" : "no deadline was in force then")}" +
                $": assess 'achieved' with the day it took effect (effectiveOn), and the tracker " +
                $"records whether it was late.");
        }

        if (state.StatusDate is { } current && tookEffectOn < current)
        {
            return new RuleViolation("assessment-out-of-order",
                $"The assessment in force took effect on {current:yyyy-MM-dd}; a new one cannot take effect earlier " +
                $"({tookEffectOn:yyyy-MM-dd}). The days compared are the days each took effect, not the days they were " +
                $"assessed or recorded; to replace the one in force, retract it first.");
        }

        return Decision.Accept(new StatusAssessed(Timeliness(state, status, tookEffectOn), assessedOn, rationale, source,
            tookEffectOn));
    }

    /// <summary>
    /// Achieved after the deadline is achieved late, whatever the monitor called it, decided by the day the achievement
    /// took effect against the deadline in force on that day (<see cref="CommitmentState.Timeliness"/>): not by whether the
    /// service had already recorded the deadline as passed, nor by which deadline was recorded last.
    /// </summary>
    public static CommitmentStatus Timeliness(CommitmentState state, CommitmentStatus status, DateOnly tookEffectOn) =>
        status == CommitmentStatus.Achieved ? state.Timeliness(status, tookEffectOn) : status;
}
