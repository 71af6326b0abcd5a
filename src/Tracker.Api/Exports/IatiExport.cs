using System.Globalization;
using System.Text;
using System.Xml;
using Marten;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Wolverine.Http;

namespace Tracker.Api.Exports;

/// <summary>
/// Financial commitments as IATI-style activities (IATI Activity Standard 2.03 element names and codes): one
/// iati-activity per financial commitment; each pledge an Outgoing Pledge transaction (type 12), each committed stage an
/// Outgoing Commitment (2), each disbursed stage a Disbursement (3), the pledger as provider-org; every value carries its
/// original currency and its value date. Written as it is read, one commitment at a time.
/// </summary>
public static class IatiExport
{
    public const string IdentifierPrefix = "XX-TRACKER-";
    public const string OutgoingPledge = "12";
    public const string OutgoingCommitment = "2";
    public const string Disbursement = "3";

    [WolverineGet("/api/exports/iati.xml", Name = "ExportIatiXml")]
    [EndpointSummary("Financial commitments as IATI-style activities with transactions")]
    [Tags("Exports")]
    public static async Task Get(IQuerySession session, HttpContext http, TimeProvider clock, CancellationToken token)
    {
        http.Response.ContentType = "application/xml; charset=utf-8";
        http.Response.Headers.ContentDisposition = "attachment; filename=\"commitments-iati.xml\"";
        await using var xml = XmlWriter.Create(http.Response.Body,
            new XmlWriterSettings { Async = true, Indent = true, Encoding = new UTF8Encoding(false) });

        await xml.WriteStartDocumentAsync();
        await xml.WriteStartElementAsync(null, "iati-activities", null);
        await xml.WriteAttributeStringAsync(null, "version", null, "2.03");
        await xml.WriteAttributeStringAsync(null, "generated-datetime", null,
            clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));

        // The models first, then each one's pledges from its stream: one open reader at a time on the session.
        foreach (var c in await session.Query<CommitmentProgress>().Where(c => c.Kind == CommitmentKind.Financial)
                     .OrderBy(c => c.Key).ToListAsync(token))
        {
            await Activity(xml, c, await FullHistory.Pledges(session, c.Id, token));
        }

        await xml.WriteEndElementAsync();
        await xml.WriteEndDocumentAsync();
        await xml.FlushAsync();
    }

    private static async Task Activity(XmlWriter xml, CommitmentProgress c, IReadOnlyList<Pledge> pledges)
    {
        await xml.WriteStartElementAsync(null, "iati-activity", null);
        await xml.WriteAttributeStringAsync(null, "default-currency", null, c.LedgerCurrency);
        await xml.WriteAttributeStringAsync(null, "last-updated-datetime", null,
            c.LastChangedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        await xml.WriteElementStringAsync(null, "iati-identifier", null, IdentifierPrefix + c.Key);

        await xml.WriteStartElementAsync(null, "reporting-org", null);
        await xml.WriteAttributeStringAsync(null, "ref", null, "XX-TRACKER");
        await xml.WriteAttributeStringAsync(null, "type", null, "90");
        await Narrative(xml, "CommitmentTracker");
        await xml.WriteEndElementAsync();

        await xml.WriteStartElementAsync(null, "title", null);
        await Narrative(xml, c.Title);
        await xml.WriteEndElementAsync();

        await xml.WriteStartElementAsync(null, "description", null);
        await Narrative(xml, $"Stated in {c.StatedIn.DocumentKey}: \u201c{c.StatedIn.Quote}\u201d");
        await xml.WriteEndElementAsync();

        await xml.WriteStartElementAsync(null, "activity-status", null);
        await xml.WriteAttributeStringAsync(null, "code", null, ActivityStatus(c.Status));
        await xml.WriteEndElementAsync();

        await xml.WriteStartElementAsync(null, "activity-date", null);
        await xml.WriteAttributeStringAsync(null, "type", null, "1");
        await xml.WriteAttributeStringAsync(null, "iso-date", null, Date(c.StatedOn));
        await xml.WriteEndElementAsync();

        if (c.Target is { IsMoney: true } target)
        {
            await xml.WriteStartElementAsync(null, "budget", null);
            await xml.WriteAttributeStringAsync(null, "type", null, "1");
            await xml.WriteAttributeStringAsync(null, "status", null, "1");
            await Date(xml, "period-start", c.StatedOn);
            await Date(xml, "period-end", c.DueBy ?? c.StatedOn.AddYears(1));
            await Value(xml, target.Amount, target.Currency!, c.StatedOn);
            await xml.WriteEndElementAsync();
        }

        foreach (var p in pledges)
        {
            await Transaction(xml, OutgoingPledge, p.Current.Amount.Amount, p.Currency, p.AnnouncedOn, p.Pledger, p.PledgeId);
            foreach (var s in p.Stages)
            {
                await Transaction(xml, s.Stage == PledgeStage.Committed ? OutgoingCommitment : Disbursement,
                    s.Amount.Amount, s.Amount.Currency, s.On, p.Pledger, p.PledgeId);
            }
        }

        await xml.WriteEndElementAsync();
    }

    private static async Task Transaction(XmlWriter xml, string type, decimal amount, string currency, DateOnly on,
        string provider, string reference)
    {
        await xml.WriteStartElementAsync(null, "transaction", null);
        await xml.WriteAttributeStringAsync(null, "ref", null, reference);
        await xml.WriteStartElementAsync(null, "transaction-type", null);
        await xml.WriteAttributeStringAsync(null, "code", null, type);
        await xml.WriteEndElementAsync();
        await Date(xml, "transaction-date", on);
        await Value(xml, amount, currency, on);
        await xml.WriteStartElementAsync(null, "provider-org", null);
        await Narrative(xml, provider);
        await xml.WriteEndElementAsync();
        await xml.WriteEndElementAsync();
    }

    private static async Task Value(XmlWriter xml, decimal amount, string currency, DateOnly valueDate)
    {
        await xml.WriteStartElementAsync(null, "value", null);
        await xml.WriteAttributeStringAsync(null, "currency", null, currency);
        await xml.WriteAttributeStringAsync(null, "value-date", null, Date(valueDate));
        await xml.WriteStringAsync(amount.ToString(CultureInfo.InvariantCulture));
        await xml.WriteEndElementAsync();
    }

    private static async Task Date(XmlWriter xml, string element, DateOnly date)
    {
        await xml.WriteStartElementAsync(null, element, null);
        await xml.WriteAttributeStringAsync(null, "iso-date", null, Date(date));
        await xml.WriteEndElementAsync();
    }

    private static async Task Narrative(XmlWriter xml, string text)
    {
        await xml.WriteStartElementAsync(null, "narrative", null);
        await xml.WriteStringAsync(text);
        await xml.WriteEndElementAsync();
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>IATI ActivityStatus: 1 Pipeline, 2 Implementation, 3 Finalisation, 4 Closed, 5 Cancelled, 6 Suspended.</summary>
    private static string ActivityStatus(CommitmentStatus status) => status switch
    {
        CommitmentStatus.NotAssessed or CommitmentStatus.NotStarted => "1",
        CommitmentStatus.InProgress or CommitmentStatus.PartiallyAchieved => "2",
        CommitmentStatus.Stalled => "6",
        CommitmentStatus.Achieved or CommitmentStatus.AchievedLate => "4",
        CommitmentStatus.Missed or CommitmentStatus.Withdrawn => "5",
        _ => "1"
    };
}
