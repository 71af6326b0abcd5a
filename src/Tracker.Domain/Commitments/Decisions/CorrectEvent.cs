namespace Tracker.Domain.Commitments;

/// <summary>
/// Reverses one earlier event by its version. Events are never edited: the correction is a new event, and the wrong one
/// stays in the log for auditors. Allowed on a withdrawn commitment too, so a mistaken withdrawal can be undone.
/// </summary>
public static class CorrectEvent
{
    public static Decision Decide(Commitment state, int version, string reason, Evidence source)
    {
        if (state.Corrections.Any(c => c.CorrectedVersion == version))
        {
            return new RuleViolation("already-corrected", $"Version {version} of '{state.Key}' is already corrected.",
                ViolationKind.Conflict);
        }

        if (version == 1)
        {
            return new RuleViolation("statement-not-correctable",
                "The statement that started the commitment cannot be reversed; revise its target or deadline, or assess it withdrawn.");
        }

        if (state.Pledges.FirstOrDefault(p => p.AnnouncedVersion == version) is { } pledge &&
            (pledge.Stages.Count > 0 || pledge.Amounts.Count > 1))
        {
            return new RuleViolation("pledge-has-later-events",
                $"Pledge '{pledge.PledgeId}' has stages or revisions recorded after it; correct those first.",
                ViolationKind.Conflict);
        }

        if (state.Pledges.FirstOrDefault(p => p.Amounts.Skip(1).Any(a => a.Version == version)) is { } revised)
        {
            var restored = revised.Amounts.Last(a => a.Version != version).Amount.Amount;
            var staged = Math.Max(revised.StageTotal(PledgeStage.Committed), revised.StageTotal(PledgeStage.Disbursed));
            if (staged > restored)
            {
                return new RuleViolation("stages-exceed-restored-pledge",
                    $"Reversing this revision would restore pledge '{revised.PledgeId}' to {revised.Currency} {restored:#,0.##}, " +
                    $"below the {revised.Currency} {staged:#,0.##} already committed or disbursed; correct those stages first.",
                    ViolationKind.Conflict);
            }
        }

        var pledger = state.Pledges.FirstOrDefault(p => p.AnnouncedVersion == version ||
                                                        p.Amounts.Any(a => a.Version == version) ||
                                                        p.Stages.Any(s => s.Version == version))?.Pledger;
        return Describe(state, version) is { } corrected
            ? Decision.Accept(new EventCorrected(version, corrected, reason, source, pledger))
            : new RuleViolation("version-not-correctable",
                $"Version {version} of '{state.Key}' is not an event a correction can reverse (it does not exist, or it is itself a correction).");
    }

    /// <summary>The kind of event that left an entry at this version, or null when nothing correctable did.</summary>
    public static string? Describe(Commitment state, int version)
    {
        if (state.Restatements.Any(r => r.Version == version)) return "commitment-restated";
        if (state.Targets.Any(t => t.Version == version)) return "target-revised";
        if (state.Deadlines.Any(d => d.Version == version)) return "deadline-revised";
        if (state.Pledges.Any(p => p.AnnouncedVersion == version)) return "pledge-announced";
        if (state.Pledges.Any(p => p.Amounts.Any(a => a.Version == version))) return "pledge-revised";
        if (state.Pledges.Any(p => p.Stages.Any(s => s.Version == version))) return "pledge-stage-recorded";
        if (state.ProgressReports.Any(r => r.Version == version)) return "progress-reported";
        if (state.StatusHistory.Any(s => s.Version == version)) return "status-assessed";
        if (state.Evidence.Any(e => e.Version == version)) return "evidence-attached";
        return null;
    }
}
