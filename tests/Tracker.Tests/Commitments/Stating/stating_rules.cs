using Tracker.Domain.Commitments;
using static Tracker.Tests.Domain.Commitments.Given;

namespace Tracker.Tests.Commitments.Stating;

public sealed class stating_rules
{
    private static readonly DateOnly Today = new(2024, 10, 2);

    private static CommitmentStated Stated(CommitmentKind kind, Target? target) => new("k", "t", kind, "meetings",
        ["coalition"], target, null, new Provenance("washington-2024", null, "q"), Today);

    [Fact]
    public void a_financial_commitment_needs_a_money_target_and_a_quantitative_one_a_quantity()
    {
        StateCommitment.Decide(Stated(CommitmentKind.Financial, new Target(5, null, "people")))
            .ShouldBeRefusedBy("target-kind-mismatch");
        StateCommitment.Decide(Stated(CommitmentKind.Quantitative, new Target(5, "USD", null)))
            .ShouldBeRefusedBy("target-kind-mismatch");
        StateCommitment.Decide(Stated(CommitmentKind.Financial, null)).Accepted.ShouldBeTrue();
        StateCommitment.Decide(Stated(CommitmentKind.Milestone, null)).Events.ShouldHaveSingleItem();
    }

    [Fact]
    public void a_statement_may_name_what_money_is_counted_in_while_its_target_is_not_money()
    {
        var inEuros = Stated(CommitmentKind.Quantitative, new Target(30_000m, null, "people")) with { LedgerCurrency = "EUR" };

        StateCommitment.Decide(inEuros).Accepted.ShouldBeTrue();
        CommitmentState.Stated(inEuros).LedgerCurrency.ShouldBe("EUR");
        CommitmentState.Stated(inEuros with { LedgerCurrency = null }).LedgerCurrency.ShouldBe("USD");
        // A money target counts in its own currency: another named beside it is a contradiction, the same one is not.
        StateCommitment.Decide(Stated(CommitmentKind.Financial, new Target(5m, "USD", null)) with { LedgerCurrency = "EUR" })
            .ShouldBeRefusedBy("ledger-currency-mismatch").Message.ShouldContain("make it USD");
        StateCommitment.Decide(Stated(CommitmentKind.Financial, new Target(5m, "EUR", null)) with { LedgerCurrency = "EUR" })
            .Accepted.ShouldBeTrue();
    }

    [Fact]
    public void a_commitment_is_not_stated_already_due()
    {
        var milestone = Stated(CommitmentKind.Milestone, null);

        // Until 2026-12-07 a due date of 1900 (for 2100) was recorded, and the commitment overdue from its first day.
        StateCommitment.Decide(milestone with { Deadline = new Deadline(new DateOnly(1900, 1, 1), DeadlinePrecision.Day) })
            .ShouldBeRefusedBy("deadline-before-statement").Message.ShouldContain("due by 1900-01-01, before the commitment was stated (2024-10-02)");
        // Due by the end of the month it names: stated within that month, it is not yet due.
        StateCommitment.Decide(milestone with { Deadline = new Deadline(new DateOnly(2024, 10, 1), DeadlinePrecision.Month) }).Accepted.ShouldBeTrue();
        StateCommitment.Decide(milestone with { Deadline = new Deadline(Today, DeadlinePrecision.Day) }).Accepted.ShouldBeTrue();
        // Nor restated or revised to be (until 2026-12-07 both were taken).
        var state = CommitmentState.Stated(milestone);
        var nineteenHundred = new Deadline(new DateOnly(1900, 1, 1), DeadlinePrecision.Day);
        RestateCommitment.Decide(state, new CommitmentRestated(new Provenance("brussels-2025", null, "reaffirmed"), Today.AddDays(30),
            null, nineteenHundred, null)).ShouldBeRefusedBy("deadline-before-statement");
        ReviseCommitment.Decide(state, null, nineteenHundred, "typo", new Evidence(null, "https://example.org/r", false, Today.AddDays(30), null))
            .ShouldBeRefusedBy("deadline-before-statement");
        ReviseCommitment.Decide(state, null, new Deadline(Today.AddDays(1), DeadlinePrecision.Day), "brought forward",
            new Evidence(null, "https://example.org/r", false, Today, null)).Accepted.ShouldBeTrue();
    }

    [Fact]
    public void a_commitment_starts_not_assessed_with_its_stated_target_and_deadline()
    {
        var state = NextMinisterial();

        state.Status.ShouldBe(CommitmentStatus.NotAssessed);
        state.Version.ShouldBe(1);
        state.Deadline!.DueBy.ShouldBe(new DateOnly(2022, 6, 30));
        StabilisationGoal().LedgerCurrency.ShouldBe("USD");
    }

    [Fact]
    public void a_restatement_can_bring_a_new_deadline_and_keeps_its_provenance()
    {
        var state = NextMinisterial();
        var restated = new CommitmentRestated(new Provenance("brussels-2022", "3", "reaffirmed"), new DateOnly(2022, 5, 11),
            null, new Deadline(new DateOnly(2022, 12, 31), DeadlinePrecision.Day), null);

        state = state.Then(RestateCommitment.Decide(state, restated));

        state.Full().Restatements.ShouldHaveSingleItem().RestatedIn.DocumentKey.ShouldBe("brussels-2022");
        state.Deadline!.Date.ShouldBe(new DateOnly(2022, 12, 31));
        state.Deadlines.Count.ShouldBe(2);
    }

    [Fact]
    public void a_restatement_in_a_document_that_already_states_it_is_a_conflict()
    {
        var state = NextMinisterial();
        var again = new CommitmentRestated(new Provenance("rome-2021", "21", "again"), new DateOnly(2021, 6, 28), null, null, null);

        RestateCommitment.Decide(state, again).ShouldBeRefusedBy("already-stated-in-document").Kind
            .ShouldBe(ViolationKind.Conflict);
    }

    [Fact]
    public void a_restatement_dated_before_the_statement_is_rejected()
    {
        var early = new CommitmentRestated(new Provenance("paris-2019", null, "q"), new DateOnly(2019, 6, 25), null, null, null);

        RestateCommitment.Decide(NextMinisterial(), early).ShouldBeRefusedBy("restated-before-stated");
    }
}
