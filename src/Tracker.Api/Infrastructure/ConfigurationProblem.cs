using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// A setting the service cannot start with, said in the operator's words: the command line prints the message alone and
/// exits with 1, rather than a stack trace.
/// </summary>
public sealed class ConfigurationProblem(string message, Exception? inner = null) : InvalidOperationException(message, inner);

public static class ConfigurationProblems
{
    /// <summary>The line the service and its commands say each setting they cannot run with in.</summary>
    public static Task Say(Exception problem) => Say(Explain(problem) ?? problem.Message);

    public static Task Say(string explained) =>
        Console.Error.WriteLineAsync(string.Join(Environment.NewLine, Lines(explained).Select(line => $"Tracker.Api cannot start: {line}")));

    /// <summary>An explanation's lines, one for each setting, each to be said as a line of its own.</summary>
    public static IEnumerable<string> Lines(string explained) => explained.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// What the operator must put right, when a failure to start (or a command's) is one: a setting, the database's
    /// address, sign-in, rights or schema, the address to listen on. Null for anything else, which keeps its stack trace.
    /// </summary>
    public static string? Explain(Exception problem)
    {
        for (Exception? e = problem; e is not null; e = e is AggregateException { InnerExceptions.Count: 1 } one ? one.InnerExceptions[0] : e.InnerException)
        {
            switch (e)
            {
                case ConfigurationProblem:
                    return e.Message;
                // Its message runs its failures on in one line, with "; " between.
                case OptionsValidationException options:
                    return string.Join('\n', options.Failures);
                case PostgresException role when role.SqlState == PostgresErrorCodes.UndefinedObject &&
                                                  role.MessageText.Contains("(Database:ServiceRole)", StringComparison.Ordinal):
                    return role.MessageText + ".";
                case PostgresException refused when Operators(refused.SqlState):
                    return refused.SqlState switch
                    {
                        PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                            $"the database refused the sign-in ({refused.MessageText}): check the user and password in ConnectionStrings:Tracker.",
                        PostgresErrorCodes.InvalidCatalogName =>
                            $"{refused.MessageText}: create it, or point ConnectionStrings:Tracker at the right one.",
                        PostgresErrorCodes.InsufficientPrivilege =>
                            $"the database role may not do what this needs ({refused.MessageText}): apply the schema with `db-apply` as its " +
                            "owner, which grants the service's role (Database:ServiceRole) what it needs, and connect as that role.",
                        PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName =>
                            $"the database lacks this build's schema ({refused.MessageText}): apply it with `db-apply` as the schema's owner.",
                        PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown =>
                            $"the database does not take connections now ({refused.MessageText}); try again once it does.",
                        _ => $"the database cannot be used now: {refused.MessageText} (SQLSTATE {refused.SqlState})."
                    };
                case NpgsqlException unreachable when unreachable is not PostgresException &&
                                                      !unreachable.Message.Contains("pool", StringComparison.OrdinalIgnoreCase) &&
                                                      (unreachable.InnerException is SocketException or TimeoutException or IOException ||
                                                       unreachable.Message.StartsWith("Failed to connect", StringComparison.Ordinal)):
                    return $"the database does not answer ({(unreachable.InnerException ?? unreachable).Message}): check the host and port in " +
                           "ConnectionStrings:Tracker, and that PostgreSQL runs (scripts/db.sh start for the local one).";
                // What the connection string asks of the sign-in that the server or the string cannot give (until 2026-12-07
                // an unhandled exception and exit code 134).
                case NpgsqlException noPassword when noPassword is not PostgresException &&
                                                     noPassword.Message.StartsWith("No password has been provided", StringComparison.Ordinal):
                    return $"the database asks for a password and ConnectionStrings:Tracker gives none ({noPassword.Message}): add Password=... " +
                           "to it, or a Passfile.";
                case NpgsqlException noTls when noTls is not PostgresException && noTls.Message.StartsWith("SSL connection requested", StringComparison.Ordinal):
                    return $"ConnectionStrings:Tracker asks for an encrypted connection that the database does not offer ({noTls.Message}): " +
                           "turn SSL on in PostgreSQL, or set SSL Mode=Prefer or Disable.";
                // A listening address that cannot be listened on (until 2026-12-07 an unhandled exception and exit code 134).
                case ArgumentOutOfRangeException { ParamName: "port" }:
                    return "a listening address's port is out of range: ASPNETCORE_URLS (or --urls) takes ports from 0 to 65535, in " +
                           "addresses such as http://0.0.0.0:8080.";
                case SocketException { SocketErrorCode: SocketError.AddressNotAvailable } notHere:
                    return $"a listening address is not one of this host's ({notHere.Message}): set ASPNETCORE_URLS (or --urls) to one of " +
                           "its own, or 0.0.0.0 for all.";
                case InvalidOperationException https when https.Message.StartsWith("Unable to configure HTTPS endpoint", StringComparison.Ordinal):
                    return "an https address is asked for (ASPNETCORE_URLS or --urls) and no certificate is configured: give Kestrel one " +
                           "(Kestrel:Certificates:Default:Path and Password), or listen on http behind a proxy that ends TLS.";
                // A one-letter switch written "-x=value" that no setting maps: a flag the settings' command-line reader
                // cannot place (until 2026-12-06 an unhandled exception and exit code 134).
                case FormatException flag when flag.Message.Contains("is not defined in the switch mappings", StringComparison.Ordinal):
                    return $"{flag.Message.Replace("The short switch", "the command line's", StringComparison.Ordinal).TrimEnd('.')}: write a " +
                           "one-letter flag's value after a space (-k kept.json), or use its long form (--checkpoint=kept.json).";
                case FormatException url when url.Message.StartsWith("Invalid url", StringComparison.Ordinal):
                    return $"{url.Message}: ASPNETCORE_URLS (or --urls) takes addresses such as http://0.0.0.0:8080, separated by semicolons.";
                case IOException bind when bind.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException:
                    return $"{bind.Message} Set ASPNETCORE_URLS (or --urls) to a free address.";
            }
        }
        return null;
    }

