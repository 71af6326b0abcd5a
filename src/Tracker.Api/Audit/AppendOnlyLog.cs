using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;

namespace Tracker.Api.Audit;

/// <summary>
/// The database guards the log: a trigger refuses any UPDATE or DELETE of an event row or of its hash, whatever role
/// runs it (corrections are new events). Only an operator who disables triggers (a superuser) can get past it, and the
/// hash chain then shows what they changed. TRUNCATE, used to empty a test or development database, is not a row change.
/// </summary>
public static class AppendOnlyLog
{
    public const string Function = "mt_refuse_event_change";

    public static ISchemaObject SchemaObject(string schema)
    {
        var name = new PostgresqlObjectName(schema, Function, SchemaUtils.IdentifierUsage.General);
        return new Weasel.Postgresql.Functions.Function(name, $"""
            CREATE OR REPLACE FUNCTION {name.QualifiedName}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'The event log is append-only: % on %.% is refused; record a correction instead',
                TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END;
            $$;

            {EnsureTriggersSql(schema)}
            """);
    }

    /// <summary>Creates the guards on both tables once they exist (see HashChain.EnsureTriggerSql for why "once").</summary>
    public static string EnsureTriggersSql(string schema) => $"""
        DO $guard$ BEGIN
          IF to_regclass('{schema}.mt_events') IS NOT NULL THEN
            CREATE OR REPLACE TRIGGER trg_events_append_only BEFORE UPDATE OR DELETE ON {schema}.mt_events
              FOR EACH ROW EXECUTE FUNCTION {schema}.{Function}();
          END IF;
          IF to_regclass('{schema}.{HashChain.Table}') IS NOT NULL THEN
            CREATE OR REPLACE TRIGGER trg_event_hashes_append_only BEFORE UPDATE OR DELETE ON {schema}.{HashChain.Table}
              FOR EACH ROW EXECUTE FUNCTION {schema}.{Function}();
          END IF;
        END $guard$;
        """;
}
