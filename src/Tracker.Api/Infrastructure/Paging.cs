namespace Tracker.Api.Infrastructure;

public static class QueryProblems
{
    /// <summary>A 400 whose field map names each query parameter that is wrong.</summary>
    public static IResult Invalid(Dictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, title: "The query is not valid", type: ProblemTypes.Validation);
}

/// <summary>
/// Page numbers for the lists that page by number (commitments, pledgers, a pledger's pledges, the documents): page from
/// 1 to <see cref="MaxPage"/> at any page size, a page size from 1 to the list's maximum (until 2026-12-07 the bound was
/// page 100,000, so a list of more than 100,000 read a page at a time could not be read to its end, and its links led
/// past the bound). An offset can never overflow.
/// </summary>
public readonly record struct Paging(int Page, int PageSize)
{
    /// <summary>Ten million items read one at a time: far past any real list.</summary>
    public const int MaxPage = 10_000_000;

    /// <summary>
    /// Past any list there is (a page of 500 at page 10 million would skip five billion): the offset stops there, so it
    /// fits an int with a page added, and the page is as empty as the real offset's would be.
    /// </summary>
    private const int MaxSkip = 1_000_000_000;

    public int Skip => (int)Math.Min((Page - 1L) * PageSize, MaxSkip);

    public long PageCount(long total) => (total + PageSize - 1) / PageSize;

    /// <summary>
    /// The pages a page links to (RFC 8288): none past the last page that can be asked for (a list longer than that,
    /// read one at a time: until 2026-12-07 "next" and "last" led to a 400 there); no last page of an empty list, whose
    /// body says it has none (until 2026-12-06 "last" named page 1); a page past the end leads back to the last.
    /// </summary>
    public static (long? Prev, long? Next, long? Last) Neighbours(long current, long pageCount)
    {
        var last = Math.Min(Math.Max(1, pageCount), MaxPage);
        return (current > 1 ? Math.Min(current - 1, last) : null, current < last ? current + 1 : null, pageCount > 0 ? last : null);
    }

    public static Paging Parse(int? page, int? pageSize, int defaultSize, int maxSize, Dictionary<string, string[]> errors)
    {
        var number = page ?? 1;
        if (number is < 1 or > MaxPage) errors["page"] = [$"page must be between 1 and {MaxPage}."];
        var size = pageSize ?? defaultSize;
        if (size < 1 || size > maxSize) errors["pageSize"] = [$"pageSize must be between 1 and {maxSize}."];
        return new Paging(Math.Clamp(number, 1, MaxPage), Math.Clamp(size, 1, maxSize));
    }
}

/// <summary>
/// Keyset paging for a commitment's events (history, changelog): the events after a version, at most a limit of them;
/// the page answers the version to ask after next (none at the end).
/// </summary>
public readonly record struct EventWindow(int After, int Limit)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static EventWindow Parse(int? after, int? limit, Dictionary<string, string[]> errors)
    {
        var from = after ?? 0;
        if (from < 0) errors["after"] = ["after is a version, 0 or more."];
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit) errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        return new EventWindow(Math.Max(0, from), Math.Clamp(size, 1, MaxLimit));
    }

    /// <summary>
    /// A cursor past the commitment's last version is a 400 saying so, as the event feed's past its high-water mark is: it
    /// came from another commitment or another route, and an empty last page would read as the end of this one's (until
    /// 2026-12-06 it did). At the last version itself, the page is the empty end.
    /// </summary>
    public IResult? PastTheEnd(long lastVersion, bool inThatPast = false) => After <= lastVersion ? null : QueryProblems.Invalid(new Dictionary<string, string[]>
    {
        ["after"] = [inThatPast
            ? $"after is past version {lastVersion}, the commitment's last in that past: give a page's next of the same past, or 0 for the start."
            : $"after is past the commitment's last version, {lastVersion}: give a page's next of this commitment, or 0 for the start."]
    });
}
