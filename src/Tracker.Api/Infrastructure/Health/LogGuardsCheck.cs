using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Tracker.Api.Audit;
using Tracker.Api.Audit.Checkpoints;

namespace Tracker.Api.Infrastructure.Health;

/// <summary>
/// Whether the log's guards are in place for the role the service runs as (the triggers on, and a role that is neither a
/// superuser nor the log's owner and holds no privilege to change it), and whether the log still ends where the latest
/// signed checkpoint says it did: that event, with the hash it signed (a truncated or cut-back log, or a hash row removed or
/// rewritten, does not). Missing guards fail readiness outside
/// Development (Development reports them as Degraded); a log that lost what a checkpoint signed fails it everywhere.
/// </summary>
public sealed class LogGuardsCheck(NpgsqlDataSource dataSource, IHostEnvironment environment, CheckpointSigner signer, TimeProvider clock,
    CheckpointMemory memory) : IHealthCheck
{
    private static readonly string Sql = DatabaseGuards.MissingSql(TrackerDatabase.Schema, null, checkCurrentUser: true) + $"""
        ;
        select c.number, c.after_sequence, c.through_sequence, c.event_count, c.root, c.taken_at, c.key_id, c.signature,
               exists (select 1 from {TrackerDatabase.Schema}.mt_events e where e.seq_id = c.through_sequence),
               (select h.hash = encode(substring(c.entries from length(c.entries) - 31), 'hex')
                  from {TrackerDatabase.Schema}.{HashChain.Table} h where h.seq_id = c.through_sequence)
          from {TrackerDatabase.Schema}.{LogCheckpoints.Table} c order by c.number desc limit 1;
        select concat_ws('; ',
          case when to_regclass('{TrackerDatabase.Schema}.mt_events') is not null
                and not has_table_privilege(current_user, '{TrackerDatabase.Schema}.mt_events', 'INSERT') then 'INSERT on mt_events' end,
          case when to_regclass('{TrackerDatabase.Schema}.mt_streams') is not null
                and not (has_table_privilege(current_user, '{TrackerDatabase.Schema}.mt_streams', 'INSERT')
                         and has_table_privilege(current_user, '{TrackerDatabase.Schema}.mt_streams', 'UPDATE')) then 'INSERT and UPDATE on mt_streams' end,
          case when exists (select 1 from pg_tables t, unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p(privilege)
                             where t.schemaname = '{TrackerDatabase.Schema}'
                               and not (t.tablename = any (array['{string.Join("','", AppendOnlyLog.LogTables)}', 'mt_streams']))
                               and not has_table_privilege(current_user, format('%I.%I', t.schemaname, t.tablename), p.privilege))
               then 'SELECT, INSERT, UPDATE and DELETE on every table of the read models' end)
        """;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken token = default)
    {
        try
        {
            // One connection for the clock and the guards: a probe that held one while waiting for another could find the
            // pool empty just when readiness matters.
            await using var connection = await dataSource.OpenConnectionAsync(token);
            var offset = await ClockAgreement.Offset(connection, clock, token);
            var forgotten = await memory.Problem(token, connection);
            await using var command = new NpgsqlCommand(Sql, connection);
            await using var reader = await command.ExecuteReaderAsync(token);
            await reader.ReadAsync(token);
            var missing = reader.GetString(0);
            await reader.NextResultAsync(token);
            var data = new Dictionary<string, object> { ["guardsInPlace"] = missing.Length == 0 };
            if (missing.Length > 0) data["missingGuards"] = missing.Split("; ");
            var tailHeld = true;
            string? tailLost = null;
            string? untrusted = null;
            if (await reader.ReadAsync(token))
            {
                var latest = new Checkpoint(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6), reader.GetString(7));
                data["latestCheckpoint"] = new Dictionary<string, object>
                {
                    ["number"] = latest.Number,
                    ["throughSequence"] = latest.ThroughSequence,
                    ["takenAt"] = latest.TakenAt
                };
                // What became of the last event it signed: gone (the log cut back or emptied), or there without the hash it
                // signed (until 2026-12-06 also called cut back, which sent an operator looking for missing events).
                tailLost = !reader.GetBoolean(8) ? "the event is gone (the log was cut back or emptied)"
                    : reader.IsDBNull(9) ? "the event is there without its hash row (removed, or never written)"
                    : !reader.GetBoolean(9) ? "the event is there, and its hash row holds another hash than the one signed"
                    : null;
                tailHeld = tailLost is null;
                untrusted = signer.Check(latest.KeyId, latest.Payload(), latest.Signature);
            }
            // What every write needs of the role (until 2026-12-07 a role that could no longer append answered every write
            // with a 500 while readiness said all was well).
            while (await reader.ReadAsync(token)) { }
            await reader.NextResultAsync(token);
            await reader.ReadAsync(token);
            var lacks = reader.GetString(0);
            data["logHoldsLatestCheckpoint"] = tailHeld;
            data["latestCheckpointVerifies"] = untrusted is null;

            if (lacks.Length > 0)
            {
                data["missingPrivileges"] = lacks.Split("; ");
                return HealthCheckResult.Unhealthy(
                    $"The service's role may not do what writes need: it lacks {lacks}. Apply the schema with `db-apply` as its owner, " +
                    "which grants them (Database:ServiceRole)", data: data);
            }
            if (untrusted is not null)
            {
                return HealthCheckResult.Unhealthy(
                    $"The latest checkpoint cannot be trusted: {untrusted} (run /api/audit/verify); no checkpoint is taken on top of it", data: data);
            }
            // The checkpoint this node remembers signing, gone from the database or replaced there (CheckpointMemory).
            data["latestCheckpointRemembered"] = forgotten is null;
            if (forgotten is not null)
            {
                return HealthCheckResult.Unhealthy($"{forgotten} (run /api/audit/verify against a checkpoint kept outside; to go on from " +
                                                   $"the database as it is, delete {memory.File})", data: data);
            }
            if (!tailHeld)
            {
                return HealthCheckResult.Unhealthy(
                    $"The log no longer holds the last event the latest signed checkpoint covers as signed: {tailLost} (run /api/audit/verify)", data: data);
            }
            // A node whose clock is off would append events verification names for good (ClockAgreement): not ready, everywhere.
            // (+ 0.0: a clock a fraction of a millisecond behind rounds to -0, which the JSON wrote as "-0".)
            data["clockOffsetSeconds"] = Math.Round(offset.TotalSeconds, 3) + 0.0;
            if (ClockAgreement.Problem(offset) is { } offClock) return HealthCheckResult.Unhealthy(offClock, data: data);
            if (missing.Length == 0) return HealthCheckResult.Healthy("The log's guards are in place", data);
            var description = $"The log's guards are not all in place: {missing}";
            return environment.IsDevelopment()
                ? HealthCheckResult.Degraded(description, data: data)
                : HealthCheckResult.Unhealthy(description, data: data);
        }
        catch (Exception e) when (e is NpgsqlException or ConfigurationProblem)
        {
            // The reason, not the exception (whose stack trace the health service would log on every probe).
            // An outage in the words the database check uses (until 2026-12-06 the driver's, "Exception while writing to
            // stream"): a driver failure that is no PostgreSQL error is the connection's.
            return HealthCheckResult.Unhealthy(e is NpgsqlException and not PostgresException
                ? $"Could not check the log's guards: the database does not answer ({DatabaseOutage.Reason(e)})"
                : $"Could not check the log's guards ({e.Message})");
        }
    }
}
