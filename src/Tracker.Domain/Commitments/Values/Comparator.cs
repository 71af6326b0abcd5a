namespace Tracker.Domain.Commitments;

/// <summary>
/// How a reported figure relates to the truth, in the words the texts use: lower bounds ("more than $200 million", "at
/// least"), estimates ("about", "approximately") and upper bounds ("nearly eight million": just below it; "less than";
/// "at most"; "up to": a ceiling the text does not say was reached).
/// </summary>
public enum Comparator
{
    Exactly,
    AtLeast,
    MoreThan,
    About,
    UpTo,
    Nearly,
    LessThan,
    AtMost
}
