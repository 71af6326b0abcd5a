using System.Text.Json;
using Shouldly;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Domain.Documents;

namespace Tracker.Tests.Domain.Commitments;

/// <summary>
/// Each event states, beside its shape, when it took effect, why, how it reads, and which retraction takes it back: the
/// history, the changelog, the effective timeline and the corrections all ask it, instead of each keeping a switch.
/// </summary>
public sealed class what_each_event_says_about_itself
{
    private static readonly DateOnly RecordedOn = new(2025, 3, 1);
    private static readonly Evidence Undated = new("washington-2024", null, Primary: true);
    private static readonly Evidence Dated = Undated with { On = new DateOnly(2024, 11, 5) };

    private static readonly object[] All =
    [
        new CommitmentStated("k", "Raise $394 million", CommitmentKind.Financial, "stabilisation", ["coalition"],
            new Target(394_000_000m, "USD", null), null, new Provenance("washington-2024", "5", "a goal"), new DateOnly(2024, 9, 30)),
        new CommitmentRestated(new Provenance("rome-2021", null, "we reaffirm"), new DateOnly(2021, 6, 28), null, null, "reaffirmed"),
        new TargetRevised(new Target(400_000_000m, "USD", null), "revised upward", Dated),
        new DeadlineRevised(new Deadline(new DateOnly(2026, 1, 1), DeadlinePrecision.Year), "extended", Undated),
        new PledgeAnnounced("k", "germany-1", "Germany", new Money(25_000_000m, "EUR"), new DateOnly(2024, 10, 2),
            new ExchangeRate(1.084m, new DateOnly(2024, 10, 2)), 27_100_000m, Undated),
        new PledgeRevised("germany-1", "Germany", new Money(30_000_000m, "EUR"), null, 32_520_000m, "raised", Undated),
        new PledgeStageRecorded("germany-1", "Germany", PledgeStage.Disbursed, new Money(10_000_000m, "EUR"),
            new DateOnly(2025, 1, 15), null, 10_840_000m, Undated),
        new ProgressReported(200_000_000m, null, "USD", Comparator.MoreThan, new DateOnly(2024, 9, 30), null, 200_000_000m,
            "announced commitments", Undated),
        new StatusAssessed(CommitmentStatus.InProgress, new DateOnly(2025, 2, 1), "disbursements under way", Undated),
        new EvidenceAttached(Dated with { Note = "a news report" })
    ];

    public static TheoryData<object> Facts() => new(All);

    /// <summary>Every fact but the statement, which starts the stream and is never retracted.</summary>
    public static TheoryData<object> Retractable() => new(All.Where(fact => fact is not CommitmentStated));

    [Fact]
    public void the_statement_cannot_be_retracted() => Retraction.Of(7, All[0], "recorded in error", Undated).ShouldBeNull();

    [Theory]
    [MemberData(nameof(Retractable))]
    public void every_later_fact_can_be_retracted_by_a_retraction_that_names_it(object fact)
    {
        var retraction = Retraction.Of(7, fact, "recorded in error", Undated);

        retraction.ShouldNotBeNull();
        retraction.RetractedVersion.ShouldBe(7);
        retraction.RetractedEvent.ShouldBe(EventNames.Of(fact));
        TrackedEvents.EffectiveOn(retraction, RecordedOn).ShouldBeNull();
        TrackedEvents.Summary(retraction, "USD").ShouldBe($"Version 7 ({EventNames.Of(fact)}) retracted: recorded in error");
        TrackedEvents.Reason(retraction).ShouldBe("recorded in error");
    }

    [Theory]
    [MemberData(nameof(Retractable))]
    public void what_an_event_says_about_itself_is_not_stored_with_it(object fact)
    {
        // A stored event holds exactly the values it was recorded with: the members of its record, nothing computed.
        foreach (var stored in new[] { fact, Retraction.Of(7, fact, "recorded in error", Undated)! })
        {
            var recorded = stored.GetType().GetConstructors().Single().GetParameters().Select(p => p.Name!);
            var json = JsonSerializer.SerializeToElement(stored, stored.GetType()).EnumerateObject().Select(p => p.Name);

            json.Order().ShouldBe(recorded.Order(), stored.GetType().Name);
        }
    }

