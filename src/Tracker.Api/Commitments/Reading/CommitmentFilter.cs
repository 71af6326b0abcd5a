using Marten;
using Tracker.Domain;
using Tracker.Api.Infrastructure;
using Tracker.Domain.Commitments;
using Npgsql;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Rollup;

namespace Tracker.Api.Commitments.Reading;

/// <summary>
/// Which commitments a list or the dashboard covers: by status, kind, line of effort, actor, overdue and a text search
/// on the title. One definition for the stored models (translated to SQL by Marten) and for a past, folded in memory;
/// the title search is asked of the flat rows' folded titles in either case (<see cref="TitleSearch"/>).
/// </summary>
public sealed record CommitmentFilter(CommitmentStatus? Status, CommitmentKind? Kind, string? LineOfEffort, string? Actor,
    bool? Overdue, string? Search)
{
    public const int MaxSearchLength = 200;

    public static readonly CommitmentFilter Everything = new(null, null, null, null, null, null);

    public static CommitmentFilter Parse(string? status, string? kind, string? lineOfEffort, string? actor, bool? overdue,
        string? q, Dictionary<string, string[]> errors)
    {
        // Counted in Unicode code points, as the OpenAPI document's maxLength counts (until 2026-12-06 in UTF-16 units, so an
        // emoji counted twice); a search is not held to what a reader sees, as a body's text is.
        // (A search that shows nothing is a search for everything, whatever its length.)
        if (q is { Length: > MaxSearchLength } && q.EnumerateRunes().Count() > MaxSearchLength && !Infrastructure.Validation.InputBounds.ShowsNothing(q))
        {
            errors["q"] = [$"q has at most {MaxSearchLength} characters (Unicode code points)."];
        }
        return new CommitmentFilter(ParseEnum<CommitmentStatus>(status, "status", errors),
            ParseEnum<CommitmentKind>(kind, "kind", errors), Blank(lineOfEffort), Blank(actor), overdue,
            q is null || Infrastructure.Validation.InputBounds.ShowsNothing(q) ? null : q.Trim());
    }

    /// <summary>Every filter but the title search (<see cref="TitleCondition"/>).</summary>
    public IQueryable<CommitmentProgress> Apply(IQueryable<CommitmentProgress> query)
    {
        if (Status is { } s) query = query.Where(x => x.Status == s);
        if (Kind is { } k) query = query.Where(x => x.Kind == k);
        if (LineOfEffort is { } line) query = query.Where(x => x.LineOfEffort == line);
        if (Actor is { } actor) query = query.Where(x => x.Actors.Contains(actor));
        if (Overdue is { } o) query = query.Where(x => x.Overdue == o);
        return query;
    }

    /// <summary>
    /// The title search as a condition on the flat rows (as <paramref name="alias"/>), the text searched for a parameter of
    /// the command; null without one. Case, accents and the other marks are ignored (<see cref="TitleSearch"/>; until
    /// 2026-12-07 the search was PostgreSQL's ILIKE, and `?q=economie` did not find "Économie").
    /// </summary>
    public string? TitleCondition(NpgsqlCommand command, string alias = "d") =>
        Search is { } q ? TitleSearch.Condition(TrackerDatabase.Schema, alias, q, command) : null;

    /// <summary>
    /// The commitments of a past as recorded (folded in memory) that the filter selects. The title search is asked of the
    /// flat rows, as in the present and the past as effective: a title never changes, and folding it in .NET would compare
    /// otherwise than PostgreSQL (until 2026-12-06 İstanbul matched "istanbul" in one and not the other, a final ς "σ" the
    /// other way round).
    /// </summary>
    public async Task<IQueryable<CommitmentProgress>> OfRecorded(IReadOnlyList<CommitmentProgress> then, NpgsqlDataSource database,
        CancellationToken token)
    {
        var selected = Apply(then.AsQueryable());
        if (Search is null) return selected;
        await using var command = database.CreateCommand();
        command.CommandText = $"select d.id from {TrackerDatabase.Schema}.{CommitmentRows.Table} d where {TitleCondition(command)}";
        var titled = new HashSet<Guid>();
        await using (var reader = await command.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token)) titled.Add(reader.GetGuid(0));
        }
        return selected.Where(c => titled.Contains(c.Id));
    }

    /// <summary>
    /// The actor and the line of effort as stored, whatever case they were given in: each is looked up among the names
    /// the dashboard rollup counts (a few hundred rows at most) and replaced by the one stored spelling that matches it
    /// ignoring case. Given exactly as stored, or matching none, it stays as given; matching several spellings and none
    /// exactly, the request is ambiguous and the error names them. A name matches in another case once the rollup has
    /// counted it (it follows the writes, usually within milliseconds; not while it is being rebuilt).
    /// </summary>
    public async Task<CommitmentFilter> WithStoredSpellings(NpgsqlDataSource database, Dictionary<string, string[]> errors,
        CancellationToken token)
    {
        if (Actor is null && LineOfEffort is null) return this;
        // Compared here, not by PostgreSQL's upper(), which follows the database's character type (with C, ASCII only).
        await using var command = database.CreateCommand(
            $"select dimension, name from {TrackerDatabase.Schema}.{DashboardRollup.Groups} where n > 0 and dimension in ('actors', 'line')");
        var stored = new List<(string Dimension, string Name)>();
        await using (var reader = await command.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token))
            {
                var (dimension, name) = (reader.GetString(0), reader.GetString(1));
                if (Stating.NameSpellings.SameName(name, dimension == "actors" ? Actor : LineOfEffort)) stored.Add((dimension, name));
            }
        }
        return this with
        {
            Actor = Spelled(Actor, "actor", [.. stored.Where(s => s.Dimension == "actors").Select(s => s.Name)], errors),
            LineOfEffort = Spelled(LineOfEffort, "lineOfEffort", [.. stored.Where(s => s.Dimension == "line").Select(s => s.Name)], errors)
        };
    }

    private static string? Spelled(string? given, string field, List<string> stored, Dictionary<string, string[]> errors)
    {
        if (given is null || stored.Contains(given, StringComparer.Ordinal)) return given;
        if (stored.Count == 1) return stored[0];
        if (stored.Count > 1)
        {
            var names = string.Join(", ", stored.Order(StringComparer.Ordinal).Select(n => $"'{n}'"));
            errors[field] = [$"{field} '{given}' matches several names that differ only in case ({names}): give one exactly."];
        }
        return given;
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
