namespace Tracker.Api.Infrastructure;

/// <summary>
/// A setting the service cannot start with, said in the operator's words: the command line prints the message alone and
/// exits with 1, rather than a stack trace.
/// </summary>
public sealed class ConfigurationProblem(string message, Exception? inner = null) : InvalidOperationException(message, inner);
