namespace Tracker.Api.Infrastructure;

public static class QueryProblems
{
    /// <summary>A 400 whose field map names each query parameter that is wrong.</summary>
    public static IResult Invalid(Dictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, title: "The query is not valid", type: ProblemTypes.Validation);
}

/// <summary>
/// Page numbers for the lists that page by number (commitments, pledgers, a pledger's pledges): page from 1 to
/// <see cref="MaxPage"/>, a page size from 1 to the list's maximum. An offset can never overflow.
/// </summary>
public readonly record struct Paging(int Page, int PageSize)
{
    /// <summary>Far past any real list (10 million rows at a page size of 100).</summary>
    public const int MaxPage = 100_000;

    public int Skip => (Page - 1) * PageSize;

    public long PageCount(long total) => (total + PageSize - 1) / PageSize;

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
