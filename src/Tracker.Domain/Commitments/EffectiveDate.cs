namespace Tracker.Domain.Commitments;

/// <summary>
/// The date an event refers to in the world, as opposed to when it was recorded: a pledge recorded late still counts
/// from the day it was announced. Facts without a date of their own (revisions, undated evidence) take the day they
/// were recorded; a correction takes the date of nothing: it removes the corrected fact from every view.
/// </summary>
public static class EffectiveDate
{
    public static DateOnly? Of(object data, DateOnly recordedOn) => data switch
    {
        CommitmentStated x => x.StatedOn,
        CommitmentRestated x => x.RestatedOn,
        PledgeAnnounced x => x.AnnouncedOn,
        PledgeStageRecorded x => x.On,
        PledgeRevised x => x.Source.On ?? recordedOn,
        TargetRevised x => x.Source.On ?? recordedOn,
        DeadlineRevised x => x.Source.On ?? recordedOn,
        ProgressReported x => x.AsOf,
        StatusAssessed x => x.AssessedOn,
        EvidenceAttached x => x.Evidence.On ?? recordedOn,
        DeadlinePassed x => x.DueBy.AddDays(1),
        EventCorrected or IRetraction => null,
        _ => recordedOn
    };
}
