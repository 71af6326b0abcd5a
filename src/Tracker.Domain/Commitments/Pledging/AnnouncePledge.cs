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
    /// "Germany" pledging for the third time gets "germany-3": the first "{stem}-{n}" no standing pledge has, given the ids
    /// of the pledges standing numbered after that stem (<see cref="NumberedStem"/>; others may be among them).
    /// </summary>
    public static string NextPledgeId(IEnumerable<string> standing, string pledger)
    {
        var stem = Slug.From(pledger);
        var taken = standing.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var n = 1;
        while (taken.Contains($"{stem}-{n}")) n++;
        return $"{stem}-{n}";
    }

    /// <summary>The next id with every pledge in hand (a fold of the whole history, a test).</summary>
    public static string NextPledgeId(CommitmentState state, string pledger) =>
        NextPledgeId(state.Pledges.Select(p => p.PledgeId), pledger);

    /// <summary>The stem a pledge id is numbered after ("germany" for "germany-3"); null for an id not ending in a number.</summary>
    public static string? NumberedStem(string pledgeId)
    {
        var dash = pledgeId.LastIndexOf('-');
        return dash > 0 && dash < pledgeId.Length - 1 && pledgeId.AsSpan(dash + 1).IndexOfAnyExceptInRange('0', '9') < 0
            ? pledgeId[..dash].ToLowerInvariant()
            : null;
    }
}
