namespace Tracker.Domain.Commitments;

/// <summary>
/// A fact recorded earlier in this stream (at RetractedVersion) was found wrong and no longer counts. The wrong event
/// stays in the log; the right fact, if any, is recorded after the retraction. Each retraction names what it retracts
/// by the ids the original carried (the pledge, the document, the version) and carries what its reversal needs, so
/// every model reverses it without reading the retracted event again.
/// </summary>
public interface IRetraction : ITrackedEvent
{
    int RetractedVersion { get; }
    new string Reason { get; }
    Evidence Source { get; }

    /// <summary>The name of the kind of event it retracts ("pledge-stage-recorded").</summary>
    string RetractedEvent { get; }

    string? ITrackedEvent.Reason => Reason;

    DateOnly? ITrackedEvent.EffectiveOn(DateOnly recordedOn) => null;

    string ITrackedEvent.Summary(string ledgerCurrency) => $"Version {RetractedVersion} ({RetractedEvent}) retracted: {Reason}";
}

/// <summary>A fact that can be found wrong and retracted: it says which retraction stands for taking it back.</summary>
public interface IRetractable
{
    /// <summary>The retraction of this fact, recorded at <paramref name="version"/> of its stream.</summary>
    IRetraction RetractedBy(int version, string reason, Evidence source);
}

/// <summary>A fact about one pledge, which names it: its ledger row and the pledger views are routed by it.</summary>
public interface IPledgeFact
{
    string PledgeId { get; }
    string Pledger { get; }
}

/// <summary>A retraction of a fact about one pledge.</summary>
public interface IPledgeRetraction : IRetraction, IPledgeFact;

/// <summary>
/// A pledge's announcement was recorded in error: the pledge no longer counts. LedgerAmount is its amount in the ledger
/// currency (a pledge is retracted only before any revision or stage); null in retractions recorded before it was kept.
/// </summary>
public sealed record PledgeRetracted(int RetractedVersion, string PledgeId, string Pledger, string Reason, Evidence Source,
    decimal? LedgerAmount = null) : IPledgeRetraction
{
    string IRetraction.RetractedEvent => "pledge-announced";
}

/// <summary>
/// A pledge's revision was recorded in error: the amount before it counts again. The two amounts are the pledge's amount
/// in force in the ledger currency before and after the retraction (the same when a later revision stands); null in
/// retractions recorded before they were kept.
/// </summary>
public sealed record PledgeRevisionRetracted(int RetractedVersion, string PledgeId, string Pledger, string Reason, Evidence Source,
    decimal? LedgerAmountBefore = null, decimal? LedgerAmountAfter = null) : IPledgeRetraction
{
    string IRetraction.RetractedEvent => "pledge-revised";
}

/// <summary>
/// A commitment or disbursement of part of a pledge was recorded in error: Amount no longer counts at Stage. On is the
/// date the retracted stage was recorded for (which the pledge's disbursements by day lose); null in retractions recorded
/// before it was kept, whose readers find it in the retracted event.
/// </summary>
public sealed record PledgeStageRetracted(int RetractedVersion, string PledgeId, string Pledger, PledgeStage Stage,
    Money Amount, decimal LedgerAmount, string Reason, Evidence Source, DateOnly? On = null) : IPledgeRetraction
{
    string IRetraction.RetractedEvent => "pledge-stage-recorded";
}

/// <summary>A reported figure was recorded in error. InMoney says whether it was a money figure.</summary>
public sealed record ProgressReportRetracted(int RetractedVersion, bool InMoney, string Reason, Evidence Source) : IRetraction
{
    string IRetraction.RetractedEvent => "progress-reported";
}

/// <summary>A status assessment was recorded in error: the assessment before it stands again.</summary>
public sealed record AssessmentRetracted(int RetractedVersion, string Reason, Evidence Source) : IRetraction
{
    string IRetraction.RetractedEvent => "status-assessed";
}

/// <summary>A restatement in DocumentKey was recorded in error, with any target or deadline it set.</summary>
public sealed record RestatementRetracted(int RetractedVersion, string DocumentKey, string Reason, Evidence Source) : IRetraction
{
    string IRetraction.RetractedEvent => "commitment-restated";
}

/// <summary>A target revision was recorded in error: the target before it stands again.</summary>
public sealed record TargetRevisionRetracted(int RetractedVersion, string Reason, Evidence Source) : IRetraction
{
    string IRetraction.RetractedEvent => "target-revised";
}

/// <summary>A deadline revision was recorded in error: the deadline before it stands again.</summary>
public sealed record DeadlineRevisionRetracted(int RetractedVersion, string Reason, Evidence Source) : IRetraction
{
    string IRetraction.RetractedEvent => "deadline-revised";
}

/// <summary>A ledger currency was named in error: the one named before it (by its statement, else the default) stands again.</summary>
public sealed record LedgerCurrencyNamingRetracted(int RetractedVersion, string Reason, Evidence Source) : IRetraction
{
    string IRetraction.RetractedEvent => "ledger-currency-named";
}

/// <summary>Evidence was attached in error.</summary>
public sealed record EvidenceRetracted(int RetractedVersion, string Reason, Evidence Source) : IRetraction
{
    string IRetraction.RetractedEvent => "evidence-attached";
}
