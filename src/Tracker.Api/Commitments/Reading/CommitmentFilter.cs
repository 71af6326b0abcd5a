using Tracker.Domain;
using Tracker.Api.Infrastructure;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;

namespace Tracker.Api.Commitments.Reading;

/// <summary>
/// Which commitments a list or the dashboard covers: by status, kind, line of effort, actor, overdue and a text search
/// on the title. One definition for the stored models (translated to SQL by Marten) and for a past, folded in memory.
/// </summary>
public sealed record CommitmentFilter(CommitmentStatus? Status, CommitmentKind? Kind, string? LineOfEffort, string? Actor,
    bool? Overdue, string? Search)
{
    public const int MaxSearchLength = 200;

    public static readonly CommitmentFilter Everything = new(null, null, null, null, null, null);

    public static CommitmentFilter Parse(string? status, string? kind, string? lineOfEffort, string? actor, bool? overdue,
        string? q, Dictionary<string, string[]> errors)
    {
        if (q is { Length: > MaxSearchLength }) errors["q"] = [$"q has at most {MaxSearchLength} characters."];
        return new CommitmentFilter(ParseEnum<CommitmentStatus>(status, "status", errors),
            ParseEnum<CommitmentKind>(kind, "kind", errors), Blank(lineOfEffort), Blank(actor), overdue, Blank(q));
    }

    public IQueryable<CommitmentProgress> Apply(IQueryable<CommitmentProgress> query)
    {
        if (Status is { } s) query = query.Where(x => x.Status == s);
        if (Kind is { } k) query = query.Where(x => x.Kind == k);
        if (LineOfEffort is { } line) query = query.Where(x => x.LineOfEffort == line);
        if (Actor is { } actor) query = query.Where(x => x.Actors.Contains(actor));
        if (Overdue is { } o) query = query.Where(x => x.Overdue == o);
        if (Search is { } q) query = query.Where(x => x.Title.Contains(q, StringComparison.OrdinalIgnoreCase));
        return query;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static T? ParseEnum<T>(string? value, string field, Dictionary<string, string[]> errors) where T : struct, Enum
    {
        if (string.IsNullOrEmpty(value)) return null;
        var names = Enum.GetValues<T>().ToDictionary(v => Wording.Name(v));
        if (names.TryGetValue(value, out var parsed)) return parsed;
        errors[field] = [$"{field} must be one of: {string.Join(", ", names.Keys)}."];
        return null;
    }
}
