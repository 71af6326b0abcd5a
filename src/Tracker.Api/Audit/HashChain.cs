using System.Security.Cryptography;
using System.Text;
using Tracker.Projections;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Tracker.Api.Audit;

/// <summary>
/// What an event row holds, as the hash chain covers it: every column Marten records about the event.
/// </summary>
public sealed record RecordedEvent(long Sequence, Guid Id, Guid StreamId, long Version, string Type, string Data,
    string RecordedAtUtc, string? TenantId, string? DotnetType, string? UserName, string? CorrelationId,
    string? CausationId, string? Headers, byte[]? BinaryData, bool IsArchived);

/// <summary>
/// Tamper evidence. The database itself, in the transaction that appends an event, hashes it and chains it to the previous
/// event of its stream; the hashes live in event_hashes beside Marten's mt_events, and LogVerifier recomputes them here,
/// never with the database's own functions (whoever can change the rows can change those).
/// Two schemes, told apart by event_hashes.scheme:
/// - 1 (events recorded before the sixth session; scheme is null): SHA-256 over the type, version, data and the previous
///   hash, one per line. Who and when were not covered.
/// - 2 (every event since): SHA-256 over everything the row records: stream, version, global sequence, event id, type,
///   data, timestamp (UTC, microseconds), tenant, .NET type, acting user, correlation and causation ids, headers, binary
///   data, the archived flag, and the previous hash. Each text is written with its length in UTF-8 bytes (or "-" for
///   null), so no value can borrow from its neighbour.
/// The trigger function runs as the schema's owner (SECURITY DEFINER): the service's role appends events but cannot write
/// a hash row of its own.
/// A scheme-1 hash after the first scheme-2 one is a break: nothing writes them any more.
/// Marten's tombstones (rows that fill the sequence numbers of a failed append) are hashed like any event; LogVerifier
/// checks their hashes but not their links, so a failed write leaves nothing it reports as a break.
/// The trigger is created in the same DDL as its function: the schema migration re-creates the function (dropping the
/// trigger with it) whenever it applies, so the two must always be written together.
/// </summary>
public static class HashChain
{
    public const string Table = "event_hashes";
    public const short CurrentScheme = 2;

    public static IEnumerable<ISchemaObject> SchemaObjects(string schema)
    {
        var table = new Table(Name(schema, Table));
        table.AddColumn<long>("seq_id").AsPrimaryKey();
        table.AddColumn<Guid>("stream_id").NotNull();
        table.AddColumn<long>("version").NotNull();
        table.AddColumn<string>("hash").NotNull();
        table.AddColumn<string>("previous_hash");
        // Null for the events hashed before schemes were numbered (scheme 1).
        table.AddColumn<short>("scheme");
        // When the database hashed the event, by its own clock: the time an event records comes from whoever appends it
        // (the service's node, or the service's role writing by hand), so verification compares the two. Null for events
        // hashed before 2026-12-06.
        table.AddColumn<DateTimeOffset>("hashed_at");
        // The trigger looks up the previous event's hash by stream and version on every append: without this index
        // each append scanned the whole table.
        // Unique, as Marten's (stream, version) is: one hash per event, so a row written beside it cannot double a link.
        table.Indexes.Add(new IndexDefinition("idx_event_hashes_stream_version") { Columns = ["stream_id", "version"], IsUnique = true });
        yield return table;

        var function = Name(schema, "mt_chain_event_hash");
        // One statement, with the previous hash looked up inside it, and each jsonb's text made once. Written as a SELECT
        // of the previous hash and then the INSERT, which made the data's and the headers' text twice each, an append
        // took 0.44 ms of PostgreSQL time, against 0.38-0.40 ms this way (pg_stat_statements, 1,000 writes from one
        // client, the two in turns; docs/benchmarks-profile.md, twenty-second session).
        yield return StoredFunction.Of(function, "", "trigger",
            ["LANGUAGE plpgsql", "SECURITY DEFINER", "SET search_path TO 'pg_catalog'"], $"""
            DECLARE
              data_text text := NEW.data::text;
              headers_text text := NEW.headers::text;
            BEGIN
              INSERT INTO {schema}.{Table} (seq_id, stream_id, version, hash, previous_hash, scheme, hashed_at)
              SELECT NEW.seq_id, NEW.stream_id, NEW.version, encode(sha256(convert_to(
                        'tracker-event v2' || E'\n' || NEW.stream_id::text || E'\n' || NEW.version::text || E'\n' ||
                        NEW.seq_id::text || E'\n' || NEW.id::text || E'\n' ||
                        {SqlField("NEW.type")} || E'\n' || {SqlField("data_text")} || E'\n' ||
                        {RecordedAtSql("NEW.timestamp")} || E'\n' ||
                        {SqlField("NEW.tenant_id")} || E'\n' || {SqlField("NEW.mt_dotnet_type")} || E'\n' ||
                        {SqlField("NEW.user_name")} || E'\n' || {SqlField("NEW.correlation_id")} || E'\n' ||
                        {SqlField("NEW.causation_id")} || E'\n' || {SqlField("headers_text")} || E'\n' ||
                        {SqlField("encode(NEW.bdata, 'hex')")} || E'\n' || coalesce(NEW.is_archived, false)::text || E'\n' ||
                        {SqlField("chained.previous")}, 'UTF8')), 'hex'),
                     chained.previous, {CurrentScheme}, clock_timestamp()
                -- OFFSET 0 keeps the look-up one subquery, run once, rather than copied into each place it is used.
                FROM (SELECT (SELECT h.hash FROM {schema}.{Table} h
                               WHERE h.stream_id = NEW.stream_id AND h.version = NEW.version - 1) AS previous OFFSET 0) chained;
              RETURN NEW;
            END;
            """, EnsureTriggerSql(schema));
    }