    // What an operator puts right: the connection (08), the sign-in (28), the database's name (3D), the role's rights, a
    // schema not applied, the server's resources (53) or state (57P). Any other SQL error is a fault, and keeps its trace.
    private static bool Operators(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("28", StringComparison.Ordinal) ||
        state.StartsWith("3D", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal) ||
        state.StartsWith("57P", StringComparison.Ordinal) ||
        state is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName;
}

public static class DatabaseOutage
{
    /// <summary>
    /// An outage's reason in a line, the same in readiness's answers and the logs: what the driver's "Exception while
    /// reading from stream" wraps (the connection refused, cut, timed out), which says more than it does; otherwise the
    /// failure's message and the one under it ("Failed to connect to 127.0.0.1:5432: Connection refused"; until 2026-12-06
    /// readiness left the cause off).
    /// </summary>
    public static string Reason(Exception e) =>
        e.Message.StartsWith("Exception while", StringComparison.Ordinal) && e.InnerException is { } wrapped ? OneLine(wrapped.Message)
        : e.InnerException is { } cause && cause.Message != e.Message ? $"{OneLine(e.Message)}: {OneLine(cause.Message)}"
        : OneLine(e.Message);

    /// <summary>
    /// An outage as a log line says it: a statement that waited past its timeout is not said to be a database that does
    /// not answer, since the usual cause is a lock another session holds (until 2026-12-07 a row held for two minutes was
    /// logged as an outage while readiness said the database answered).
    /// </summary>
    public static string Said(Exception outage) =>
        // A read that timed out on an open connection: a statement waited (a connection that timed out being made, or a
        // pool with none free, is the database not answering, or too busy, and said so).
        outage.Message.StartsWith("Exception while reading", StringComparison.Ordinal) && outage.InnerException is TimeoutException
            ? $"the database did not answer in time ({Reason(outage)}): a statement waited past its timeout, on a lock another " +
              "session holds, a server too busy, or one out of reach"
            : $"the database does not answer: {Reason(outage)}";

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    /// <summary>
    /// Whether a failure is the database not answering (refused, cut, timed out, shutting down, its pool exhausted): a
    /// state of the world that a background task logs as one line with the reason and tries again, not a fault with a
    /// stack trace (a 20 s outage put over a thousand stack frames in the log).
    /// </summary>
    public static bool Is(Exception e) => e switch
    {
        PostgresException refused => refused.SqlState.StartsWith("08", StringComparison.Ordinal) ||
                                     refused.SqlState.StartsWith("57P", StringComparison.Ordinal),
        NpgsqlException or TimeoutException or SocketException => true,
        _ => false
    };
}
