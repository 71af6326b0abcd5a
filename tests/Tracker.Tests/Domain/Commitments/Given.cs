using JasperFx.Events;
using System.Runtime.CompilerServices;
using Tracker.Domain.Commitments;

namespace Tracker.Tests.Domain.Commitments;

/// <summary>Commitment states for decision tests, built by folding events exactly as Marten does.</summary>
public static class Given
{
    public static readonly Evidence Communique = new("washington-2024", null, Primary: true);

    /// <summary>The day every decision of a story is recorded on: the day an undated revision takes effect.</summary>
    public static readonly DateOnly RecordedOn = new(2026, 11, 30);

    public static CommitmentState StabilisationGoal() => Stated(new CommitmentStated(
        "stabilisation-394m", "Raise and implement $394 million for liberated areas", CommitmentKind.Financial,
        "stabilisation", ["coalition"], new Target(394_000_000m, "USD", null), null,
        new Provenance("washington-2024", "5", "a goal of raising and implementing $394 million"),
        new DateOnly(2024, 9, 30)));

    public static CommitmentState RepatriationGoal() => Stated(new CommitmentStated(
        "iraq-repatriation", "Iraq repatriates its nationals from northeast Syria", CommitmentKind.Quantitative,
        "detention-and-camps", ["iraq"], new Target(30_000m, null, "people"), null,
        new Provenance("washington-2024", "9", "Iraq's progress in repatriating over 10,000 of its nationals"),
        new DateOnly(2024, 9, 30)));

    /// <summary>A pledge drive without a figure, counting its money in the currency given (by default, the default).</summary>
    public static CommitmentState ReconstructionFund(string? ledgerCurrency = null) => Stated(new CommitmentStated(
        "reconstruction-fund", "Members contribute to a reconstruction fund", CommitmentKind.Financial, "stabilisation",
        ["coalition"], null, null, new Provenance("washington-2024", "6", "members will contribute to the fund"),
        new DateOnly(2024, 9, 30), ledgerCurrency));

    public static CommitmentState NextMinisterial() => Stated(new CommitmentStated(
        "next-ministerial-2022", "Hold the next ministerial meeting", CommitmentKind.Milestone, "meetings", ["coalition"],
        null, new Deadline(new DateOnly(2022, 6, 1), DeadlinePrecision.Month),
        new Provenance("rome-2021", "20", "hold the next ministerial meeting by June 2022"), new DateOnly(2021, 6, 28)));

    // Each state's events so far, in version order: what the log holds for a correction to name, and what the full
    // fold (the read models' view) is computed from. Keyed by the state object, so a story that branches stays right.
    private static readonly ConditionalWeakTable<CommitmentState, IReadOnlyList<object>> Recorded = new();

    private static CommitmentState Stated(CommitmentStated stated)
    {
        var state = CommitmentState.Stated(stated);
        Recorded.Add(state, [stated]);
        return state;
    }

    /// <summary>Applies a decision's events to the state, failing the test if the decision refused.</summary>
    public static CommitmentState Then(this CommitmentState state, Decision decision)
    {
        decision.Violation.ShouldBeNull(decision.Violation?.Message);
        var next = decision.Events.Aggregate(state, (s, e) => s.After(e, recordedOn: RecordedOn));
        Recorded.AddOrUpdate(next, [.. EventsOf(state), .. decision.Events]);
        return next;
    }

    public static IReadOnlyList<object> EventsOf(CommitmentState state) =>
        Recorded.TryGetValue(state, out var events) ? events : throw new InvalidOperationException("A state not built by Given.");

    /// <summary>The decision on retracting the fact at a version, given the event the log holds there.</summary>
    public static Decision Correct(this CommitmentState state, int version, string reason) =>
        CorrectEvent.Decide(state, version, EventsOf(state).ElementAtOrDefault(version - 1), reason, Communique);

    /// <summary>The same events through the full fold of the history (what the full-history export folds).</summary>
    public static Commitment Full(this CommitmentState state)
    {
        var events = EventsOf(state);
        return events.Skip(1).Aggregate(Commitment.Create((CommitmentStated)events[0]), (s, e) => s.After(e));
    }

    public static CommitmentState WithPledge(this CommitmentState state, string pledger, decimal amount, string currency = "USD",
        decimal? rate = null) =>
        state.Then(AnnouncePledge.Decide(state, null, pledger, new Money(amount, currency), new DateOnly(2024, 10, 2),
            rate is null ? null : new ExchangeRate(rate.Value, new DateOnly(2024, 10, 2)), Communique));

    public static CommitmentState Withdrawn(this CommitmentState state) =>
        state.Then(AssessStatus.Decide(state, CommitmentStatus.Withdrawn, new DateOnly(2025, 1, 1), "dropped", Communique));

    /// <summary>
    /// The state's events as the log holds them (version by version), each recorded at the given instant: what the
    /// effective timeline's definition (EffectiveOrder) folds.
    /// </summary>
    public static IReadOnlyList<IEvent> Logged(this CommitmentState state, DateTimeOffset recordedAt) =>
        EventsOf(state).Select((data, i) =>
        {
            var e = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(data.GetType()), data)!;
            e.Version = i + 1;
            e.Timestamp = recordedAt;
            return e;
        }).ToList();

    public static RuleViolation ShouldBeRefusedBy(this Decision decision, string rule)
    {
        var violation = decision.Violation.ShouldNotBeNull();
        violation.Rule.ShouldBe(rule);
        decision.Events.ShouldBeEmpty();
        return violation;
    }
}
