using System.Globalization;
using System.Text;
using System.Xml;
using Marten;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Mvc;
using Tracker.Api.Infrastructure;
using Tracker.Domain;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Wolverine.Http;

namespace Tracker.Api.Exports;

/// <summary>
/// Financial commitments as IATI activities (IATI Activity Standard 2.03: its schema's element order and its codelists),
/// one iati-activity per financial commitment, written as it is read, one commitment at a time.
/// The activity is the goal, reported by the tracker's operator; the members pledge toward it, so from the activity's side
/// their money comes in: a pledge is an Incoming Pledge (13), a committed stage an Incoming Commitment (11), a disbursed
/// stage Incoming Funds (1), each with the pledger as provider-org (README, "Exports", says why). A revised pledge is its
/// announcement and then, for each revision, one more Incoming Pledge of the difference (negative for a reduction), dated
/// on the day the revision took effect: IATI records changes to a flow as further transactions, never by rewriting one.
/// </summary>
public static class IatiExport
{
    public const string IncomingPledge = "13";
    public const string IncomingCommitment = "11";
    public const string IncomingFunds = "1";

    /// <summary>OrganisationRole: the pledgers fund the goal; the actors the commitment names answer for it.</summary>
    public const string Funding = "1";
    public const string Accountable = "2";

    /// <summary>ActivityDateType: the day the commitment was stated, and the day it is due.</summary>
    public const string PlannedStart = "1";
    public const string PlannedEnd = "3";

    /// <summary>What replaces a character XML cannot hold in text stored before the API refused it.</summary>
    public const char Replacement = '\uFFFD';

    [WolverineGet("/api/exports/iati.xml", Name = "ExportIatiXml")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    [EndpointSummary("Financial commitments as IATI 2.03 activities with transactions")]
    [Tags("Exports")]
    public static async Task Get(IQuerySession session, Npgsql.NpgsqlDataSource database, HttpContext http, TimeProvider clock,
        IOptions<IatiOptions> options, CancellationToken token)
    {
        var iati = options.Value;
        if (string.IsNullOrWhiteSpace(iati.ReportingOrg.Ref))
        {
            await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, type: ProblemTypes.NotConfigured,
                title: "The IATI export is not configured", detail: IatiOptions.NotConfigured).ExecuteAsync(http);
            return;
        }

        // The models first, then each one's pledges from its stream: one open reader at a time on the session.
        var commitments = await session.Query<CommitmentProgress>().Where(c => c.Kind == CommitmentKind.Financial)
            .OrderBy(c => c.Key).ToListAsync(token);
        if (commitments.Count == 0)
        {
            // An IATI file holds at least one activity (the schema says so): an empty one could not be published.
            await Results.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound,
                title: "Nothing to export", detail: "No financial commitment is recorded; an IATI file holds at least one activity.")
                .ExecuteAsync(http);
            return;
        }

