namespace Tracker.Domain.Commitments;

/// <summary>
/// The stage of money a reported figure counts, in the words of its text: "announced commitments totalling more than $200
/// million" is announced money, a secondary source's "pledged over $200 million" pledged money, and the two are different
/// claims even when the figures agree. Stages a money tracker tells apart (see FTS): announced, pledged, committed,
/// raised (received by the fund), disbursed (paid out to the work), and mobilised.
/// </summary>
public enum FigureStage
{
    Announced,
    Pledged,
    Committed,
    Raised,
    Disbursed,
    /// <summary>
    /// Brought in from other sources by the members' money ("mobilised $100 billion", as climate finance counts private
    /// finance): money toward the goal that no member pledged. Last because it came last (2026-12-07).
    /// </summary>
    Mobilised
}
