namespace Tracker.Domain.Commitments;

// What each recorded fact left in the commitment's state, keyed by the version of the event that recorded it, so a
// correction can reverse exactly that fact and an auditor can trace every value to its event.

public sealed record TargetEntry(int Version, Target Target, string Why);

public sealed record DeadlineEntry(int Version, Deadline Deadline, string Why);

public sealed record Restatement(int Version, Provenance RestatedIn, DateOnly RestatedOn, string? Note);

public sealed record ProgressReport(
    int Version, decimal Figure, string? Unit, string? Currency, Comparator Comparator, DateOnly AsOf,
    ExchangeRate? Rate, decimal? LedgerFigure, string? Note, Evidence Source, FigureStage? Stage = null);

public sealed record StatusEntry(int Version, CommitmentStatus Status, DateOnly AssessedOn, string Rationale, Evidence Source,
    DateOnly EffectiveOn);

public sealed record EvidenceEntry(int Version, Evidence Evidence);

public sealed record Correction(int Version, int CorrectedVersion, string CorrectedEvent, string Reason);

/// <summary>A pledge's amount as announced or revised; a revision carries its own source (the announcement's is the pledge's).</summary>
public sealed record PledgeAmount(int Version, Money Amount, ExchangeRate? Rate, decimal LedgerAmount, string Why,
    Evidence? Source = null);

public sealed record StageEntry(int Version, PledgeStage Stage, Money Amount, DateOnly On, ExchangeRate? Rate,
    decimal LedgerAmount, Evidence Source);
