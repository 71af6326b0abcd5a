using JasperFx.Events;
using Marten;
using Npgsql;
using Tracker.Api.Infrastructure.Validation;
using Tracker.Domain.Commitments;
using Tracker.Projections.Commitments;
using Tracker.Projections.Commitments.Timeline;

namespace Tracker.Api.Audit;

/// <summary>
/// The two kinds of past, kept apart. As recorded: what the tracker showed at an instant (or at a stream version),
/// from the events recorded by then. As effective: the state on a date by everything known now, from the events that
/// refer to that date or earlier, so a pledge recorded late counts from the day it was announced.
/// </summary>
public sealed record TimeTravel(DateTimeOffset? RecordedAsOf, int? Version, DateOnly? EffectiveAsOf)
{
    // Any offset names the same instant; PostgreSQL's timestamptz parameters take it in UTC.
    public DateTimeOffset? RecordedAsOf { get; } = RecordedAsOf?.ToUniversalTime();

    public const string ViewHeader = "X-Tracker-View";

    /// <summary>How far after the service's now a recordedAsOf may be and still be taken (as the present so far).</summary>
    public static readonly TimeSpan ClockSkewTaken = TimeSpan.FromMinutes(5);

    public bool IsPresent => RecordedAsOf is null && Version is null && EffectiveAsOf is null;

    public Dictionary<string, string[]> Errors(TimeProvider clock, bool versionAllowed = true)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string name, string message) => (errors.TryGetValue(name, out var said) ? said : errors[name] = []).Add(message);
        // Named after the second of them given (in this order), so the field map names only parameters the request sent.
        var given = new (string Name, object? Value)[] { ("recordedAsOf", RecordedAsOf), ("version", Version), ("effectiveAsOf", EffectiveAsOf) }
            .Where(p => p.Value is not null).ToList();
        if (given.Count > 1)
        {
            // Naming only the parameters this route takes (the dashboard and the trend take no version).
            Add(given[1].Name, $"Give one of {(versionAllowed ? "recordedAsOf, version or effectiveAsOf" : "recordedAsOf or effectiveAsOf")}, not several " +
                               $"(this request gives {string.Join(" and ", given.Select(p => p.Name))}).");
        }
        if (Version is < 1) Add("version", "version starts at 1.");
        if (Version is not null && !versionAllowed) Add("version", "version applies to one commitment, not the dashboard.");
        // Bounded as the instant it names, in UTC: 1900-01-01T00:00:00+01:00 is 1899-12-31 there, which the message shows.
        if (RecordedAsOf is { } at && InputBounds.DateProblem(DateOnly.FromDateTime(at.UtcDateTime)) is { } late)
            Add("recordedAsOf", $"recordedAsOf {late.TrimEnd('.')}, in UTC (this one is {at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} there).");
        // What will have been recorded by an instant to come is not known: until 2026-12-07 such a view was answered as
        // the present, labelled as that instant, and judged overdue on its day. A few minutes ahead are taken, for a
        // client's clock (the dashboard asks for the end of a day by the browser's) or another node's a little ahead.
        else if (RecordedAsOf is { } ahead && clock.GetUtcNow() is var now && ahead > now + ClockSkewTaken)
        {
            Add("recordedAsOf", $"recordedAsOf {InstantsWithOffset.Text(ahead)} is after now ({InstantsWithOffset.Text(now)}): the log " +
                                "holds what has been recorded. Ask for an instant up to now, leave recordedAsOf out for the present, " +
                                "or ask effectiveAsOf for a later date by everything known now.");
        }
        if (EffectiveAsOf is { } on && InputBounds.DateProblem(on) is { } far) Add("effectiveAsOf", $"effectiveAsOf {far}");
        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    /// <summary>
    /// The answer for a version the log does not hold of a commitment that exists: up to the stream's own version, removed
    /// from the log outside the service (409 log-damaged); past it, not yet written, a 400 naming the last, as a cursor past
    /// the end is (until 2026-12-07 a 404 titled "No such commitment", of a commitment that exists). Null where the
    /// commitment has no stream, which is the route's own 404.
    /// </summary>
    public static async Task<IResult?> VersionNotHeld(IQuerySession session, Guid id, string key, int asked, CancellationToken token)
    {
        if (await session.Events.FetchStreamStateAsync(id, token) is not { } stream) return null;
        // The last version is the higher of the stream's row and its newest stored event: a row wound back or run ahead outside
        // the service would otherwise name a version that answers, or one that is itself missing.
        var newest = (await session.QueryAsync<long>($"select coalesce(max(version), 0) from {Infrastructure.TrackerDatabase.Schema}.mt_events where stream_id = ?",
            token, id)).Single();
        var last = Math.Max(stream.Version, newest);
        return asked <= last
            ? Results.Problem(Infrastructure.ExceptionProblems.LogDamaged(
                $"Version {asked} of commitment '{key}' is missing from the log, whose stream is at version {last}: " +
                "its event was removed outside the service, and what the commitment was at that version cannot be shown."))
            : Infrastructure.QueryProblems.Invalid(new Dictionary<string, string[]>
            {
                ["version"] = [$"version {asked} is past the commitment's last version, {last}: ask for one from 1 to {last}, or leave version out for the present."]
            });
    }

    /// <summary>Says in a response header which past a body shows.</summary>
    public string Describe() => this switch
    {
        // The instant as the JSON writes it (until 2026-12-06 .NET's seven fractional digits, at=2020-01-01T00:00:00.0000000+00:00).
        { RecordedAsOf: { } at } => $"as-recorded; at={Infrastructure.Validation.InstantsWithOffset.Text(at)}",
        { Version: { } v } => $"as-recorded; version={v}",
        { EffectiveAsOf: { } on } => $"as-effective; on={on:yyyy-MM-dd}",
        _ => "current"
    };

    /// <summary>The day the view is about, for "overdue" and "due within 90 days".</summary>
    public DateOnly Day(DateOnly today) => RecordedAsOf is { } at ? DateOnly.FromDateTime(at.UtcDateTime) : EffectiveAsOf ?? today;

    /// <summary>
    /// One commitment in this past; null when it did not exist yet. As recorded at a version: the nearest checkpoint at
    /// or before it (writes keep one every ProgressCheckpoint.Interval versions) and the events after it; at an instant:
    /// the same from the checkpoint recorded by then (RecordedPast). As effective: the commitment's effective timeline, a
    /// keyframe and fewer than TimelineDays.KeyframeEvery facts (see TimelineDays). Each costs a lookup and a bounded
    /// number of events, whatever the stream's length, and writes nothing.
    /// </summary>
    public async Task<CommitmentProgress?> Commitment(IQuerySession session, NpgsqlDataSource database, Guid id, CancellationToken token)
    {
        if (EffectiveAsOf is { } on) return (await new TimelineDays(session).ModelOn(id, on, token))?.On(on);
        if (RecordedAsOf is { } at) return await new RecordedPast(session, database).One(id, at, token);
        return await CommitmentProgressProjection.AtVersion(session, id, Version!.Value, token);
    }

    /// <summary>Every commitment as the tracker showed it at the instant (RecordedPast).</summary>
    public Task<IReadOnlyList<CommitmentProgress>> AllRecorded(IQuerySession session, NpgsqlDataSource database, CancellationToken token) =>
        new RecordedPast(session, database).All(RecordedAsOf ?? throw new InvalidOperationException("Not a past as recorded."), token);
}
