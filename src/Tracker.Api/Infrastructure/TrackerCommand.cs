using JasperFx.CommandLine;
using Microsoft.Extensions.Options;

namespace Tracker.Api.Infrastructure;

/// <summary>
/// One of the service's own commands: a setting it cannot run with (no database, a signing key that does not read, a
/// setting out of range), or a database that does not answer, refuses its role or lacks the schema, is said in one line
/// and fails the command, as it does at start (Program), not a stack trace.
/// </summary>
public abstract class TrackerCommand<TInput> : JasperFxAsyncCommand<TInput> where TInput : class
{
    public sealed override async Task<bool> Execute(TInput input)
    {
        try
        {
            return await Run(input);
        }
        catch (Exception problem) when (ConfigurationProblems.Explain(problem) is { } explained)
        {
            await ConfigurationProblems.Say(explained);
            return false;
        }
    }

    protected abstract Task<bool> Run(TInput input);
}
