using Npgsql;
using Weasel.Core;
using Weasel.Postgresql;

namespace Tracker.Projections.Commitments;

/// <summary>
/// How a title search compares: a title and the text searched for are both folded by one PostgreSQL function, and the
/// folded text searched for is looked for anywhere in the folded title. Folding puts letters in lower case, drops accents
/// and the other marks written over or under a letter (é, ö, ç, ą; Greek tonos; Hebrew points; Arabic harakat, hamza
/// over or under alef, tatweel), spells out the letters without such a decomposition (ß as ss, æ as ae, œ as oe, ø as o,
/// ł as l, đ and ð as d, þ as th, the Turkish dotless ı as i, a final ς as σ; their capitals too, which a database of
/// character type C does not lower) and writes compatibility forms as their plain
/// letters (ﬁ, full-width Ｌ); Japanese voicing marks and Korean syllables are kept as written. One definition, in the
/// database, so the list's and the dashboard's present, both pasts, and every node compare alike; the folded titles are
/// kept in the flat rows (<see cref="CommitmentRows"/>), since folding every title for each search costs about 9 µs a
/// row (0.9 s over 100,000 commitments against 84 ms for ILIKE).
/// </summary>
public static class TitleSearch
{
    /// <summary>The flat rows' column that holds each title folded.</summary>
    public const string Column = "title_search";

    public const string FunctionName = "search_folded";

    /// <summary>
    /// Marks written with a letter, once decomposed (NFKD): combining diacritics (Latin, Greek, Cyrillic and their
    /// supplements, over symbols, half marks), Hebrew points and cantillation, Arabic harakat, Quranic marks and tatweel.
    /// </summary>
    private const string Marks =
        @"[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u0640\u064b-\u065f\u0670" +
        @"\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]";

    public static string Function(string schema) => $"{schema}.{FunctionName}";

    public static ISchemaObject Define(string schema) => StoredFunction.Of(
        new PostgresqlObjectName(schema, FunctionName, SchemaUtils.IdentifierUsage.General), "p_text text", "text",
        ["LANGUAGE sql", "IMMUTABLE PARALLEL SAFE STRICT"], $"""
          -- Lower case before the marks are dropped (a capital with its accent, where the database's character type is C,
          -- is lowered only once it is a plain letter) and after (İ lowers to i with a dot above); composed again at the end.
          -- normalize() needs a UTF-8 database: any other is searched in lower case alone.
          select case when current_setting('server_encoding') = 'UTF8' then
                   normalize(translate(replace(replace(replace(replace(replace(replace(replace(replace(
                     lower(regexp_replace(normalize(lower(p_text), NFKD), '{Marks}', '', 'g')),
                     'ß', 'ss'), 'ẞ', 'ss'), 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), 'þ', 'th'), 'Þ', 'th'),
                     'ςøłđðıØŁĐÐ', 'σolddioldd'), NFKC)
                 else lower(p_text) end
          """);

    /// <summary>The folded titles of commitments, by id, as their list rows keep them.</summary>
    public static async Task<IReadOnlyDictionary<Guid, string>> FoldedTitles(NpgsqlDataSource database, string schema,
        IEnumerable<Guid> ids, CancellationToken token)
    {
        await using var command = database.CreateCommand(
            $"select id, {Column} from {schema}.{CommitmentRows.Table} where id = any($1) and {Column} is not null");
        command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        var folded = new Dictionary<Guid, string>();
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token)) folded[reader.GetGuid(0)] = reader.GetString(1);
        return folded;
    }

    /// <summary>
    /// The condition that a row's folded title holds the folded <paramref name="search"/> (a parameter of the command), with
    /// the search's own % and _ taken as themselves.
    /// </summary>
    public static string Condition(string schema, string alias, string search, NpgsqlCommand command)
    {
        command.Parameters.AddWithValue("titleSearch", search);
        // Trimmed once folded: a form that folds to a space and a mark (U+FE70, an Arabic mark written alone) is no
        // search for a space.
        return $"{alias}.{Column} like '%' || replace(replace(replace(btrim({Function(schema)}(@titleSearch)), '\\', '\\\\'), " +
               "'%', '\\%'), '_', '\\_') || '%'";
    }
}
