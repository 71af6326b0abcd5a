namespace Tracker.Bench;

/// <summary>
/// The service and its baseline measured in turns of equal length, the order alternating from round to round (service
/// first, then the baseline first, ...): the machine drifts over minutes (the bare stack alone ran at 333-635 appends/s
/// between runs), and a measure taken a minute after the other moved the ratio by more than any change did. In turns,
/// the drift falls on both alike, and a steady drift within the run does not always favour the one measured second.
/// </summary>
public static class Turns
{
    public const int Rounds = 3;

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
