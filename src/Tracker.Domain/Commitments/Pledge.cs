namespace Tracker.Domain.Commitments;

/// <summary>One pledger's pledge toward a commitment: its amount history and its later stages.</summary>
public sealed record Pledge
{
    public required string PledgeId { get; init; }
    public required string Pledger { get; init; }
    public required DateOnly AnnouncedOn { get; init; }
    public required int AnnouncedVersion { get; init; }
    public required Evidence Source { get; init; }

    /// <summary>The key its announcement named for the pledger, where not the name's slug (<see cref="Key"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? PledgerKey { get; init; }

    /// <summary>The key the pledger's pledges are counted under.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => Slug.PledgerKey(Pledger, PledgerKey);

    /// <summary>The announced amount first, then every explicit revision.</summary>
    public IReadOnlyList<PledgeAmount> Amounts { get; init; } = [];

    public IReadOnlyList<StageEntry> Stages { get; init; } = [];

    public PledgeAmount Current => Amounts[^1];

    /// <summary>The pledge's currency: stages are recorded in it.</summary>
    public string Currency => Amounts[0].Amount.Currency;

    public decimal StageTotal(PledgeStage stage) => Stages.Where(s => s.Stage == stage).Sum(s => s.Amount.Amount);

    public decimal LedgerStageTotal(PledgeStage stage) => Stages.Where(s => s.Stage == stage).Sum(s => s.LedgerAmount);

    public decimal Remaining(PledgeStage stage) => Current.Amount.Amount - StageTotal(stage);

    // The pledge's own fold, shared by the commitment and by the views of pledgers across commitments.

    /// <summary>
    /// An announcement the write rules could never have accepted (no amount: written by a bug or by hand) fails here,
    /// where it is applied, so projections skip it as a dead letter and rebuilds name it, instead of storing a pledge
    /// that breaks later.
    /// </summary>
    public static Pledge Announced(PledgeAnnounced e, int version) => new()
    {
        PledgeId = e.PledgeId,
        Pledger = e.Pledger,
        AnnouncedOn = e.AnnouncedOn,
        AnnouncedVersion = version,
        PledgerKey = e.PledgerKey,
        Source = e.Source,
        Amounts = [new PledgeAmount(version, e.Amount ?? throw new InvalidOperationException(
            $"Pledge '{e.PledgeId}' was announced without an amount."), e.Rate, e.LedgerAmount, "announced")]
    };

    public Pledge Revised(PledgeRevised e, int version) => this with
    {
        Amounts = Amounts.Appended(new PledgeAmount(version, e.NewAmount, e.Rate, e.LedgerAmount, e.Reason, e.Source))
    };

    public Pledge Staged(PledgeStageRecorded e, int version) => this with
    {
        Stages = Stages.Appended(new StageEntry(version, e.Stage, e.Amount, e.On, e.Rate, e.LedgerAmount, e.Source))
    };

    /// <summary>The pledge with the revision or stage recorded at this version reversed.</summary>
    public Pledge Without(int version) => this with
    {
        Amounts = Amounts.Where(a => a.Version != version).ToList(),
        Stages = Stages.Where(s => s.Version != version).ToList()
    };
}
