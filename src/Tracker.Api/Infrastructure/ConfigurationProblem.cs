namespace Tracker.Api.Infrastructure;

/// <summary>
/// A setting the service cannot start with, said in the operator's words: the command line prints the message alone and
/// exits with 1, rather than a stack trace.
/// </summary>
public sealed class ConfigurationProblem(string message, Exception? inner = null) : InvalidOperationException(message, inner);

public static class ConfigurationProblems
{
    /// <summary>The one line the service and its commands say a setting they cannot run with in.</summary>
    public static Task Say(Exception problem) => Console.Error.WriteLineAsync($"Tracker.Api cannot start: {problem.Message}");
}
