using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>A commitment was stated in a source document. Starts the commitment's stream.</summary>
/// <param name="LedgerCurrency">
/// What money toward it is counted in while its target is not money (null: <see cref="Commitment.DefaultLedgerCurrency"/>,
/// as in every statement recorded before 2026-12-07). A money target counts in its own currency.
/// </param>
public sealed record CommitmentStated(
    string Key,
    string Title,
    CommitmentKind Kind,
    string LineOfEffort,
    IReadOnlyList<string> Actors,
    Target? Target,
    Deadline? Deadline,
    Provenance StatedIn,
    DateOnly StatedOn,
    string? LedgerCurrency = null) : ITrackedEvent
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => StatedOn;

    string ITrackedEvent.Summary(string ledgerCurrency) =>
        $"Stated in {StatedIn.DocumentKey}{Paragraph(StatedIn.Paragraph)} on {Date(StatedOn)}: {Title}" +
        (Target is null ? "" : $"; target {Wording.Target(Target)}") +
        (Deadline is null ? "" : $"; deadline {Wording.Deadline(Deadline)}") +
        (LedgerCurrency is null || Target is { IsMoney: true } ? "" : $"; money counted in {LedgerCurrency}");
}

