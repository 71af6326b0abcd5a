using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Tracker.Api.Infrastructure;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using Tracker.Api.Commitments.Stating;

namespace Tracker.Api.Security;

public sealed record ApiKeyInfo(string Name, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>API keys for machine clients, stored only as SHA-256 hashes, each with a name and roles.</summary>
public sealed class ApiKeyStore(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>
    /// How long a key found live is believed without asking the database again, when no word of its revocation arrives: a
    /// revocation is announced to every node at once (<see cref="RevokedChannel"/>, <see cref="ApiKeyRevocations"/>), and
    /// this bounds what a node that missed the announcement (its listening connection lost) may still accept.
    /// </summary>
    public static readonly TimeSpan Trusted = TimeSpan.FromSeconds(30);

    /// <summary>The PostgreSQL notification channel a revocation is announced on, with the revoked key's hash.</summary>
    public const string RevokedChannel = TrackerDatabase.Schema + "_api_key_revoked";

    private readonly ConcurrentDictionary<string, (ApiKeyInfo Key, DateTimeOffset Until)> _live = new();

    public const string Table = "api_keys";
    private static string Qualified => $"{TrackerDatabase.Schema}.{Table}";

    public static Table Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Table, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("name").AsPrimaryKey();
        table.AddColumn<string>("key_hash").NotNull();
        table.AddColumn<string>("roles").NotNull();
        table.AddColumn("created_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        table.AddColumn("revoked_at", "timestamptz");
        return table;
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>
    /// Creates a key and returns it: the only time it is ever shown. A name names one key for good (a revoked key keeps
    /// it, so the log's "key:{name}" stays one holder's): <see cref="KeyRefused"/> for a name taken or an unknown role.
    /// </summary>
    public async Task<string> Create(string name, IReadOnlyList<string> roles, CancellationToken token)
    {
        // The name is every write's actor ("key:{name}"), in the history, the feed and the CSVs: it is held to what reads
        // the same everywhere (until 2026-12-06 a tab, a line break or a right-to-left override went into the log with it).
        if (!IsName(name))
        {
            throw new KeyRefused($"A key's name has 1 to {MaxNameLength} letters (of any script, with their marks; a Latin letter's " +
                                 "accent written with it, 'é', not after it), digits and . - _ @, beginning with a letter or a digit " +
                                 "(ingest-bot, monitor.alice): it is recorded as the actor of every write made with the key.");
        }
        roles = [.. roles.Distinct(StringComparer.Ordinal)];
        var unknown = roles.Except(Roles.All).ToList();
        if (unknown.Count > 0) throw new KeyRefused($"Unknown roles: {string.Join(", ", unknown)}; use {string.Join(", ", Roles.All)}.");
        if (roles.Count == 0) throw new KeyRefused($"A key needs at least one role: {string.Join(", ", Roles.All)}.");
        var key = "ct_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        // A name is one whatever its case, as the actors and lines of effort are: "PROBE3" beside "probe3" would be two
        // holders whose writes read alike (until 2026-12-06 both were created). Compared here, folded as the actors are
        // (a database whose character type is C folds only ASCII letters in lower()), with creations taking turns on a
        // lock so that two of one name in two cases cannot both find the other absent.
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await using var transaction = await connection.BeginTransactionAsync(token);
        await using (var turn = new NpgsqlCommand($"select pg_advisory_xact_lock({CreationLockKey})", connection, transaction))
        {
            await turn.ExecuteNonQueryAsync(token);
        }
        if ((await Names(connection, transaction, liveOnly: false, token)).FirstOrDefault(taken => NameSpellings.SameName(taken, name)) is { } same)
        {
            throw new KeyRefused($"A key named '{same}' exists{(same == name ? "" : ", which is this name written otherwise (in another case, or ß for SS)")} " +
                                 "(a revoked key keeps its name, so every write it made stays one holder's): choose another name.");
        }
        await using (var insert = new NpgsqlCommand($"insert into {Qualified} (name, key_hash, roles) values ($1, $2, $3)", connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = name });
            insert.Parameters.Add(new NpgsqlParameter { Value = Hash(key) });
            insert.Parameters.Add(new NpgsqlParameter { Value = string.Join(',', roles) });
            await insert.ExecuteNonQueryAsync(token);
        }
        await transaction.CommitAsync(token);
        return key;
    }

    public const int MaxNameLength = 100;

    // Latin, Greek and Cyrillic, with their extensions: letters written with their accents as one character.
    private static bool Precomposing(int codePoint) => codePoint <= 0x052F || codePoint is >= 0x1E00 and <= 0x1FFF;

    /// <summary>The advisory lock key creations take turns on (as the other locks of the service, a number of its own).</summary>
    internal const long CreationLockKey = 2026120601;

    /// <summary>
    /// Letters of any script with their marks (a Devanagari vowel sign, a virama; letters past the first plane read whole,
    /// not as UTF-16 halves: both were refused until 2026-12-06), digits and . - _ @, beginning with a letter or a digit.
    /// </summary>
    public static bool IsName(string name)
    {
        if (name.Length is 0 or > MaxNameLength) return false;
        var first = true;
        // A mark belongs to a letter of a script whose letters take marks as they are written (Devanagari, Tamil, Thai):
        // after a Latin, Greek or Cyrillic letter, which have theirs precomposed ("é", "ё", "ά"), a mark sent apart would
        // make a name that reads as another's; and at most a few in a row.
        var marksAllowed = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            // Letters drawn as others are (the Kelvin sign K, the Ohm sign Ω, the Angstrom sign Å, roman numerals,
            // full-width and mathematical letters) would make a second holder whose name reads as the first's (until
            // 2026-12-07 "Kelvin1" beside "kelvin1" was one).
            if (rune.Value is >= 0x2100 and <= 0x218F or >= 0xFF00 and <= 0xFFEF or >= 0x1D400 and <= 0x1D7FF) return false;
            var mark = Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.NonSpacingMark
                or System.Globalization.UnicodeCategory.SpacingCombiningMark;
            var allowed = Rune.IsLetterOrDigit(rune) || !first && rune.Value is '.' or '-' or '_' or '@' || mark && marksAllowed > 0;
            if (!allowed) return false;
            first = false;
            marksAllowed = mark ? marksAllowed - 1 : Rune.IsLetter(rune) && !Precomposing(rune.Value) ? 4 : 0;
        }
        return NameSpellings.ComparesAsItReads(name);
    }

    /// <summary>
    /// Revokes the live key of that name, announcing it to every node (each forgets it at once). The name as written
    /// first; else the one live key whose name differs only in case (a database from before names were one whatever their
    /// case may hold two such keys, two holders': then neither is revoked, and the name must be written as it is).
    /// </summary>
    public async Task<bool> Revoke(string name, CancellationToken token) => await RevokeNamed(name, token) is not null;

    /// <summary>As <see cref="Revoke"/>, answering the revoked key's name as stored (null when none was revoked).</summary>
    public async Task<string?> RevokeNamed(string name, CancellationToken token)
    {
        var revokedName = name;
        var hashes = await Revoked(name, token);
        if (hashes.Count == 0)
        {
            await using var connection = await dataSource.OpenConnectionAsync(token);
            var alike = (await Names(connection, null, liveOnly: true, token)).Where(live => NameSpellings.SameName(live, name)).ToList();
            if (alike.Count == 1) (hashes, revokedName) = (await Revoked(alike[0], token), alike[0]);
        }
        // This node forgets them now, whatever their name's case, without waiting for its own announcement.
        foreach (var hash in hashes) Forget(hash);
        return hashes.Count == 1 ? revokedName : null;
    }

    /// <summary>The keys' names (a few, read whole: names are compared as the actors are, which SQL's lower() does not).</summary>
    private static async Task<List<string>> Names(NpgsqlConnection connection, NpgsqlTransaction? transaction, bool liveOnly,
        CancellationToken token)
    {
        await using var command = new NpgsqlCommand(
            $"select name from {Qualified}{(liveOnly ? " where revoked_at is null" : "")}", connection, transaction);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token)) names.Add(reader.GetString(0));
        return names;
    }

    private async Task<List<string>> Revoked(string name, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand($"""
            with revoked as (update {Qualified} set revoked_at = now() where name = $1 and revoked_at is null returning key_hash)
            select key_hash, pg_notify('{RevokedChannel}', key_hash)::text from revoked
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        var hashes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token)) hashes.Add(reader.GetString(0));
        return hashes;
    }

    /// <summary>A revocation announced by another process: the key is looked up again on its next use.</summary>
    public void Forget(string keyHash)
    {
        Interlocked.Increment(ref _forgotten);
        _live.TryRemove(keyHash, out _);
    }

    /// <summary>Every key looked up again on its next use: revocations may have been announced unheard.</summary>
    public void ForgetAll()
    {
        Interlocked.Increment(ref _forgotten);
        _live.Clear();
    }

    // Counts what was forgotten: a lookup that began before a revocation was heard does not cache what it found.
    private long _forgotten;

    /// <summary>
    /// The key with this value, if any: a live one (cached for <see cref="Trusted"/>), or a revoked one, with its
    /// <see cref="ApiKeyInfo.RevokedAt"/>, which signs nobody in but tells the operator a revoked key is still in use.
    /// </summary>
    public async Task<ApiKeyInfo?> Find(string key, CancellationToken token)
    {
        var hash = Hash(key);
        var now = clock.GetUtcNow();
        if (_live.TryGetValue(hash, out var cached) && cached.Until > now) return cached.Key;

        var forgotten = Interlocked.Read(ref _forgotten);
        var found = await Load(hash, token);
        if (found is not { RevokedAt: null }) _live.TryRemove(hash, out _);
        else if (Interlocked.Read(ref _forgotten) == forgotten) _live[hash] = (found, now + Trusted);
        return found;
    }

    private async Task<ApiKeyInfo?> Load(string hash, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand(
            $"select name, roles, created_at, revoked_at from {Qualified} where key_hash = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = hash });
        await using var reader = await command.ExecuteReaderAsync(token);
        return await reader.ReadAsync(token) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> List(CancellationToken token)
    {
        await using var command = dataSource.CreateCommand($"select name, roles, created_at, revoked_at from {Qualified} order by name");
        await using var reader = await command.ExecuteReaderAsync(token);
        var keys = new List<ApiKeyInfo>();
        while (await reader.ReadAsync(token)) keys.Add(Read(reader));
        return keys;
    }

    private static ApiKeyInfo Read(NpgsqlDataReader reader) => new(reader.GetString(0),
        reader.GetString(1).Split(',', StringSplitOptions.RemoveEmptyEntries), reader.GetFieldValue<DateTimeOffset>(2),
        reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
}

/// <summary>A key the store will not create, and why (said to the operator in one line).</summary>
public sealed class KeyRefused(string message) : Exception(message);
