namespace Tracker.Domain.Commitments;

/// <summary>Why a rule refused a change: Conflict when the state forbids it now (409), Unprocessable when the request
/// cannot apply to this commitment as stated (422), NotFound when the resource its route names does not exist (404: a
/// pledge in the path that the commitment does not have).</summary>
public enum ViolationKind
{
    Conflict,
    Unprocessable,
    NotFound
}

/// <summary>A named rule that refused a change, with a sentence a monitor can act on.</summary>
public sealed record RuleViolation(string Rule, string Message, ViolationKind Kind = ViolationKind.Unprocessable);

/// <summary>The outcome of a decision: the events to append, or the rule that refused them. Never both.</summary>
public sealed class Decision
{
    private Decision(IReadOnlyList<object> events, RuleViolation? violation)
    {
        Events = events;
        Violation = violation;
    }

    public IReadOnlyList<object> Events { get; }
    public RuleViolation? Violation { get; }
    public bool Accepted => Violation is null;

    public static Decision Accept(params object[] events) => new(events, null);

    public static Decision Reject(RuleViolation violation) => new([], violation);

    public static implicit operator Decision(RuleViolation violation) => Reject(violation);
}
