namespace Tracker.Domain.Commitments;

/// <summary>One pledger's pledge toward a commitment: its amount history and its later stages.</summary>
public sealed record Pledge
{
    public required string PledgeId { get; init; }
    public required string Pledger { get; init; }
    public required DateOnly AnnouncedOn { get; init; }
    public required int AnnouncedVersion { get; init; }
    public required Evidence Source { get; init; }

    /// <summary>The announced amount first, then every explicit revision.</summary>
    public IReadOnlyList<PledgeAmount> Amounts { get; init; } = [];

    public IReadOnlyList<StageEntry> Stages { get; init; } = [];

    public PledgeAmount Current => Amounts[^1];

    /// <summary>The pledge's currency: stages are recorded in it.</summary>
    public string Currency => Amounts[0].Amount.Currency;

    public decimal StageTotal(PledgeStage stage) => Stages.Where(s => s.Stage == stage).Sum(s => s.Amount.Amount);

    public decimal LedgerStageTotal(PledgeStage stage) => Stages.Where(s => s.Stage == stage).Sum(s => s.LedgerAmount);

    public decimal Remaining(PledgeStage stage) => Current.Amount.Amount - StageTotal(stage);
}
