namespace Tracker.Domain.Commitments;

public static class AnnouncePledge
{
    /// <param name="pledgeId">The caller's id for the pledge, or null to derive one from the pledger ("germany-2").</param>
    public static Decision Decide(CommitmentState state, string? pledgeId, string pledger, Money amount, DateOnly announcedOn,
        ExchangeRate? rate, Evidence source)
    {
        if (Rules.NotWithdrawn(state) is { } withdrawn) return withdrawn;
        if (state.Kind != CommitmentKind.Financial)
        {
            return new RuleViolation("pledge-needs-financial-commitment",
                $"Commitment '{state.Key}' is {state.Kind.ToString().ToLowerInvariant()}; pledges of money count toward financial commitments only.");
        }

        var id = pledgeId ?? NextPledgeId(state, pledger);
        if (state.FindPledge(id) is not null)
        {
            return new RuleViolation("pledge-exists", $"A pledge with id '{id}' is already recorded on '{state.Key}'.",
                ViolationKind.Conflict);
        }

        var (ledgerAmount, conversion) = Rules.ToLedger(amount, rate, state.LedgerCurrency, announcedOn);
        if (conversion is not null) return conversion;

        return Decision.Accept(new PledgeAnnounced(state.Key, id, pledger, amount, announcedOn,
            amount.Currency == state.LedgerCurrency ? null : rate, ledgerAmount, source));
    }

    /// <summary>
    /// "Germany" pledging for the third time gets "germany-3": the first "{stem}-{n}" no standing pledge has, with every
    /// pledge numbered after that stem in hand (<see cref="NumberedStem"/>).
    /// </summary>
    public static string NextPledgeId(CommitmentState state, string pledger)
    {
        var stem = Slug.From(pledger);
        var n = 1;
        while (state.FindPledge($"{stem}-{n}") is not null) n++;
        return $"{stem}-{n}";
    }

    /// <summary>The stem a pledge id is numbered after ("germany" for "germany-3"); null for an id not ending in a number.</summary>
    public static string? NumberedStem(string pledgeId)
    {
        var dash = pledgeId.LastIndexOf('-');
        return dash > 0 && dash < pledgeId.Length - 1 && pledgeId.AsSpan(dash + 1).IndexOfAnyExceptInRange('0', '9') < 0
            ? pledgeId[..dash].ToLowerInvariant()
            : null;
    }
}
