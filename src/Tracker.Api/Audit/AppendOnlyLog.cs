using Tracker.Api.Audit.Checkpoints;
using Tracker.Projections;
using Weasel.Core;
using Weasel.Postgresql;

namespace Tracker.Api.Audit;

/// <summary>A trigger that must sit on a table (created once both exist), by name, so its presence can be checked.</summary>
public sealed record RequiredTrigger(string Table, string Name, string Definition)
{
    public string EnsureSql(string schema) => $"""
        IF to_regclass('{schema}.{Table}') IS NOT NULL THEN
          CREATE OR REPLACE TRIGGER {Name} {Definition};
        END IF;
        """;
}

/// <summary>
/// The database guards the log: triggers refuse any UPDATE, DELETE or TRUNCATE of an event row, of its hash or of a
/// signed checkpoint, and any DELETE or TRUNCATE of a stream or change that winds its version back or hides it, whatever
/// role runs it (corrections are new events). The service's own role has no privilege to do those things either
/// (<see cref="Infrastructure.DatabaseGuards"/>). Only the tables' owner or a superuser can get past the triggers (by
/// disabling them, or with session_replication_role = replica), and the hash chain and the signed checkpoints then show
/// what they changed.
/// </summary>
public static class AppendOnlyLog
{
    public const string Function = "mt_refuse_event_change";
    public const string StreamFunction = "mt_refuse_stream_rewind";

    /// <summary>The tables whose rows are never changed or removed once written.</summary>
    public static readonly string[] LogTables = ["mt_events", HashChain.Table, LogCheckpoints.Table];

    public static IEnumerable<RequiredTrigger> Triggers(string schema) =>
        LogTables.SelectMany(table => new[]
            {
                new RequiredTrigger(table, $"trg_{table}_append_only",
                    $"BEFORE UPDATE OR DELETE ON {schema}.{table} FOR EACH ROW EXECUTE FUNCTION {schema}.{Function}()"),
                new RequiredTrigger(table, $"trg_{table}_no_truncate",
                    $"BEFORE TRUNCATE ON {schema}.{table} FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{Function}()")
            })
            .Concat([
                new RequiredTrigger("mt_streams", "trg_mt_streams_no_rewind",
                    $"BEFORE UPDATE OR DELETE ON {schema}.mt_streams FOR EACH ROW EXECUTE FUNCTION {schema}.{StreamFunction}()"),
                new RequiredTrigger("mt_streams", "trg_mt_streams_no_truncate",
                    $"BEFORE TRUNCATE ON {schema}.mt_streams FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{Function}()")
            ]);

    /// <summary>
    /// Creates the triggers that call one function, on the tables that exist. Written with the function's DDL: a schema
    /// migration re-creates a function whenever its stored text differs from ours (and drops its triggers with it, in
    /// cascade), so the triggers must come back in the same statement. <see cref="Infrastructure.DatabaseGuards"/>
    /// writes all of them again whenever one is missing.
    /// </summary>
    public static string EnsureSql(string schema, string function) =>
        "DO $guard$ BEGIN\n" +
        string.Join("\n", Triggers(schema).Where(t => t.Definition.Contains($".{function}()", StringComparison.Ordinal))
            .Select(t => t.EnsureSql(schema))) +
        "\nEND $guard$;";

    public static IEnumerable<ISchemaObject> SchemaObjects(string schema)
    {
        var refuse = new PostgresqlObjectName(schema, Function, SchemaUtils.IdentifierUsage.General);
        yield return StoredFunction.Of(refuse, "", "trigger", ["LANGUAGE plpgsql"], $"""
            BEGIN
              RAISE EXCEPTION 'The event log is append-only: % on %.% is refused; record a correction instead',
                TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END;
            """, EnsureSql(schema, Function));

        // Marten moves a stream's version forward on every append (and never back); nothing of ours deletes, archives or
        // renumbers a stream.
        var rewind = new PostgresqlObjectName(schema, StreamFunction, SchemaUtils.IdentifierUsage.General);
        yield return StoredFunction.Of(rewind, "", "trigger", ["LANGUAGE plpgsql"], $"""
            BEGIN
              IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.version >= OLD.version
                 AND NEW.is_archived IS NOT DISTINCT FROM OLD.is_archived THEN
                RETURN NEW;
              END IF;
              RAISE EXCEPTION 'The event log is append-only: % of stream % that removes, hides or winds it back is refused',
                TG_OP, OLD.id USING ERRCODE = 'insufficient_privilege';
            END;
            """, EnsureSql(schema, StreamFunction));
    }
}
