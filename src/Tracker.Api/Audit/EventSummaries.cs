using System.Globalization;
using Tracker.Domain.Commitments;
using Tracker.Domain.Documents;

namespace Tracker.Api.Audit;

/// <summary>One line a person can read for each event: "Germany pledged EUR 25,000,000 (USD 27,100,000 at 1.084 on 2024-10-02)".</summary>
public static class EventSummaries
{
    public static string Of(object e, string ledgerCurrency) => e switch
    {
        SourceDocumentRegistered x => $"Document '{x.Key}' registered: {x.Title} ({x.PublishedOn:yyyy-MM-dd}, {(x.Primary ? "primary" : "secondary")})",
        CommitmentStated x => $"Stated in {x.StatedIn.DocumentKey}{Paragraph(x.StatedIn.Paragraph)} on {Date(x.StatedOn)}: {x.Title}" +
                              (x.Target is null ? "" : $"; target {Target(x.Target)}") +
                              (x.Deadline is null ? "" : $"; deadline {Deadline(x.Deadline)}"),
        CommitmentRestated x => $"Restated in {x.RestatedIn.DocumentKey}{Paragraph(x.RestatedIn.Paragraph)} on {Date(x.RestatedOn)}" +
                                (x.NewTarget is null ? "" : $"; new target {Target(x.NewTarget)}") +
                                (x.NewDeadline is null ? "" : $"; new deadline {Deadline(x.NewDeadline)}"),
        TargetRevised x => $"Target revised to {Target(x.NewTarget)}: {x.Reason}",
        DeadlineRevised x => $"Deadline revised to {Deadline(x.NewDeadline)}: {x.Reason}",
        PledgeAnnounced x => $"{x.Pledger} pledged {Money(x.Amount)}{Converted(x.Amount, x.LedgerAmount, x.Rate, ledgerCurrency)} on {Date(x.AnnouncedOn)}",
        PledgeRevised x => $"{x.Pledger}'s pledge {x.PledgeId} revised to {Money(x.NewAmount)}{Converted(x.NewAmount, x.LedgerAmount, x.Rate, ledgerCurrency)}: {x.Reason}",
        PledgeStageRecorded x => $"{x.Pledger} {x.Stage.ToString().ToLowerInvariant()} {Money(x.Amount)}{Converted(x.Amount, x.LedgerAmount, x.Rate, ledgerCurrency)} on {Date(x.On)} (pledge {x.PledgeId})",
        ProgressReported x => $"Reported {Comparator(x.Comparator)}{Figure(x)} as of {Date(x.AsOf)}",
        StatusAssessed x => $"Assessed {Infrastructure.Names.Of(x.Status)} on {Date(x.AssessedOn)}: {x.Rationale}",
        EvidenceAttached x => $"Evidence attached: {x.Evidence.DocumentKey ?? x.Evidence.Url} ({(x.Evidence.Primary ? "primary" : "secondary")})" +
                              (x.Evidence.Note is null ? "" : $": {x.Evidence.Note}"),
        EventCorrected x => $"Version {x.CorrectedVersion} ({x.CorrectedEvent}) reversed: {x.Reason}",
        IRetraction x => $"Version {x.RetractedVersion} ({Retraction.NameOfRetracted(x)}) retracted: {x.Reason}",
        DeadlinePassed x => $"Deadline passed unachieved (due by {Date(x.DueBy)})",
        _ => e.GetType().Name
    };

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Number(decimal value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static string Money(Money money) => $"{money.Currency} {Number(money.Amount)}";

    private static string Paragraph(string? paragraph) => paragraph is null ? "" : $" paragraph {paragraph}";

    private static string Converted(Money original, decimal ledgerAmount, ExchangeRate? rate, string ledgerCurrency) =>
        rate is null || original.Currency == ledgerCurrency
            ? ""
            : $" ({ledgerCurrency} {Number(ledgerAmount)} at {rate.Rate.ToString(CultureInfo.InvariantCulture)} on {Date(rate.On)})";

    private static string Target(Target target) =>
        target.IsMoney ? $"{target.Currency} {Number(target.Amount)}" : $"{Number(target.Amount)} {target.Unit}";

    private static string Deadline(Deadline deadline) => deadline.DueBy is { } due
        ? $"due by {Date(due)}"
        : deadline.Description ?? "open-ended";

    private static string Comparator(Comparator comparator) => comparator switch
    {
        Domain.Commitments.Comparator.Exactly => "",
        Domain.Commitments.Comparator.AtLeast => "at least ",
        Domain.Commitments.Comparator.MoreThan => "more than ",
        Domain.Commitments.Comparator.About => "about ",
        _ => "up to "
    };

    private static string Figure(ProgressReported x) =>
        x.Currency is not null ? $"{x.Currency} {Number(x.Figure)}" : $"{Number(x.Figure)} {x.Unit}".TrimEnd();
}
