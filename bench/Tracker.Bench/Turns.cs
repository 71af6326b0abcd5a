namespace Tracker.Bench;

/// <summary>
/// The service and its baseline measured in turns of equal length, the order alternating from round to round (service
/// first, then the baseline first, ...): the machine drifts over minutes (the bare stack alone ran at 333-635 appends/s
/// between runs), and a measure taken a minute after the other moved the ratio by more than any change did. In turns,
/// the drift falls on both alike, and a steady drift within the run does not always favour the one measured second.
/// Six rounds of a third of the load duration each (30 s per stack at full size): with three rounds of 5 s, runs of the
/// same code gave 71-82% of the bare stack's writes, single rounds 47-130%.
/// </summary>
public static class Turns
{
    public const int Rounds = 6;

    /// <summary>How long each round runs: a third of the load duration, so each side runs twice the load duration.</summary>
    public static TimeSpan RoundLength(BenchSettings settings) => settings.LoadDuration / 3;

    /// <summary>How long each side ran in all.</summary>
    public static TimeSpan Measured(BenchSettings settings) => RoundLength(settings) * Rounds;

    public static async Task Alternate(Func<Task> serviceRound, Func<Task> baselineRound)
    {
        for (var round = 0; round < Rounds; round++)
        {
            if (round % 2 == 0)
            {
                await serviceRound();
                await baselineRound();
            }
            else
            {
                await baselineRound();
                await serviceRound();
            }
        }
    }
}
