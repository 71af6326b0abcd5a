using Npgsql;
using Tracker.Api.Infrastructure;

namespace Tracker.Api.Admin;

/// <summary>Whether a node of the service is serving against the database.</summary>
public static class ServingNodes
{
    /// <summary>The environment variable with which a command-line rebuild runs though a node serves.</summary>
    public const string RebuildWhileServing = "TRACKER_REBUILD_WHILE_SERVING";

    /// <summary>
    /// How recently a node must have said it is alive to count: Wolverine's nodes say so every 10 seconds. A node killed
    /// outright counts for this long after its last word.
    /// </summary>
    public static readonly TimeSpan AliveWithin = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether a node has said it is alive lately, as every serving node does in Wolverine's node table (the async
    /// daemon's leader among them). A command's own host starts no node.
    /// </summary>
    public static async Task<bool> AnyServing(IServiceProvider services)
    {
        await using var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var ask = new NpgsqlCommand(
            $"select exists (select 1 from {TrackerDatabase.Schema}.wolverine_nodes where health_check > now() - $1)", connection)
        {
            Parameters = { new() { Value = AliveWithin } }
        };
        try
        {
            return await ask.ExecuteScalarAsync() is true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // A database whose schema Wolverine has not made yet: nothing has served against it.
            return false;
        }
    }
}
