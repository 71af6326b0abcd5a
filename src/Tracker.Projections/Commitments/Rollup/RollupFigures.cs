using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Tracker.Projections.Commitments.Rollup;

/// <summary>
/// What every rollup keeps per group (the dashboard's, the scoped and the daily one): how many commitments, the money
/// targets and money by stage, how many are overdue; and the SQL that adds changes into them.
/// </summary>
public static class RollupFigures
{
    private static readonly string[] Columns = ["n", "target", "pledged", "committed", "disbursed", "overdue"];

    public static void AddTo(Table table)
    {
        table.AddColumn<long>("n").NotNull();
        table.AddColumn("target", "numeric").NotNull();
        table.AddColumn("pledged", "numeric").NotNull();
        table.AddColumn("committed", "numeric").NotNull();
        table.AddColumn("disbursed", "numeric").NotNull();
        table.AddColumn<long>("overdue").NotNull();
    }

    /// <summary>"sum(c.n), sum(c.target), ..." for rows aliased <paramref name="alias"/> (none: unqualified).</summary>
    public static string Sums(string? alias = null) =>
        string.Join(", ", Columns.Select(c => $"sum({(alias is null ? "" : alias + ".")}{c})"));

    /// <summary>A HAVING that leaves out groups whose changes cancel out.</summary>
    public static string AnyChange(string? alias = null) =>
        string.Join(" or ", Columns.Select(c => $"sum({(alias is null ? "" : alias + ".")}{c}) <> 0"));

    /// <summary>The ON CONFLICT update that adds the new changes to the row (aliased <paramref name="table"/>) already there.</summary>
    public static string Added(string table) => string.Join(", ", Columns.Select(c => $"{c} = {table}.{c} + excluded.{c}"));

    public static PostgresqlObjectName Name(string schema, string name) => new(schema, name, SchemaUtils.IdentifierUsage.General);
}