    /// <summary>
    /// An event's timestamp as the hash covers it: UTC to the microsecond, or "infinity" / "-infinity" (Marten writes its
    /// tombstones, which fill the sequence numbers of a failed append, at DateTimeOffset.MinValue, which Npgsql stores as
    /// -infinity; to_char gives null for it, which made the whole hash null and the tombstone's insert fail).
    /// </summary>
    public static string RecordedAtSql(string column) =>
        $"case when isfinite({column}) then to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') else {column}::text end";

    // A text as its length in bytes and itself, or "-" for null.
    private static string SqlField(string expression) =>
        $"coalesce(octet_length(convert_to({expression}, 'UTF8'))::text || ':' || {expression}, '-')";

    /// <summary>
    /// Creates (or re-creates) the trigger when the events table exists. Run with the function's DDL (re-creating the
    /// function drops the trigger with it) and by <see cref="LogGuards"/> once the schema is in place: on a new database
    /// the function is created before Marten's events table.
    /// </summary>
    public static string EnsureTriggerSql(string schema) => $"""
        DO $ensure$ BEGIN
          IF to_regclass('{schema}.mt_events') IS NOT NULL THEN
            CREATE OR REPLACE TRIGGER trg_chain_event_hash AFTER INSERT ON {schema}.mt_events
              FOR EACH ROW EXECUTE FUNCTION {schema}.mt_chain_event_hash();
          END IF;
        END $ensure$;
        """;

    /// <summary>The hash of an event as scheme 1 computed it (type, version, data, previous hash).</summary>
    public static string ComputeScheme1(string type, long version, string data, string? previous) =>
        Hex($"{type}\n{version}\n{data}\n{previous ?? ""}");

    /// <summary>The hash of an event under the scheme it was recorded with.</summary>
    public static string Compute(short? scheme, RecordedEvent e, string? previous) => scheme switch
    {
        null or 1 => ComputeScheme1(e.Type, e.Version, e.Data, previous),
        _ => Hex(string.Join('\n',
            "tracker-event v2", e.StreamId.ToString(), e.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Id.ToString(),
            Field(e.Type), Field(e.Data), e.RecordedAtUtc,
            Field(e.TenantId), Field(e.DotnetType), Field(e.UserName), Field(e.CorrelationId), Field(e.CausationId),
            Field(e.Headers), Field(e.BinaryData is null ? null : Convert.ToHexStringLower(e.BinaryData)),
            e.IsArchived ? "true" : "false", Field(previous)))
    };

    private static string Field(string? text) => text is null ? "-" : $"{Encoding.UTF8.GetByteCount(text)}:{text}";

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static PostgresqlObjectName Name(string schema, string name) => new(schema, name, SchemaUtils.IdentifierUsage.General);
}
