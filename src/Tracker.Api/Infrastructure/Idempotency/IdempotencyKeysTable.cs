using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Tracker.Api.Infrastructure.Idempotency;

/// <summary>
/// Where idempotency keys live: in PostgreSQL beside the events, so a retry after a restart is still recognised.
/// Part of Marten's schema, so it is created in Development and by `db-apply` elsewhere.
/// </summary>
public static class IdempotencyKeysTable
{
    public const string Name = "idempotency_keys";

    public static Table Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("scope").AsPrimaryKey();
        table.AddColumn<string>("key").AsPrimaryKey();
        table.AddColumn<string>("request_hash").NotNull();
        table.AddColumn<string>("state").NotNull();
        table.AddColumn<int>("status");
        table.AddColumn("headers", "jsonb");
        table.AddColumn("body", "bytea");
        table.AddColumn("created_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        table.AddColumn("updated_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        // The sweep finds expired keys by age.
        table.Indexes.Add(new IndexDefinition($"idx_{Name}_created_at") { Columns = ["created_at"] });
        return table;
    }
}
