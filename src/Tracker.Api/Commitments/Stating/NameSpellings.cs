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

        // The names recorded otherwise, if any (then nothing is claimed); else, when claiming, the claim, then the names
        // recorded otherwise again, and if there are any now, this call's own claims taken back, so a refused claim
        // leaves nothing behind even in a transaction that goes on (the importer's). Each statement has its own snapshot:
        // the insert waits for an uncommitted claim of the same name and then does nothing, and the select after it sees
        // the spelling that claim committed (within one statement the snapshot would be from before the wait). The
        // names are inserted sorted, so two claims of overlapping names lock them in the same order.
        var differing = $"""
            SELECT g.d, g.s, n.spelling::text
                FROM unnest(p_dimensions, p_folded, p_spellings) AS g(d, f, s)
                JOIN {schema}.{Table} n ON n.dimension = g.d AND n.folded = g.f
                WHERE n.spelling <> g.s
            """;
        yield return StoredFunction.Of(new PostgresqlObjectName(schema, ClaimFunction, SchemaUtils.IdentifierUsage.General),
            "p_dimensions text[], p_folded text[], p_spellings text[], p_claim boolean",
            "TABLE(out_dimension text, out_given text, out_recorded text)", ["LANGUAGE plpgsql"], $"""
            DECLARE
              v_dimensions text[];
              v_folded text[];
            BEGIN
              RETURN QUERY {differing};
              IF FOUND OR NOT p_claim THEN
                RETURN;
              END IF;
              WITH added AS (
                INSERT INTO {schema}.{Table} (dimension, folded, spelling)
                  SELECT g.d, g.f, g.s FROM unnest(p_dimensions, p_folded, p_spellings) AS g(d, f, s) ORDER BY g.d, g.f
                  ON CONFLICT DO NOTHING
                  RETURNING dimension, folded)
              SELECT array_agg(a.dimension), array_agg(a.folded) INTO v_dimensions, v_folded FROM added a;
              RETURN QUERY {differing};
              IF FOUND AND v_dimensions IS NOT NULL THEN
                DELETE FROM {schema}.{Table} n USING unnest(v_dimensions, v_folded) AS x(d, f)
                  WHERE n.dimension = x.d AND n.folded = x.f;
              END IF;
            END;
            """);
    }

    /// <summary>
    /// Whether a name is written so that it compares as it reads: without invisible formatting characters (a zero-width
    /// space) and without a Latin letter's accent sent apart from its letter ("u" and U+0308 for "ü"), either of which
    /// would make a name that looks like a recorded one count apart from it. (The service cannot compose such letters
    /// itself: it runs without ICU, where Unicode normalization is not available.)
    /// </summary>
    // And spaces as they read: one ordinary space between words (a no-break space, or two spaces, made "coalition working
    // groups" a second and a third actor that read the same; until 2026-12-06).
    public static bool ComparesAsItReads(string? name) => name is null || ReadsPlainly(name.Trim(), accentsApart: false);

    /// <summary>
    /// Without invisible formatting characters (a right-to-left mark, a zero-width space) or spaces other than one ordinary
    /// space between words; an accent sent apart from its letter is allowed. For a name whose key folds those accents in
    /// (a pledger's: "Co&#x0302;te d'Ivoire" is the pledger cote-d-ivoire), so only what shows is at stake.
    /// </summary>
    public static bool ShowsAsItReads(string? name) => name is null || ReadsPlainly(name.Trim(), accentsApart: true);

    private static bool ReadsPlainly(string name, bool accentsApart) =>
        !HoldsInvisible(name) &&
        !name.Where((c, i) => 
                                              char.IsWhiteSpace(c) && (c != ' ' || i > 0 && name[i - 1] == ' ') ||
                                              !accentsApart && char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark &&
                                              i > 0 && name[i - 1] <= '\u024F' && char.IsLetter(name[i - 1])).Any();

    /// <summary>
    /// Whether a text holds a character no reader sees (<see cref="Infrastructure.Validation.InputBounds.Invisible"/>:
    /// formatting, variation selectors, fillers, tags), read by code point (a character past the first plane is two UTF-16
    /// units, neither of them a format character). Until 2026-12-06 "Germany" followed by a variation selector was a
    /// pledger's name that read as Germany and was stored apart from it.
    /// </summary>
    public static bool HoldsInvisible(string text) => text.EnumerateRunes().Any(Infrastructure.Validation.InputBounds.Invisible);

    public const string ShowsAsItReadsRule =
        "must not contain invisible formatting characters (such as a right-to-left mark or a zero-width space), or a space " +
        "other than one ordinary space between words (a no-break space, a tab, two spaces) inside the name: spaces at either end " +
        "are left off, and the rest is shown as it is sent.";

    public const string ComparesAsItReadsRule =
        "must not contain invisible formatting characters (such as a zero-width space), a space other than one ordinary " +
        "space between words (a no-break space, a tab, two spaces) inside the name (spaces at either end are left off), or an " +
        "accent sent apart from its letter (write 'ü', " +
        "not 'u' followed by a combining diaeresis): the name would look like another and count apart.";

    /// <summary>
    /// The key a name is claimed under, and which the filters compare: its case folded, upper case, with the sharp s
    /// upper-cased as German writes it (STRASSE for Straße), which .NET's simple case mapping leaves as it is (until
    /// 2026-12-06 "Straße-Gruppe" and "STRASSE-GRUPPE" were two actors).
    /// </summary>
    public static string Folded(string name) => name.ToUpperInvariant().Replace("ß", "SS", StringComparison.Ordinal)
        .Replace("\u1E9E", "SS", StringComparison.Ordinal);

    /// <summary>Whether two spellings are one name (<see cref="Folded"/>).</summary>
    public static bool SameName(string? a, string? b) => a is not null && b is not null && Folded(a) == Folded(b);

    /// <summary>A new commitment's names: its line of effort and its actors.</summary>
    public static IReadOnlyList<(string Dimension, string Name)> Of(string lineOfEffort, IEnumerable<string> actors) =>
        [(Line, lineOfEffort), .. actors.Select(a => (Actors, a))];

    /// <summary>
    /// Claims names in the session's transaction (begun here if it is not yet): the refusal naming each one recorded in
    /// another case (and nothing claimed), or null when every name is the one recorded or new.
    /// </summary>
    public static Task<RuleViolation?> ClaimAsync(IDocumentSession session, IEnumerable<(string Dimension, string Name)> names,
        CancellationToken token) => Run(session, names, claim: true, token);

    /// <summary>The same refusal, claiming nothing: a first look that takes no lock (the importer's, entry by entry).</summary>
    public static Task<RuleViolation?> CheckAsync(IDocumentSession session, IEnumerable<(string Dimension, string Name)> names,
        CancellationToken token) => Run(session, names, claim: false, token);

    private static async Task<RuleViolation?> Run(IDocumentSession session, IEnumerable<(string Dimension, string Name)> names,
        bool claim, CancellationToken token)
    {
        var sorted = names.Select(n => (n.Dimension, Folded: Folded(n.Name), n.Name))
            .OrderBy(n => n.Dimension, StringComparer.Ordinal).ThenBy(n => n.Folded, StringComparer.Ordinal)
            .ThenBy(n => n.Name, StringComparer.Ordinal).ToArray();
        // In the session's transaction (Npgsql runs a command in its connection's transaction).
        await session.BeginTransactionAsync(token);
        await using var command = new NpgsqlCommand(
            $"select out_dimension, out_given, out_recorded from {TrackerDatabase.Schema}.{ClaimFunction}($1, $2, $3, $4)", session.Connection)
        {
            Parameters =
            {
                new() { Value = sorted.Select(n => n.Dimension).ToArray() },
                new() { Value = sorted.Select(n => n.Folded).ToArray() },
                new() { Value = sorted.Select(n => n.Name).ToArray() },
                new() { Value = claim }
            }
        };
        var differing = new List<(string Dimension, string Given, string Recorded)>();
        await using (var reader = await command.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token)) differing.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        if (differing.Count == 0) return null;
        var which = string.Join("; ", differing.Distinct().Select(d =>
            $"{(d.Dimension == Line ? "lineOfEffort" : "actor")} '{d.Given}' is recorded as '{d.Recorded}'"));
        return new RuleViolation("name-spelled-otherwise",
            $"{which}. Names are one whatever their case, so the lists and the dashboard keep one group for each: write " +
            "them as recorded.", ViolationKind.Conflict);
    }

    /// <summary>
    /// Names claimed before the sharp s folded to SS (2026-12-06) are claimed again under the key it folds to now; where a
    /// name is claimed under both, the spelling first in ordinal order stays (as <see cref="BackfillAsync"/> chooses), and
    /// a statement in the other is refused as spelled otherwise. Commitments already stated keep their names.
    /// </summary>
    private static async Task RefoldSharpS(NpgsqlConnection connection, CancellationToken token)
    {
        await using var transaction = await connection.BeginTransactionAsync(token);
        var table = $"{TrackerDatabase.Schema}.{Table}";
        var claims = new List<(string Dimension, string Folded, string Spelling)>();
        await using (var read = new NpgsqlCommand($"""
            select n.dimension, n.folded, n.spelling from {table} n
             where n.folded ~ '[ßẞ]' or exists (select 1 from {table} o where o.dimension = n.dimension and o.folded ~ '[ßẞ]'
                                                  and replace(replace(o.folded, 'ß', 'SS'), 'ẞ', 'SS') = n.folded)
             for update
            """, connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token)) claims.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        if (claims.Count == 0) return;
        var kept = claims.GroupBy(c => (c.Dimension, Folded: Folded(c.Spelling)))
            .Select(g => (g.Key.Dimension, g.Key.Folded, Spelling: g.Select(c => c.Spelling).Order(StringComparer.Ordinal).First()))
            .ToArray();
        await using var write = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"delete from {table} n using unnest($1::text[], $2::text[]) as x(d, f) where n.dimension = x.d and n.folded = x.f")
                {
                    Parameters =
                    {
                        new() { Value = claims.Select(c => c.Dimension).ToArray() },
                        new() { Value = claims.Select(c => c.Folded).ToArray() }
                    }
                },
                new NpgsqlBatchCommand($"insert into {table} (dimension, folded, spelling) select * from unnest($1::text[], $2::text[], $3::text[]) on conflict do nothing")
                {
                    Parameters =
                    {
                        new() { Value = kept.Select(k => k.Dimension).ToArray() },
                        new() { Value = kept.Select(k => k.Folded).ToArray() },
                        new() { Value = kept.Select(k => k.Spelling).ToArray() }
                    }
                }
            }
        };
        await write.ExecuteNonQueryAsync(token);
        await transaction.CommitAsync(token);
    }

    /// <summary>
    /// Records the spellings the listed commitments use that the table lacks (a database from before it, or commitments a
    /// node of an older version stated meanwhile): where several differ only in case, the one most commitments use (the
    /// first in ordinal order of those equally used), and none already recorded changed. Each start runs it in the background, after the list rows are filled.
    /// </summary>
    public static async Task<int> BackfillAsync(NpgsqlDataSource database, CancellationToken token)
    {
        await using var connection = await database.OpenConnectionAsync(token);
        await RefoldSharpS(connection, token);
        // Each branch distinct on its own (a hash of the few names), not one union over every row's names, which
        // PostgreSQL, guessing ten actors a row, sorted on disk: 0.14-0.2 s against 0.7-1.0 s over 200,000 rows.
        await using var read = new NpgsqlCommand($"""
            select '{Line}', line_of_effort, count(*) from {TrackerDatabase.Schema}.{CommitmentRows.Table}
             where line_of_effort is not null group by line_of_effort
            union all
            select '{Actors}', actor, count(*) from {TrackerDatabase.Schema}.{CommitmentRows.Table} cross join unnest(actors) as actor
             where actor is not null group by actor
            """, connection) { CommandTimeout = 0 };
        // The spelling most commitments use, and of those equally used the first in ordinal order: until 2026-12-07 the
        // first in ordinal order alone, so one commitment's "Coalition" beside fifty "coalition" was kept, and the
        // README's own example was then refused as spelled otherwise.
        var first = new Dictionary<(string Dimension, string Folded), (string Name, long Uses)>();
        await using (var reader = await read.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token))
            {
                var (dimension, name, uses) = (reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
                var key = (dimension, Folded(name));
                if (!first.TryGetValue(key, out var kept) || uses > kept.Uses || uses == kept.Uses && string.CompareOrdinal(name, kept.Name) < 0)
                    first[key] = (name, uses);
            }
        }
        var sorted = first.OrderBy(n => n.Key.Dimension, StringComparer.Ordinal).ThenBy(n => n.Key.Folded, StringComparer.Ordinal).ToArray();
        await using var record = new NpgsqlCommand($"""
            insert into {TrackerDatabase.Schema}.{Table} (dimension, folded, spelling)
            select * from unnest($1::text[], $2::text[], $3::text[]) on conflict do nothing
            """, connection)
        {
            CommandTimeout = 0,
            Parameters =
            {
                new() { Value = sorted.Select(n => n.Key.Dimension).ToArray() },
                new() { Value = sorted.Select(n => n.Key.Folded).ToArray() },
                new() { Value = sorted.Select(n => n.Value.Name).ToArray() }
            }
        };
        return await record.ExecuteNonQueryAsync(token);
    }
}
