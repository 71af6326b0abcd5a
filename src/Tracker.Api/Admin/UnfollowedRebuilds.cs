using Tracker.Api.Infrastructure;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Tracker.Api.Admin;

/// <summary>
/// The rebuilds whose writes the list rows and the pledgers' totals have not followed yet. A rebuild's writes go past
/// their triggers (RebuildWrites) and its end, or its failure path, follows them (the rows repaired, the pledgers counted
/// again); a rebuild names itself here before it writes, and the follow-up takes every name away once done. A name left
/// behind is a rebuild that never got to its end (its node stopped, or lost the database even for its repair): the next
/// start follows it up (<see cref="InterruptedRebuilds"/>), unless a rebuild runs, whose end will.
/// </summary>
public static class UnfollowedRebuilds
{
    public const string Table = "rebuilds_unfollowed";
    private static string Qualified => $"{TrackerDatabase.Schema}.{Table}";

    public static Table Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Table, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("rebuild_id").AsPrimaryKey();
        table.AddColumn("started_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        return table;
    }

    /// <summary>
    /// A rebuild ($1) names itself before it writes; the statement answers whether another's name was there already (the
    /// statement's snapshot precedes its own insert), that is, a rebuild before it that was never followed up.
    /// </summary>
    public static string BeganSql => $"insert into {Qualified} (rebuild_id) values ($1) returning exists (select 1 from {Qualified} where rebuild_id <> $1)";

    /// <summary>Every name taken away: called under the rebuilds' lock, after a follow-up of every model there is.</summary>
    public static string FollowedSql => $"delete from {Qualified}";

    /// <summary>When the rebuilds not followed up began, oldest first.</summary>
    public static string LeftSql => $"select started_at from {Qualified} order by started_at";
}
