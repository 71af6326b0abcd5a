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

        // Achieved again, without the day it took effect, reads as a confirmation, but would date the achievement on the
        // day of this assessment (and, past the deadline, make one on time late): until 2026-12-06 it did just that. With
        // effectiveOn, the achievement is dated anew as the monitor says.
        if (state.IsAchieved && effectiveOn is null && status is CommitmentStatus.Achieved or CommitmentStatus.AchievedLate)
        {
            return new RuleViolation("already-achieved",
                $"The commitment is {Wording.Name(state.Status)} since {state.StatusDate:yyyy-MM-dd}; assessing it achieved again " +
                $"would date the achievement {assessedOn:yyyy-MM-dd}. To confirm it, attach evidence (POST .../evidence); to date " +
                "the achievement anew, give the day it took effect (effectiveOn).");
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
