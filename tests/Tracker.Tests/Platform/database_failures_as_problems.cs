using Microsoft.AspNetCore.Http;
using Npgsql;
using Shouldly;
using Tracker.Api.Infrastructure;

namespace Tracker.Tests.Platform;

/// <summary>
/// What a client is told when PostgreSQL ends its write's transaction. (The stories over HTTP are in
/// concurrency_and_idempotency and the fault scenarios; a deadlock cannot be produced on demand through the API.)
/// </summary>
public sealed class database_failures_as_problems
{
    private static PostgresException Failed(string sqlState) => new("ended by the server", "ERROR", "ERROR", sqlState);

    [Fact]
    public void a_write_postgresql_ended_to_break_a_deadlock_is_a_conflict_to_send_again_and_is_retried()
    {
        var deadlock = new InvalidOperationException("the batch failed", Failed(PostgresErrorCodes.DeadlockDetected));

        ExceptionProblems.Classify(deadlock).ShouldBe(ExceptionProblems.Failure.Deadlocked);
        foreach (var ifMatch in new[] { false, true })
        {
            var problem = ExceptionProblems.Describe(deadlock, ifMatch);
            (problem.Status, problem.Type).ShouldBe((409, ProblemTypes.ConcurrencyConflict));
            problem.Detail.ShouldBe("Nothing was recorded. Send the request again.");
        }
    }

    [Fact]
    public async Task a_request_that_waited_its_whole_timeout_for_a_pooled_connection_is_told_the_database_is_unavailable()
    {
        var builder = new NpgsqlConnectionStringBuilder(TrackerDatabase.Tuned(Support.TestDatabase.ConnectionString()))
        {
            MaxPoolSize = 1,
            Timeout = 1
        };
        await using var pool = NpgsqlDataSource.Create(builder.ConnectionString);
        await using var busy = await pool.OpenConnectionAsync();

        var exhausted = await Should.ThrowAsync<NpgsqlException>(async () => await pool.OpenConnectionAsync());

        ExceptionProblems.Classify(exhausted).ShouldBe(ExceptionProblems.Failure.DatabaseUnavailable);
        var problem = ExceptionProblems.Describe(exhausted, hadIfMatch: false);
        (problem.Status, problem.Type).ShouldBe((503, ProblemTypes.DatabaseUnavailable));
        problem.Detail.ShouldNotBeNull().ShouldNotContain("pool");
        problem.Detail.ShouldStartWith("Nothing was recorded.");
        // A read recorded nothing to begin with, and is not told so (until 2026-12-06 it was).
        ExceptionProblems.Describe(exhausted, hadIfMatch: false, read: true).Detail.ShouldBe("Retry after the delay in the Retry-After header.");
    }

    [Fact]
    public void a_body_that_stopped_arriving_is_a_408_in_the_services_words_not_kestrels()
    {
        // Kestrel's own exception when a body comes slower than its least rate (or stops: a client cut off).
        var slow = new BadHttpRequestException(
            "Reading the request body timed out due to data arriving too slowly. See MinRequestBodyDataRate.", StatusCodes.Status408RequestTimeout);

        var problem = ExceptionProblems.Describe(slow, hadIfMatch: false);

        (problem.Status, problem.Type).ShouldBe((408, ProblemTypes.RequestTimeout));
        problem.Detail.ShouldNotBeNull().ShouldNotContain("MinRequestBodyDataRate");
        problem.Detail.ShouldContain("Nothing was recorded");
    }

    [Fact]
    public void martens_version_mismatch_raised_in_the_database_is_a_lost_race()
    {
        // Two requests creating one key, as the quick append's own SQL state (MT003): a 409 wherever it is met.
        var mismatch = new PostgresException("Stream version mismatch on 'x': expected 0, actual 1", "ERROR", "ERROR", "MT003");

        ExceptionProblems.Classify(new InvalidOperationException("batch failed", mismatch)).ShouldBe(ExceptionProblems.Failure.LostRace);
    }

    [Fact]
    public void a_lost_race_is_still_a_failed_precondition_for_a_write_with_if_match()
    {
        var race = Failed(PostgresErrorCodes.UniqueViolation);

        ExceptionProblems.Classify(race).ShouldBe(ExceptionProblems.Failure.LostRace);
        ExceptionProblems.Describe(race, hadIfMatch: true).Status.ShouldBe(412);
        ExceptionProblems.Describe(race, hadIfMatch: false).Status.ShouldBe(409);
    }
}
