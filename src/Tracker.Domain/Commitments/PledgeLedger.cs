using System.Text.Json.Serialization;

namespace Tracker.Domain.Commitments;

/// <summary>
/// One pledge as the rules need it: who, in which currency, the amount now (with the earlier amounts a retracted
/// revision brings back) and how much of it is committed and disbursed, in the pledge's currency and in the ledger's.
/// </summary>
public sealed record PledgeLedger
{
    public required string PledgeId { get; init; }
    public required string Pledger { get; init; }
    public required DateOnly AnnouncedOn { get; init; }
    public required int AnnouncedVersion { get; init; }

    /// <summary>The key its announcement named for the pledger, where not the name's slug (<see cref="Key"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PledgerKey { get; init; }

    /// <summary>The key the pledger's pledges are counted under.</summary>
    [JsonIgnore]
    public string Key => Slug.PledgerKey(Pledger, PledgerKey);

    /// <summary>The announced amount first, then each revision.</summary>
    public required IReadOnlyList<Versioned<PledgedAmount>> Amounts { get; init; }

    public decimal Committed { get; init; }
    public decimal Disbursed { get; init; }
    public decimal LedgerCommitted { get; init; }
    public decimal LedgerDisbursed { get; init; }

    /// <summary>Stages recorded and not retracted: a pledge with stages or revisions cannot be retracted before them.</summary>
    public int Stages { get; init; }

    public Money Amount => Amounts[^1].Value.Amount;
    public decimal LedgerAmount => Amounts[^1].Value.LedgerAmount;
    public string Currency => Amounts[0].Value.Amount.Currency;

    public decimal StageTotal(PledgeStage stage) => stage == PledgeStage.Disbursed ? Disbursed : Committed;

    public decimal Remaining(PledgeStage stage) => Amount.Amount - StageTotal(stage);

    /// <summary>The most committed or disbursed so far: a pledge's amount may not fall below it.</summary>
    public decimal MostStaged => Math.Max(Committed, Disbursed);

    /// <summary>An announcement without an amount (written by a bug or by hand) fails here, where it is applied.</summary>
    public static PledgeLedger Announced(PledgeAnnounced e, int version) => new()
    {
        PledgeId = e.PledgeId,
        Pledger = e.Pledger,
        AnnouncedOn = e.AnnouncedOn,
        AnnouncedVersion = version,
        PledgerKey = e.PledgerKey,
        Amounts = [new(version, new PledgedAmount(e.Amount ?? throw new InvalidOperationException(
            $"Pledge '{e.PledgeId}' was announced without an amount."), e.LedgerAmount))]
    };

    /// <param name="recordedOn">The day the revision was recorded: the day it took effect when its source gives none.</param>
    public PledgeLedger Revised(PledgeRevised e, int version, DateOnly? recordedOn = null) =>
        this with { Amounts = [.. Amounts, new(version, new PledgedAmount(e.NewAmount, e.LedgerAmount, e.Source.On ?? recordedOn))] };

    /// <summary>The day the revision in force took effect; null when there is none, or it was stored before revisions kept their day.</summary>
    public DateOnly? RevisedOn => Amounts.Count > 1 ? Amounts[^1].Value.On : null;

    public PledgeLedger WithoutRevision(int version) =>
        this with { Amounts = Amounts.Where(a => a.Version != version).ToList() };

    public PledgeLedger Staged(PledgeStageRecorded e) => Add(e.Stage, e.Amount.Amount, e.LedgerAmount, 1);

    public PledgeLedger Unstaged(PledgeStageRetracted e) => Add(e.Stage, -e.Amount.Amount, -e.LedgerAmount, -1);

    private PledgeLedger Add(PledgeStage stage, decimal amount, decimal ledgerAmount, int count) => stage == PledgeStage.Disbursed
        ? this with
        {
            Disbursed = Decimals.Normal(Disbursed + amount), LedgerDisbursed = Decimals.Normal(LedgerDisbursed + ledgerAmount),
            Stages = Stages + count
        }
        : this with
        {
            Committed = Decimals.Normal(Committed + amount), LedgerCommitted = Decimals.Normal(LedgerCommitted + ledgerAmount),
            Stages = Stages + count
        };
}

/// <summary>A pledge's amount, and for a revision the day it took effect (null for one stored before 2026-12-05).</summary>
public sealed record PledgedAmount(Money Amount, decimal LedgerAmount, DateOnly? On = null);
