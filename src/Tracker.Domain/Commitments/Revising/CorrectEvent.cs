namespace Tracker.Domain.Commitments;

/// <summary>
/// Retracts one earlier fact by its version. Events are never edited: the retraction is a new event, specific to what it
/// retracts, and the wrong one stays in the log for auditors. Allowed on a withdrawn commitment too, so a mistaken
/// withdrawal can be undone.
/// </summary>
public static class CorrectEvent
{
    /// <param name="retracted">The event recorded at <paramref name="version"/>, or null when there is none.</param>
    public static Decision Decide(CommitmentState state, int version, object? retracted, string reason, Evidence source)
    {
        if (state.Retracted.Contains(version))
        {
            return new RuleViolation("already-corrected", $"Version {version} of '{state.Key}' is already corrected.",
                ViolationKind.Conflict);
        }

        if (version == 1)
        {
            return new RuleViolation("statement-not-correctable",
                "The statement that started the commitment cannot be reversed; revise its target or deadline, or assess it withdrawn.");
        }

        if (retracted is null || version > state.Version || Retraction.Of(version, retracted, reason, source) is not { } retraction)
        {
            // Said for what the version is (until 2026-12-06 a deadline passing read as "it does not exist, or it is itself a correction").
            return new RuleViolation("version-not-correctable", retracted is null || version > state.Version
                ? $"Version {version} of '{state.Key}' does not exist."
                : $"Version {version} of '{state.Key}' is a fact a correction cannot reverse ({System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(retracted.GetType().Name)}): " +
                  "a correction reverses a pledge, its stage or revision, a report, an assessment, a restatement, evidence or a revision of the target, deadline or ledger currency; " +
                  "a retraction is not reversed (record the fact again), and a deadline's passing follows from the deadline.");
        }

        // A retraction of a pledge's fact is decided with that pledge in hand (the write loads its ledger row).
        if (retraction is IPledgeRetraction of && state.FindPledge(of.PledgeId) is null) return PledgeRules.Unknown(state, of.PledgeId);

        if (retraction is PledgeRetracted announcement && state.FindPledge(announcement.PledgeId) is { } pledge &&
            (pledge.Stages > 0 || pledge.Amounts.Count > 1))
        {
            return new RuleViolation("pledge-has-later-events",
                $"Pledge '{pledge.PledgeId}' has stages or revisions recorded after it; correct those first.",
                ViolationKind.Conflict);
        }

        if (retraction is TargetRevisionRetracted or RestatementRetracted or LedgerCurrencyNamingRetracted &&
            Rules.LedgerCurrencyKeptOnReversal(state, state.After(retraction), version) is { } relabelled)
        {
            return relabelled;
        }

        if (retraction is PledgeRevisionRetracted revision)
        {
            var revised = state.FindPledge(revision.PledgeId)!;
            // A later revision was recorded as a change from this one's amount (its previous amount, which the effective
            // timeline steps by): taken out alone, it would leave that change counted from an amount that never stood.
            if (revised.Amounts.FirstOrDefault(a => a.Version > version) is { } later)
            {
                return new RuleViolation("revision-followed",
                    $"Pledge '{revised.PledgeId}' was revised again after this revision (version {later.Version}); correct the later " +
                    "revisions first, then record again those that stand.",
                    ViolationKind.Conflict);
            }
            var restored = revised.Amounts.Last(a => a.Version != version).Value.Amount.Amount;
            if (revised.MostStaged > restored)
            {
                return new RuleViolation("stages-exceed-restored-pledge",
                    $"Reversing this revision would restore pledge '{revised.PledgeId}' to {revised.Currency} {Wording.Number(restored)}, " +
                    $"below the {revised.Currency} {Wording.Number(revised.MostStaged)} already committed or disbursed; correct those stages first.",
                    ViolationKind.Conflict);
            }
            retraction = revision with
            {
                LedgerAmountBefore = revised.LedgerAmount,
                LedgerAmountAfter = revised.WithoutRevision(version).LedgerAmount
            };
        }

        return Decision.Accept(retraction);
    }
}

/// <summary>The retraction that stands for reversing a given event (each retractable fact names its own).</summary>
public static class Retraction
{
    /// <summary>The retraction of <paramref name="retracted"/> (recorded at <paramref name="version"/>); null when it cannot be retracted.</summary>
    public static IRetraction? Of(int version, object retracted, string reason, Evidence source) =>
        (retracted as IRetractable)?.RetractedBy(version, reason, source);

    /// <summary>A correction stored in the shape used before retractions, read as the retraction it stands for.</summary>
    public static IRetraction? Of(EventCorrected legacy, object retracted) =>
        Of(legacy.CorrectedVersion, retracted, legacy.Reason, legacy.Source);
}
