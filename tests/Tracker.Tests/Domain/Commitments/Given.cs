using Tracker.Domain.Commitments;

namespace Tracker.Tests.Domain.Commitments;

/// <summary>Commitment states for decision tests, built by folding events exactly as Marten does.</summary>
public static class Given
{
    public static readonly Evidence Communique = new("washington-2024", null, Primary: true);

    public static Commitment StabilisationGoal() => Commitment.Create(new CommitmentStated(
        "stabilisation-394m", "Raise and implement $394 million for liberated areas", CommitmentKind.Financial,
        "stabilisation", ["coalition"], new Target(394_000_000m, "USD", null), null,
        new Provenance("washington-2024", "5", "a goal of raising and implementing $394 million"),
        new DateOnly(2024, 9, 30)));

    public static Commitment RepatriationGoal() => Commitment.Create(new CommitmentStated(
        "iraq-repatriation", "Iraq repatriates its nationals from northeast Syria", CommitmentKind.Quantitative,
        "detention-and-camps", ["iraq"], new Target(30_000m, null, "people"), null,
        new Provenance("washington-2024", "9", "Iraq's progress in repatriating over 10,000 of its nationals"),
        new DateOnly(2024, 9, 30)));

    public static Commitment NextMinisterial() => Commitment.Create(new CommitmentStated(
        "next-ministerial-2022", "Hold the next ministerial meeting", CommitmentKind.Milestone, "meetings", ["coalition"],
        null, new Deadline(new DateOnly(2022, 6, 1), DeadlinePrecision.Month),
        new Provenance("rome-2021", "20", "hold the next ministerial meeting by June 2022"), new DateOnly(2021, 6, 28)));

    /// <summary>Applies a decision's events to the state, failing the test if the decision refused.</summary>
    public static Commitment Then(this Commitment state, Decision decision)
    {
        decision.Violation.ShouldBeNull(decision.Violation?.Message);
        return decision.Events.Aggregate(state, (s, e) => s.After(e));
    }

    public static Commitment WithPledge(this Commitment state, string pledger, decimal amount, string currency = "USD",
        decimal? rate = null) =>
        state.Then(AnnouncePledge.Decide(state, null, pledger, new Money(amount, currency), new DateOnly(2024, 10, 2),
            rate is null ? null : new ExchangeRate(rate.Value, new DateOnly(2024, 10, 2)), Communique));

    public static Commitment Withdrawn(this Commitment state) =>
        state.Then(AssessStatus.Decide(state, CommitmentStatus.Withdrawn, new DateOnly(2025, 1, 1), "dropped", Communique));

    public static RuleViolation ShouldBeRefusedBy(this Decision decision, string rule)
    {
        var violation = decision.Violation.ShouldNotBeNull();
        violation.Rule.ShouldBe(rule);
        decision.Events.ShouldBeEmpty();
        return violation;
    }
}