        // Each pledger by the name the pledger views give it (its first pledge's), however a pledge spelled it ("germany"
        // beside "Germany"): one organisation, not one per spelling.
        var pledgerNames = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var names = database.CreateCommand(
                         $"select pledger_key, name from {TrackerDatabase.Schema}.{Tracker.Projections.Commitments.Pledges.PledgerRollup.Pledgers}"))
        await using (var reader = await names.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token)) pledgerNames[reader.GetString(0)] = reader.GetString(1);
        }
        string Named(Pledge pledge) => pledgerNames.GetValueOrDefault(pledge.Key, pledge.Pledger);
        var sectorCodes = SectorCodes(commitments.Select(c => c.LineOfEffort));

        http.Response.ContentType = "application/xml; charset=utf-8";
        http.Response.Headers.ContentDisposition = "attachment; filename=\"commitments-iati.xml\"";
        // Closed only once every activity is written: a writer disposed on the way out of a failure (an event that no
        // longer reads) would end the document, and a file cut short would look whole (until 2026-12-07 it did, with a
        // 200). Left open, what was sent stays unfinished: before anything was sent the failure is a problem (409
        // log-damaged), after it the connection is cut (Streamed).
        var xml = XmlWriter.Create(http.Response.Body,
            new XmlWriterSettings { Async = true, Indent = true, Encoding = new UTF8Encoding(false) });

        await xml.WriteStartDocumentAsync();
        await xml.WriteStartElementAsync(null, "iati-activities", null);
        await xml.WriteAttributeStringAsync(null, "version", null, "2.03");
        var generated = clock.GetUtcNow();
        await xml.WriteAttributeStringAsync(null, "generated-datetime", null, Instant(generated));

        foreach (var c in commitments)
        {
            var (pledges, revisedOn) = await FullHistory.PledgesWithDays(session, c.Id, token);
            await Activity(xml, iati, c, pledges, revisedOn, Named, sectorCodes, DateOnly.FromDateTime(generated.UtcDateTime));
        }

        await xml.WriteEndElementAsync();
        await xml.WriteEndDocumentAsync();
        await xml.FlushAsync();
        await xml.DisposeAsync();
    }

    /// <summary>OECD DAC 5-digit sector 99810, "Sectors not specified".</summary>
    public const string SectorsNotSpecified = "99810";

    /// <summary>The children in the order of the 2.03 schema's iati-activity sequence.</summary>
    private static async Task Activity(XmlWriter xml, IatiOptions iati, CommitmentProgress c, IReadOnlyList<Pledge> pledges,
        IReadOnlyDictionary<int, DateOnly> revisedOn, Func<Pledge, string> named, IReadOnlyDictionary<string, string> sectorCodes,
        DateOnly today)
    {
        var lang = iati.Language;
        await xml.WriteStartElementAsync(null, "iati-activity", null);
        // A transaction left out until its day (below) changes the activity when it first appears: from that day's start,
        // so a reader comparing this time sees it (recorded the day before, it would otherwise say nothing changed).
        // (A revision that moves no amount as written is no transaction, below, and changes nothing.)
        var appearedOn = pledges.SelectMany(p => p.Amounts.Skip(1).Select((after, i) => (After: after, Before: p.Amounts[i].Amount))
                .Where(x => Decimals.Normal(Written(x.After.Amount.Amount) - Written(x.Before.Amount)) != 0)
                .Select(x => revisedOn.GetValueOrDefault(x.After.Version, p.AnnouncedOn))
                .Append(p.AnnouncedOn).Concat(p.Stages.Select(s => s.On)))
            .Where(on => on <= today).DefaultIfEmpty(DateOnly.MinValue).Max();
        var appeared = new DateTimeOffset(appearedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await xml.WriteAttributeStringAsync(null, "last-updated-datetime", null, Instant(appeared > c.LastChangedAt ? appeared : c.LastChangedAt));
        await xml.WriteAttributeStringAsync("xml", "lang", null, lang);
        await xml.WriteAttributeStringAsync(null, "default-currency", null, Text(c.LedgerCurrency));

        await xml.WriteElementStringAsync(null, "iati-identifier", null, Identifier(iati, c.Key));

        await xml.WriteStartElementAsync(null, "reporting-org", null);
        await xml.WriteAttributeStringAsync(null, "ref", null, iati.ReportingOrg.Ref);
        await xml.WriteAttributeStringAsync(null, "type", null, iati.ReportingOrg.Type);
        await Narrative(xml, lang, iati.ReportingOrg.Name);
        await xml.WriteEndElementAsync();

        await xml.WriteStartElementAsync(null, "title", null);
        await Narrative(xml, lang, c.Title);
        await xml.WriteEndElementAsync();

        await xml.WriteStartElementAsync(null, "description", null);
        await xml.WriteAttributeStringAsync(null, "type", null, "1"); // DescriptionType: General
        // IATI's rules keep the planned end on or after the planned start: a commitment stated after its due date (recorded
        // late, already overdue) has its due date said here instead.
        var plannedEnd = c.DueBy is { } due && due >= c.StatedOn ? due : (DateOnly?)null;
        await Narrative(xml, lang, $"Stated in {c.StatedIn.DocumentKey}: \u201c{c.StatedIn.Quote}\u201d" +
            (c.DueBy is { } early && plannedEnd is null ? $" Due by {Date(early)}, before the day it was stated." : ""));
        await xml.WriteEndElementAsync();

        foreach (var actor in c.Actors)
        {
            await Organisation(xml, lang, Accountable, actor);
        }
        // A funder with a transaction in this file: a pledge dated after today is left out until then (below), and so is its
        // pledger, where only it names them (until 2026-12-06 the file named a funder with nothing behind it).
        foreach (var pledger in pledges.Where(p => p.AnnouncedOn <= today).Select(p => named(p)).Distinct(StringComparer.Ordinal))
        {
            await Organisation(xml, lang, Funding, pledger);
        }

        await xml.WriteStartElementAsync(null, "activity-status", null);
        await xml.WriteAttributeStringAsync(null, "code", null, ActivityStatus(c.Status));
        await xml.WriteEndElementAsync();

        await ActivityDate(xml, PlannedStart, c.StatedOn);
        if (plannedEnd is { } end) await ActivityDate(xml, PlannedEnd, end);

        // IATI's Standard Ruleset wants a recipient country or region on every activity (or on each of its transactions),
        // an error without one (until 2026-12-06 the export had none): the publisher's countries, or else its region.
        if (iati.Recipient.CountryShares() is { Count: > 0 } countries)
        {
            foreach (var (code, percentage) in countries)
            {
                await xml.WriteStartElementAsync(null, "recipient-country", null);
                await xml.WriteAttributeStringAsync(null, "code", null, code);
                if (countries.Count > 1 && percentage is { } share) await xml.WriteAttributeStringAsync(null, "percentage", null, Amount(share));
                await xml.WriteEndElementAsync();
            }
        }
        else
        {
            await xml.WriteStartElementAsync(null, "recipient-region", null);
            await xml.WriteAttributeStringAsync(null, "code", null, iati.Recipient.Region);
            await xml.WriteAttributeStringAsync(null, "vocabulary", null, iati.Recipient.RegionVocabulary);
            await xml.WriteEndElementAsync();
        }

        // IATI's Standard Ruleset wants a sector on every activity (or on each of its transactions): the publisher's, or
        // the line of effort in the reporting organisation's own vocabulary (99), beside DAC's 99810, sectors not
        // specified, since the ruleset warns of a vocabulary of one's own without the DAC's (until 2026-12-06 it had none).
        if (iati.Sector.Code is { Length: > 0 } sector)
        {
            await xml.WriteStartElementAsync(null, "sector", null);
            await xml.WriteAttributeStringAsync(null, "vocabulary", null, iati.Sector.Vocabulary);
            await xml.WriteAttributeStringAsync(null, "code", null, sector);
            if (iati.Sector.Name is { Length: > 0 } sectorName) await Narrative(xml, lang, sectorName);
            await xml.WriteEndElementAsync();
        }
        else
        {
            await xml.WriteStartElementAsync(null, "sector", null);
            await xml.WriteAttributeStringAsync(null, "vocabulary", null, "1");
            await xml.WriteAttributeStringAsync(null, "code", null, SectorsNotSpecified);
            await xml.WriteEndElementAsync();
            await xml.WriteStartElementAsync(null, "sector", null);
            await xml.WriteAttributeStringAsync(null, "vocabulary", null, "99");
            await xml.WriteAttributeStringAsync(null, "code", null, sectorCodes[c.LineOfEffort]);
            await Narrative(xml, lang, c.LineOfEffort);
            await xml.WriteEndElementAsync();
        }

        // The budget's period starts when the commitment first had a money target, a revised budget's too (IATI reads a revised
        // budget as the original's period budgeted anew): a fund whose size a revision set a year after the statement
        // had no budget before it (until 2026-12-07 every budget started on the statement's day). IATI's rules keep a
        // period within a year; a target due later, before it was set, or with no date, has no budget.
        var first = c.State.Targets.Where(t => t.Value.IsMoney).MinBy(t => (t.From ?? c.StatedOn, t.Version));
        if (c.Target is { IsMoney: true } target && first is not null &&
            (first.From is { } from && from > c.StatedOn ? from : c.StatedOn) is var periodStart &&
            plannedEnd is { } periodEnd && periodEnd >= periodStart && periodEnd < periodStart.AddYears(1))
        {
            await xml.WriteStartElementAsync(null, "budget", null);
            // BudgetType: 1 Original, the first target the commitment had, by its statement or, where that named none,
            // by the revision that first set one (until 2026-12-07 that was said to be Revised, of no Original), and
            // again once a later revision puts that value back; 2 Revised while a revision or restatement keeps another
            // in force.
            await xml.WriteAttributeStringAsync(null, "type", null, target == first.Value ? "1" : "2");
            await xml.WriteAttributeStringAsync(null, "status", null, "1"); // BudgetStatus: Indicative
            await Date(xml, "period-start", periodStart);
            await Date(xml, "period-end", periodEnd);
            await Value(xml, target.Amount, target.Currency!, periodStart);
            await xml.WriteEndElementAsync();
        }

        // IATI's Standard Ruleset keeps a transaction's date in the past. The API takes a fact dated tomorrow (a day's grace
        // for the time zones east of UTC): such a transaction is left out of this file, and said so in it, until its date
        // (until 2026-12-06 it was published with its future date, which the ruleset refuses).
        var withheld = 0;
        async Task TransactionUnlessFuture(string type, decimal amount, string currency, DateOnly on, string provider, string reference,
            string? description = null)
        {
            if (on > today) withheld++;
            else await Transaction(xml, lang, type, amount, currency, on, provider, reference, description);
        }
        foreach (var p in pledges)
        {
            await TransactionUnlessFuture(IncomingPledge, p.Amounts[0].Amount.Amount, p.Currency, p.AnnouncedOn, named(p),
                p.PledgeId);
            for (var i = 1; i < p.Amounts.Count; i++)
            {
                var (before, after) = (p.Amounts[i - 1].Amount, p.Amounts[i]);
                // The change between the amounts as written (ValueText), so the transactions add up to the amount written
                // now; a revision of its exchange rate only, or a change below the digits a value keeps, moves nothing.
                var change = Decimals.Normal(Written(after.Amount.Amount) - Written(before.Amount));
                if (change == 0) continue;
                await TransactionUnlessFuture(IncomingPledge, change, p.Currency,
                    revisedOn.GetValueOrDefault(after.Version, p.AnnouncedOn), named(p), p.PledgeId,
                    $"Pledge revised from {Amount(before.Amount)} to {Amount(after.Amount.Amount)} {p.Currency}: {after.Why}");
            }
            foreach (var s in p.Stages)
            {
                await TransactionUnlessFuture(s.Stage == PledgeStage.Committed ? IncomingCommitment : IncomingFunds,
                    s.Amount.Amount, s.Amount.Currency, s.On, named(p), p.PledgeId);
            }
        }
        if (withheld > 0)
        {
            await xml.WriteCommentAsync($" {withheld} transaction{(withheld == 1 ? " is" : "s are")} dated after {Date(today)}, the day " +
                                        "this file was generated (UTC), and left out until then: IATI's rules keep transaction dates in the past. ");
        }

        await xml.WriteEndElementAsync();
    }

    /// <summary>
    /// A line of effort as a code of the publisher's own vocabulary: its slug, or, for a name a slug would lose letters of
    /// (written in another script), a digest of it, so two such lines keep two codes.
    /// </summary>
    public static string SectorCode(string lineOfEffort) => Slug.LosesLetters(lineOfEffort)
        ? "loe." + Digest(lineOfEffort)
        : Slug.From(lineOfEffort);

    /// <summary>
    /// Each line of effort's sector code in one export: <see cref="SectorCode"/> for a line written as its code
    /// ("detention-and-camps"), and for any other the code, a dot and a digest of the name ("Detention and camps" is
    /// "detention-and-camps.20787ab0"), so two lines one slug would join keep a code each, and a line's code depends on its
    /// name alone: a line recorded later changes no code already published (until 2026-12-05 a line got the digest only
    /// once another shared its slug, and "stabilisation" became "stabilisation-75f9d066" when "stabilisation!" was
    /// recorded). A slug holds no dot, so no line written as its code can take a code with a digest.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SectorCodes(IEnumerable<string> linesOfEffort) =>
        linesOfEffort.Distinct(StringComparer.Ordinal)
            .ToDictionary(line => line, line => SectorCode(line) is var code && (line == code || code.StartsWith("loe.", StringComparison.Ordinal))
                ? code
                : $"{code}.{Digest(line)[..8]}", StringComparer.Ordinal);

    private static string Digest(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    /// <summary>IATI: an activity's identifier is its reporting organisation's identifier, a hyphen, and its own.</summary>
    public static string Identifier(IatiOptions iati, string key) => $"{iati.ReportingOrg.Ref}-{Text(key)}";

    private static async Task Organisation(XmlWriter xml, string lang, string role, string name)
    {
        await xml.WriteStartElementAsync(null, "participating-org", null);
        await xml.WriteAttributeStringAsync(null, "role", null, role);
        await Narrative(xml, lang, name);
        await xml.WriteEndElementAsync();
    }

    private static async Task ActivityDate(XmlWriter xml, string type, DateOnly date)
    {
        await xml.WriteStartElementAsync(null, "activity-date", null);
        await xml.WriteAttributeStringAsync(null, "type", null, type);
        await xml.WriteAttributeStringAsync(null, "iso-date", null, Date(date));
        await xml.WriteEndElementAsync();
    }

    private static async Task Transaction(XmlWriter xml, string lang, string type, decimal amount, string currency, DateOnly on,
        string provider, string reference, string? description = null)
    {
        await xml.WriteStartElementAsync(null, "transaction", null);
        await xml.WriteAttributeStringAsync(null, "ref", null, Text(reference));
        await xml.WriteStartElementAsync(null, "transaction-type", null);
        await xml.WriteAttributeStringAsync(null, "code", null, type);
        await xml.WriteEndElementAsync();
        await Date(xml, "transaction-date", on);
        await Value(xml, amount, currency, on);
        if (description is not null)
        {
            await xml.WriteStartElementAsync(null, "description", null);
            await Narrative(xml, lang, description);
            await xml.WriteEndElementAsync();
        }
        await xml.WriteStartElementAsync(null, "provider-org", null);
        await Narrative(xml, lang, provider);
        await xml.WriteEndElementAsync();
        await xml.WriteEndElementAsync();
    }

    private static async Task Value(XmlWriter xml, decimal amount, string currency, DateOnly valueDate)
    {
        await xml.WriteStartElementAsync(null, "value", null);
        await xml.WriteAttributeStringAsync(null, "currency", null, Text(currency));
        await xml.WriteAttributeStringAsync(null, "value-date", null, Date(valueDate));
        await xml.WriteStringAsync(ValueText(amount));
        await xml.WriteEndElementAsync();
    }

    /// <summary>
    /// A value as IATI's schema types it (xs:decimal), rounded to the 18 digits every schema validator must read (libxml2's
    /// xmllint refuses more than 24: a pledge of 10^-25, which the API keeps, made the file fail its schema until
    /// 2026-12-05). Amounts of a whole currency unit or more keep every digit of their whole part; the API and the CSV
    /// exports keep every digit.
    /// </summary>
    public static string ValueText(decimal amount)
    {
        var whole = Math.Truncate(Math.Abs(amount));
        var wholeDigits = whole == 0 ? 1 : whole.ToString(CultureInfo.InvariantCulture).Length;
        return Decimals.Normal(Math.Round(amount, Math.Max(0, 18 - wholeDigits), MidpointRounding.ToEven)).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>An amount as a value writes it.</summary>
    private static decimal Written(decimal amount) => decimal.Parse(ValueText(amount), CultureInfo.InvariantCulture);

    private static async Task Date(XmlWriter xml, string element, DateOnly date)
    {
        await xml.WriteStartElementAsync(null, element, null);
        await xml.WriteAttributeStringAsync(null, "iso-date", null, Date(date));
        await xml.WriteEndElementAsync();
    }

    private static async Task Narrative(XmlWriter xml, string lang, string text)
    {
        await xml.WriteStartElementAsync(null, "narrative", null);
        await xml.WriteAttributeStringAsync("xml", "lang", null, lang);
        await xml.WriteStringAsync(Text(text));
        await xml.WriteEndElementAsync();
    }

    /// <summary>
    /// Text as XML 1.0 can hold it: a character it cannot (a control character, U+FFFE, U+FFFF, half of a surrogate pair),
    /// which the API refuses today but older data may hold, becomes U+FFFD instead of stopping the export half-way.
    /// </summary>
    public static string Text(string text)
    {
        StringBuilder? replaced = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c))
            {
                replaced?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (XmlConvert.IsXmlChar(c))
            {
                replaced?.Append(c);
                continue;
            }
            replaced ??= new StringBuilder(text.Length).Append(text, 0, i);
            replaced.Append(Replacement);
        }
        return replaced?.ToString() ?? text;
    }

    private static string Amount(decimal amount) => Decimals.Normal(amount).ToString(CultureInfo.InvariantCulture);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Instant(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>IATI ActivityStatus: 1 Pipeline/identification, 2 Implementation, 3 Finalisation, 4 Closed, 5 Cancelled, 6 Suspended.</summary>
    public static string ActivityStatus(CommitmentStatus status) => status switch
    {
        CommitmentStatus.NotAssessed or CommitmentStatus.NotStarted => "1",
        CommitmentStatus.InProgress or CommitmentStatus.PartiallyAchieved => "2",
        CommitmentStatus.Stalled => "6",
        CommitmentStatus.Achieved or CommitmentStatus.AchievedLate => "4",
        CommitmentStatus.Missed or CommitmentStatus.Withdrawn => "5",
        _ => "1"
    };
}
