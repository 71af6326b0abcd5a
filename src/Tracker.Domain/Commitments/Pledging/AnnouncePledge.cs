namespace Tracker.Domain.Commitments;

public static class AnnouncePledge
{
    /// <param name="pledgeId">The caller's id for the pledge, or null to derive one from the pledger ("germany-2").</param>
    /// <param name="retractedIds">The ids of the commitment's retracted pledges: an id names one pledge, ever.</param>
    /// <param name="pledgerKey">The key the pledger's pledges are counted under, where the caller names one (a name in
    /// another script); null for the name's slug.</param>
    public static Decision Decide(CommitmentState state, string? pledgeId, string pledger, Money amount, DateOnly announcedOn,
        ExchangeRate? rate, Evidence source, IReadOnlyCollection<string>? retractedIds = null, string? pledgerKey = null)
    {
        var key = Slug.PledgerKey(pledger, pledgerKey);
        if (Rules.NotWithdrawn(state) is { } withdrawn) return withdrawn;
        if (state.Kind != CommitmentKind.Financial)
        {
            return new RuleViolation("pledge-needs-financial-commitment",
                $"Commitment '{state.Key}' is {state.Kind.ToString().ToLowerInvariant()}; pledges of money count toward financial commitments only.");
        }

        if ((pledgeId ?? NextPledgeId(state, pledger, retractedIds ?? [], pledgerKey)) is not { } id) return NumbersExhausted(state, key);
        if (state.FindPledge(id) is not null)
        {
            return new RuleViolation("pledge-exists", $"A pledge with id '{id}' is already recorded on '{state.Key}'.",
                ViolationKind.Conflict);
        }
        // The same number after the same stem, written otherwise ("germany-01" beside "germany-1"), names the same pledge.
        if (NumberOf(id) is { } number && state.Pledges.FirstOrDefault(p =>
                NumberOf(p.PledgeId) == number && NumberedStem(p.PledgeId) == NumberedStem(id)) is { } numbered)
        {
            return new RuleViolation("pledge-exists",
                $"Pledge '{numbered.PledgeId}' is already recorded on '{state.Key}', with the number {number} that '{id}' carries after the " +
                $"same stem: the two ids name one pledge.",
                ViolationKind.Conflict);
        }
        // The same id, or the same number after the same stem written with leading zeros ("germany-05" for "germany-5").
        if (retractedIds?.FirstOrDefault(r => string.Equals(r, id, StringComparison.OrdinalIgnoreCase) ||
                                              NumberOf(id) is { } number && NumberOf(r) == number && NumberedStem(r) == NumberedStem(id)) is { } retracted)
        {
            // The retracted pledge by its own id: "germany-05" asked for names "germany-5", which the history holds (until
            // 2026-12-06 the id asked for was said to have been recorded, and an auditor looked for it in vain).
            var same = string.Equals(retracted, id, StringComparison.OrdinalIgnoreCase)
                ? ""
                : $", with the number {NumberOf(id)} that '{id}' carries after the same stem: the two ids name one pledge";
            return new RuleViolation("pledge-id-retracted",
                $"Pledge '{retracted}' on '{state.Key}' was recorded and retracted{same}; an id names one pledge, so it is not given again. " +
                "Give the pledge another id, or none to have it numbered after its pledger.", ViolationKind.Conflict);
        }

        var (ledgerAmount, conversion) = Rules.ToPledgeLedger(amount, rate, state.LedgerCurrency, announcedOn);
        if (conversion is not null) return conversion;
        if (Rules.AddsExactly(state.LedgerCurrency, ("The commitment's pledged total", state.PledgeSums.Pledged, ledgerAmount)) is { } inexact)
            return inexact;

        return Decision.Accept(new PledgeAnnounced(state.Key, id, pledger, amount, announcedOn,
            amount.Currency == state.LedgerCurrency ? null : rate, ledgerAmount, source, state.LedgerCurrency,
            key == Slug.From(pledger) ? null : key));
    }

    /// <summary>
    /// "Germany" pledging again gets "germany-{n + 1}", n the highest number a standing pledge numbered after that stem has
    /// (<see cref="NumberedStem"/>, whoever its pledger; none: "germany-1"), past any number a retracted pledge had, so an
    /// id names one pledge, ever. A retracted number above the standing ones is passed over, not counted after: a
    /// mistaken "germany-1000" retracted leaves the next at "germany-2" (until 2026-12-07 it was "germany-1001" for good,
    /// and a retracted id with the highest number stopped numbering after its stem). Finding it reads one index entry,
    /// however many pledges the stem has, and the commitment's retracted pledges.
    /// </summary>
    public static string? NextPledgeId(long? highestStanding, string pledgerKey, IEnumerable<string>? retractedIds = null)
    {
        var retracted = (retractedIds ?? []).Where(id => NumberedStem(id) == pledgerKey).Select(NumberOf).OfType<long>().ToHashSet();
        var next = highestStanding ?? 0;
        do
        {
            if (next == long.MaxValue) return null;
            next++;
        } while (retracted.Contains(next));
        return $"{pledgerKey}-{next}";
    }

    /// <summary>
    /// The refusal of a pledge to be numbered after a stem whose highest standing number is the highest a number can be
    /// (an explicit id took it): the next would not be a number that counts.
    /// </summary>
    public static RuleViolation NumbersExhausted(CommitmentState state, string pledgerKey) =>
        new("pledge-numbers-exhausted",
            $"The pledges numbered after '{pledgerKey}' on '{state.Key}' have reached the highest number an id can " +
            $"carry ({long.MaxValue}); give this pledge an id of its own.", ViolationKind.Conflict);

    /// <summary>The next id with every pledge in hand (a fold of the whole history, a test) and the retracted ids.</summary>
    public static string? NextPledgeId(CommitmentState state, string pledger, IReadOnlyCollection<string>? retractedIds = null,
        string? pledgerKey = null)
    {
        var stem = Slug.PledgerKey(pledger, pledgerKey);
        return NextPledgeId(state.Pledges.Select(p => p.PledgeId).Where(id => NumberedStem(id) == stem).Max(NumberOf), stem, retractedIds);
    }

    /// <summary>
    /// The number an id is numbered with (3 for "germany-3"); null for an id not ending in a number, or in one beyond the
    /// highest a number can be (9,223,372,036,854,775,807), which numbering never reaches: it stops there
    /// (<see cref="NumbersExhausted"/>). (Until 2026-12-05 a number of 19 digits did not count, so after an explicit
    /// 18-digit one numbering gave the same 19-digit id twice.)
    /// </summary>
    public static long? NumberOf(string pledgeId) =>
        NumberedStem(pledgeId) is not null &&
        long.TryParse(pledgeId.AsSpan(pledgeId.LastIndexOf('-') + 1), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    /// <summary>
    /// The stem a pledge id is numbered after ("germany" for "germany-3", none, "", for an id of digits alone: "1" and "01"
    /// are one number, as "germany-1" and "germany-01" are; until 2026-12-06 such ids were two pledges); null for an id not
    /// ending in a number.
    /// </summary>
    public static string? NumberedStem(string pledgeId)
    {
        var dash = pledgeId.LastIndexOf('-');
        if (dash < 0) return pledgeId.Length > 0 && pledgeId.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0 ? "" : null;
        return dash > 0 && dash < pledgeId.Length - 1 && pledgeId.AsSpan(dash + 1).IndexOfAnyExceptInRange('0', '9') < 0
            ? pledgeId[..dash].ToLowerInvariant()
            : null;
    }
}
