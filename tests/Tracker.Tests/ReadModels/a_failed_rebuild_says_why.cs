using Npgsql;
using Shouldly;
using Tracker.Api.Admin;

namespace Tracker.Tests.ReadModels;

/// <summary>
/// A failed rebuild's error, as its status route answers it: in an operator's words, not the driver's ("Exception while
/// reading from stream", "57P01: terminating connection ... POSITION: 1165" until 2026-12-06).
/// </summary>
public sealed class a_failed_rebuild_says_why
{
    [Fact]
    public void a_statement_that_waited_past_the_command_timeout_is_said_to_have()
    {
        var said = ProjectionRebuilds.Said(new NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt")));

        said.ShouldContain("waited longer than the database's command timeout");
        said.ShouldContain("run it again");
        said.ShouldNotContain("stream");
    }

    [Fact]
    public void a_database_stopped_during_the_rebuild_is_said_to_have_stopped_without_the_statement_s_position()
    {
        var said = ProjectionRebuilds.Said(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL",
            PostgresErrorCodes.AdminShutdown));

        said.ShouldBe("the database stopped answering during the rebuild (terminating connection due to administrator command); run it again once it answers");
    }

    [Fact]
    public void a_wrapped_driver_failure_is_said_as_the_driver_failure_is_and_the_rebuild_s_own_words_are_kept()
    {
        ProjectionRebuilds.Said(new Exception("batch failed", new NpgsqlException("Exception while writing to stream")))
            .ShouldContain("the connection was cut");
        ProjectionRebuilds.Said(new InvalidOperationException("Counting the daily rollup again failed: a table it counts was held",
            new NpgsqlException("x"))).ShouldStartWith("Counting the daily rollup again failed");
    }
}
