using Marten;
using Npgsql;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections;
using Tracker.Projections.Commitments;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Tracker.Api.Commitments.Stating;

/// <summary>
/// One spelling per actor and per line of effort, whatever case it is written in: the filters and the dashboard read
/// names ignoring case, so "USA" on one commitment and "usa" on another would split a group in two and make a filter
/// ambiguous. The first spelling recorded is kept in a table of its own, keyed by the name as folded here (ordinal,
/// upper case: as the filters compare); a new commitment claims its names in its write's transaction and is refused
/// (409, <c>name-spelled-otherwise</c>) if one is recorded in another case. A claim waits for a claim of the same name
/// another write has not committed yet, so two writes racing with two spellings cannot both pass.
/// </summary>
public static class NameSpellings
{
    public const string Table = "commitment_names";
    public const string ClaimFunction = "claim_commitment_names";
    public const string Actors = "actors";
    public const string Line = "line";

    public static IEnumerable<ISchemaObject> Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Table, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("dimension").AsPrimaryKey();
        table.AddColumn<string>("folded").AsPrimaryKey();
        table.AddColumn<string>("spelling").NotNull();
        yield return table;

        // The names recorded otherwise, if any (then nothing is claimed); else the claim, then the names recorded otherwise
        // again. Each statement has its own snapshot: the insert waits for an uncommitted claim of the same name and then
        // does nothing, and the select after it sees the spelling that claim committed (within one statement the snapshot
        // would be from before the wait). The names come sorted, so two claims of overlapping names take them in the
        // same order.
        var differing = $"""
            SELECT g.d, g.s, n.spelling::text
                FROM unnest(p_dimensions, p_folded, p_spellings) AS g(d, f, s)
                JOIN {schema}.{Table} n ON n.dimension = g.d AND n.folded = g.f
                WHERE n.spelling <> g.s
            """;
        yield return StoredFunction.Of(new PostgresqlObjectName(schema, ClaimFunction, SchemaUtils.IdentifierUsage.General),
            "p_dimensions text[], p_folded text[], p_spellings text[]",
            "TABLE(out_dimension text, out_given text, out_recorded text)", ["LANGUAGE plpgsql"], $"""
            BEGIN
              RETURN QUERY {differing};
              IF FOUND THEN
                RETURN;
              END IF;
              INSERT INTO {schema}.{Table} (dimension, folded, spelling)
                SELECT g.d, g.f, g.s FROM unnest(p_dimensions, p_folded, p_spellings) AS g(d, f, s) ORDER BY g.d, g.f
                ON CONFLICT DO NOTHING;
              RETURN QUERY {differing};
            END;
            """);
    }

    /// <summary>The key a name is claimed under: its case folded as the filters compare (OrdinalIgnoreCase).</summary>
    public static string Folded(string name) => name.ToUpperInvariant();

    /// <summary>
    /// Claims a new commitment's line of effort and actors in the session's transaction (begun here if it is not yet):
    /// the refusal naming each one recorded in another case, or null when every name is the one recorded or new.
    /// </summary>
    public static async Task<RuleViolation?> ClaimAsync(IDocumentSession session, string lineOfEffort, IEnumerable<string> actors,
        CancellationToken token)
    {
        var names = actors.Select(a => (Dimension: Actors, Name: a)).Prepend((Dimension: Line, Name: lineOfEffort))
            .Select(n => (n.Dimension, Folded: Folded(n.Name), n.Name))
            .OrderBy(n => n.Dimension, StringComparer.Ordinal).ThenBy(n => n.Folded, StringComparer.Ordinal).ToArray();
        // In the session's transaction (Npgsql runs a command in its connection's transaction).
        await session.BeginTransactionAsync(token);
        await using var claim = new NpgsqlCommand(
            $"select out_dimension, out_given, out_recorded from {TrackerDatabase.Schema}.{ClaimFunction}($1, $2, $3)", session.Connection)
        {
            Parameters =
            {
                new() { Value = names.Select(n => n.Dimension).ToArray() },
                new() { Value = names.Select(n => n.Folded).ToArray() },
                new() { Value = names.Select(n => n.Name).ToArray() }
            }
        };
        var differing = new List<(string Dimension, string Given, string Recorded)>();
        await using (var reader = await claim.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token)) differing.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        if (differing.Count == 0) return null;
        var which = string.Join("; ", differing.Select(d =>
            $"{(d.Dimension == Line ? "lineOfEffort" : "actor")} '{d.Given}' is recorded as '{d.Recorded}'"));
        return new RuleViolation("name-spelled-otherwise",
            $"{which} on other commitments. Names are one whatever their case, so the lists and the dashboard keep one " +
            "group for each: write them as recorded.", ViolationKind.Conflict);
    }

    /// <summary>
    /// Fills the table from the commitments already listed, once (when it is empty and they are not): a database from
    /// before the table gets the spellings its commitments use, the first in ordinal order where several differ only in
    /// case. Run at start; a node that finds it filled does nothing.
    /// </summary>
    public static async Task BackfillAsync(NpgsqlDataSource database, CancellationToken token)
    {
        await using var connection = await database.OpenConnectionAsync(token);
        await using var check = new NpgsqlCommand(
            $"select not exists (select 1 from {TrackerDatabase.Schema}.{Table}) and exists (select 1 from {TrackerDatabase.Schema}.{CommitmentRows.Table})",
            connection);
        if (await check.ExecuteScalarAsync(token) is not true) return;

        await using var read = new NpgsqlCommand($"""
            select distinct '{Line}', line_of_effort from {TrackerDatabase.Schema}.{CommitmentRows.Table} where line_of_effort is not null
            union
            select distinct '{Actors}', unnest(actors) from {TrackerDatabase.Schema}.{CommitmentRows.Table}
            """, connection);
        var first = new Dictionary<(string, string), string>();
        await using (var reader = await read.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token))
            {
                var (dimension, name) = (reader.GetString(0), reader.GetString(1));
                var key = (dimension, Folded(name));
                if (!first.TryGetValue(key, out var kept) || string.CompareOrdinal(name, kept) < 0) first[key] = name;
            }
        }
        await using var claim = new NpgsqlCommand($"select count(*) from {TrackerDatabase.Schema}.{ClaimFunction}($1, $2, $3)", connection);
        var ordered = first.OrderBy(n => n.Key.Item1, StringComparer.Ordinal).ThenBy(n => n.Key.Item2, StringComparer.Ordinal).ToArray();
        claim.Parameters.Add(new NpgsqlParameter { Value = ordered.Select(n => n.Key.Item1).ToArray() });
        claim.Parameters.Add(new NpgsqlParameter { Value = ordered.Select(n => n.Key.Item2).ToArray() });
        claim.Parameters.Add(new NpgsqlParameter { Value = ordered.Select(n => n.Value).ToArray() });
        await claim.ExecuteScalarAsync(token);
    }
}