    [Fact]
    public void an_assessment_stored_with_one_day_took_effect_the_day_it_was_made()
    {
        // The shape stored before the day of judgement and the day of effect were told apart.
        var options = new JsonSerializerOptions { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
        const string stored = """
            {"Status":"AchievedLate","AssessedOn":"2022-09-09","Rationale":"held","Source":{"DocumentKey":"rome-2021","Primary":true}}
            """;

        var assessed = JsonSerializer.Deserialize<StatusAssessed>(stored, options).ShouldNotBeNull();
        (assessed.Status, assessed.EffectiveOn, assessed.TookEffectOn)
            .ShouldBe((CommitmentStatus.AchievedLate, new DateOnly(2022, 9, 9), new DateOnly(2022, 9, 9)));
        var inForce = JsonSerializer.Deserialize<Tracker.Projections.Commitments.CurrentAssessment>(
            """{"Version":3,"Status":"AchievedLate","AssessedOn":"2022-09-09","Rationale":"held","Source":{"Primary":true}}""", options);
        inForce.ShouldNotBeNull().EffectiveOn.ShouldBe(new DateOnly(2022, 9, 9));
    }

    [Fact]
    public void a_figure_reads_with_the_words_of_its_text()
    {
        string Reported(Comparator comparator) => TrackedEvents.Summary(new ProgressReported(8_000_000m, "people freed", null,
            comparator, new DateOnly(2021, 6, 28), null, null, null, Undated), "USD");

        Reported(Comparator.Nearly).ShouldBe("Reported nearly 8,000,000 people freed as of 2021-06-28");
        Reported(Comparator.LessThan).ShouldBe("Reported less than 8,000,000 people freed as of 2021-06-28");
        Reported(Comparator.AtMost).ShouldBe("Reported at most 8,000,000 people freed as of 2021-06-28");
        Reported(Comparator.UpTo).ShouldBe("Reported up to 8,000,000 people freed as of 2021-06-28");
        Enum.GetValues<Comparator>().Select(Reported).Distinct().Count().ShouldBe(Enum.GetValues<Comparator>().Length);
    }

    [Fact]
    public void a_fact_takes_effect_on_its_own_date_or_else_on_the_day_it_was_recorded()
    {
        var facts = All.ToDictionary(fact => fact.GetType());

        TrackedEvents.EffectiveOn(facts[typeof(PledgeAnnounced)], RecordedOn).ShouldBe(new DateOnly(2024, 10, 2));
        TrackedEvents.EffectiveOn(facts[typeof(TargetRevised)], RecordedOn).ShouldBe(new DateOnly(2024, 11, 5));
        TrackedEvents.EffectiveOn(facts[typeof(DeadlineRevised)], RecordedOn).ShouldBe(RecordedOn);
        TrackedEvents.EffectiveOn(new DeadlinePassed(new DateOnly(2022, 6, 30)), RecordedOn).ShouldBe(new DateOnly(2022, 7, 1));
        TrackedEvents.EffectiveOn(facts[typeof(StatusAssessed)], RecordedOn).ShouldBe(new DateOnly(2025, 2, 1));
        TrackedEvents.EffectiveOn(new StatusAssessed(CommitmentStatus.Achieved, new DateOnly(2026, 11, 30), "held", Undated,
            new DateOnly(2022, 5, 20)), RecordedOn).ShouldBe(new DateOnly(2022, 5, 20));
        TrackedEvents.EffectiveOn(new EventCorrected(3, "pledge-announced", "wrong", Undated), RecordedOn).ShouldBeNull();
    }

    [Fact]
    public void a_fact_reads_as_a_person_would_write_it_with_its_reason()
    {
        var facts = All.ToDictionary(fact => fact.GetType());

        TrackedEvents.Summary(facts[typeof(PledgeAnnounced)], "USD")
            .ShouldBe("Germany pledged EUR 25,000,000 (USD 27,100,000 at 1.084 on 2024-10-02) on 2024-10-02");
        TrackedEvents.Summary(facts[typeof(ProgressReported)], "USD").ShouldBe("Reported more than USD 200,000,000 as of 2024-09-30");
        // A converted figure says what it counts as in the ledger, as a pledge does (until 2026-12-06 it left that out).
        TrackedEvents.Summary(new ProgressReported(200_000_000m, null, "EUR", Comparator.MoreThan, new DateOnly(2024, 9, 30),
                new ExchangeRate(1.084m, new DateOnly(2024, 10, 2)), 216_800_000m, null, Undated, FigureStage.Announced, "USD"), "GBP")
            .ShouldBe("Reported more than EUR 200,000,000 (USD 216,800,000 at 1.084 on 2024-10-02) announced as of 2024-09-30");
        TrackedEvents.Summary(facts[typeof(StatusAssessed)], "USD").ShouldBe("Assessed in-progress on 2025-02-01: disbursements under way");
        TrackedEvents.Summary(new StatusAssessed(CommitmentStatus.Achieved, new DateOnly(2026, 11, 30), "held in May", Undated,
            new DateOnly(2022, 5, 20)), "USD").ShouldBe("Assessed achieved on 2026-11-30, in effect since 2022-05-20: held in May");
        TrackedEvents.Reason(facts[typeof(StatusAssessed)]).ShouldBe("disbursements under way");
        TrackedEvents.Reason(facts[typeof(CommitmentRestated)]).ShouldBe("reaffirmed");
        TrackedEvents.Reason(facts[typeof(PledgeAnnounced)]).ShouldBeNull();
        TrackedEvents.Reason(facts[typeof(TargetRevised)]).ShouldBe("revised upward");
        // Evidence's note is its author's word on it, as a report's is (until 2026-12-07 the history gave it no reason).
        TrackedEvents.Reason(facts[typeof(EvidenceAttached)]).ShouldBe("a news report");
        TrackedEvents.Summary(new SourceDocumentRegistered("rome-2021", "Rome communiqué", new DateOnly(2021, 6, 28), "Rome",
            "communique", null, true), "USD").ShouldBe("Document 'rome-2021' registered: Rome communiqué (2021-06-28, primary)");
    }

    [Fact]
    public void an_amount_reads_with_every_digit_it_has_so_a_summary_never_shows_a_value_it_does_not_hold()
    {
        TrackedEvents.Summary(new CommitmentStated("tiny", "A tiny goal", CommitmentKind.Financial, "stabilisation", ["coalition"],
                new Target(0.0000000000000000000000001m, "USD", null), null, new Provenance("washington-2024", null, "q"),
                new DateOnly(2024, 9, 30)), "USD")
            .ShouldContain("target USD 0.0000000000000000000000001");
        TrackedEvents.Summary(new PledgeAnnounced("k", "japan-1", "Japan", new Money(1_234.5678m, "USD"), new DateOnly(2024, 10, 2),
            null, 1_234.5678m, Undated), "USD").ShouldStartWith("Japan pledged USD 1,234.5678");
        new Money(1_000.50m, "EUR").ToString().ShouldBe("EUR 1,000.5");
        // A baseline is part of the target: a revision of it alone reads as the change it is.
        TrackedEvents.Summary(new TargetRevised(new Target(0m, null, "camps", 200m), "closing them", Undated), "USD")
            .ShouldContain("0 camps from a baseline of 200");
    }
}
