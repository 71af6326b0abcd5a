namespace Tracker.Domain.Commitments;

/// <summary>
/// The documented lines of effort. A commitment's line of effort is free-form (any coalition organises its work its own
/// way); these are the ones the Global Coalition against Daesh/ISIS uses, offered as the vocabulary to prefer.
/// </summary>
public static class LinesOfEffort
{
    public static readonly IReadOnlyList<string> Known =
    [
        "stabilisation",
        "counter-financing",
        "foreign-terrorist-fighters",
        "detention-and-camps",
        "communications",
        "military",
        "africa",
        "central-and-south-asia",
        "membership",
        "meetings",
        "other"
    ];
}
