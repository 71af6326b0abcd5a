using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;

using Weasel.Postgresql.Tables;

namespace Tracker.Api.Audit;

/// <summary>
/// Tamper evidence. The database itself, in the transaction that appends an event, hashes it and chains it to the previous
/// event of its stream: hash = SHA-256 over its type, version, data (jsonb's canonical text) and the previous event's
/// hash, one per line. Marten's tombstones (rows that fill the sequence numbers of a failed append) are hashed like any
/// event; LogVerifier checks their hashes but not their links, so a failed write leaves nothing it reports as a break. The hashes live in event_hashes beside Marten's mt_events; LogVerifier recomputes them.
/// The trigger is created in the same DDL as its function: the schema migration re-creates the function (dropping the
/// trigger with it) whenever it applies, so the two must always be written together.
/// </summary>
public static class HashChain
{
    public const string Table = "event_hashes";

    public static IEnumerable<ISchemaObject> SchemaObjects(string schema)
    {
        var table = new Table(Name(schema, Table));
        table.AddColumn<long>("seq_id").AsPrimaryKey();
        table.AddColumn<Guid>("stream_id").NotNull();
        table.AddColumn<long>("version").NotNull();
        table.AddColumn<string>("hash").NotNull();
        table.AddColumn<string>("previous_hash");
        // The trigger looks up the previous event's hash by stream and version on every append: without this index
        // each append scanned the whole table.
        table.Indexes.Add(new IndexDefinition("idx_event_hashes_stream_version") { Columns = ["stream_id", "version"] });
        yield return table;

        var function = Name(schema, "mt_chain_event_hash");
        yield return new Function(function, $"""
            CREATE OR REPLACE FUNCTION {function.QualifiedName}() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
              previous text;
            BEGIN
              SELECT h.hash INTO previous FROM {schema}.{Table} h
               WHERE h.stream_id = NEW.stream_id AND h.version = NEW.version - 1;
              INSERT INTO {schema}.{Table} (seq_id, stream_id, version, hash, previous_hash)
              VALUES (NEW.seq_id, NEW.stream_id, NEW.version,
                      encode(sha256(convert_to(NEW.type || E'\n' || NEW.version::text || E'\n' || NEW.data::text || E'\n' ||
                                               coalesce(previous, ''), 'UTF8')), 'hex'),
                      previous)
              ON CONFLICT (seq_id) DO UPDATE SET stream_id = excluded.stream_id, version = excluded.version,
                                                 hash = excluded.hash, previous_hash = excluded.previous_hash;
              RETURN NEW;
            END;
            $$;

            {EnsureTriggerSql(schema)}
            """);
    }

    /// <summary>
    /// Creates (or re-creates) the trigger when the events table exists. Run with the function's DDL (re-creating the
    /// function drops the trigger with it) and by <see cref="HashChainTrigger"/> once the schema is in place at start:
    /// on a new database the function is created before Marten's events table.
    /// </summary>
    public static string EnsureTriggerSql(string schema) => $"""
        DO $ensure$ BEGIN
          IF to_regclass('{schema}.mt_events') IS NOT NULL THEN
            CREATE OR REPLACE TRIGGER trg_chain_event_hash AFTER INSERT ON {schema}.mt_events
              FOR EACH ROW EXECUTE FUNCTION {schema}.mt_chain_event_hash();
          END IF;
        END $ensure$;
        """;

    /// <summary>The same hash, computed here from what the database stores, to check it.</summary>
    public static string Compute(string type, long version, string data, string? previous) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"{type}\n{version}\n{data}\n{previous ?? ""}")));

    private static PostgresqlObjectName Name(string schema, string name) => new(schema, name, SchemaUtils.IdentifierUsage.General);
}
