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
        // The command line keeps the last of a flag given twice, without a word: "audit-verify --checkpoint forged.json
        // --checkpoint kept.json" checked only the second (until 2026-12-06).
        if (OnceOnly.FirstOrDefault(flag => GivenTwice(flag.Long, flag.Short)) is { Long: not null } twice)
        {
            Console.Error.WriteLine($"Nothing done: {twice.Long} is given more than once ({twice.Long} or {twice.Short}); give it once.");
            return false;
        }
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

    /// <summary>The command's own flags, each of which it takes once: its long form and its one-letter form.</summary>
    protected virtual IReadOnlyList<(string Long, string Short)> OnceOnly => [];

    /// <summary>
    /// Whether a flag is on the command line more than once, in any of its spellings: long flags in any case and with
    /// "=value", as the command line reads them; one-letter ones as written.
    /// </summary>
    protected static bool GivenTwice(string flag, string shortFlag) => TimesGiven(flag, shortFlag) > 1;

    /// <summary>Whether a flag is on the command line at all, in any of its spellings, even with an empty value.</summary>
    protected static bool Given(string flag, string shortFlag) => TimesGiven(flag, shortFlag) > 0;

    private static int TimesGiven(string flag, string shortFlag) =>
        Environment.GetCommandLineArgs().Count(arg => arg.Equals(flag, StringComparison.OrdinalIgnoreCase) || arg == shortFlag ||
                                                      arg.StartsWith(flag + "=", StringComparison.OrdinalIgnoreCase) ||
                                                      arg.StartsWith(shortFlag + "=", StringComparison.Ordinal));
}
