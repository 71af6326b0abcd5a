using static Tracker.Domain.Wording;

namespace Tracker.Domain.Commitments;

/// <summary>
/// A pledger (a member state or an organisation) announced a pledge toward the commitment. Amount is as announced;
/// LedgerAmount is its value in the commitment's ledger currency (equal to Amount when the currencies match), which
/// LedgerCurrency names (null in pledges recorded before it was kept, 2026-12-05: the target's currency then).
/// PledgerKey is the key the pledger's pledges are counted under where the announcement named one other than its name's
/// slug ("日本" as "japan"; since 2026-12-07); null otherwise, the slug (<see cref="Slug.PledgerKey"/>).
/// </summary>
public sealed record PledgeAnnounced(
    string CommitmentKey,
    string PledgeId,
    string Pledger,
    Money Amount,
    DateOnly AnnouncedOn,
    ExchangeRate? Rate,
    decimal LedgerAmount,
    Evidence Source,
    string? LedgerCurrency = null,
    string? PledgerKey = null) : ITrackedEvent, IRetractable, IPledgeFact
{
    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => AnnouncedOn;

    string ITrackedEvent.Summary(string ledgerCurrency) =>
        $"{Pledger} pledged {Money(Amount)}{Converted(Amount, LedgerAmount, Rate, ledgerCurrency)} on {Date(AnnouncedOn)}";

    IRetraction IRetractable.RetractedBy(int version, string reason, Evidence source) =>
        new PledgeRetracted(version, PledgeId, Pledger, reason, source, LedgerAmount);
}

