using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Tracker.Faults;

public sealed record ScenarioReport(string Name, string WhatWasDone, IReadOnlyList<string> Measured, InvariantResult Invariant,
    IReadOnlyList<string> Failures)
{
    public bool Passed => Invariant.Holds && Failures.Count == 0;
}

/// <summary>
/// The scenarios that need real processes: a cold start, a killed service, a restarted database, a database stopped
/// during a rebuild, two nodes.
/// </summary>
public static class Scenarios
{
    public const int Clients = 8;

    /// <summary>
    /// A node started on its own, as a user starts one: how long until it answers, whether a pledge recorded the moment it
    /// is ready is in its pledger's view at once (kept in the write's transaction), and how long until the async
    /// projections (the effective timeline, the dashboard rollup) have taken it in. Run twice: on an empty database, then
    /// restarted on the same one.
    /// </summary>
    public static async Task<ScenarioReport> ColdStart(FaultSettings settings)
    {
        var measured = new List<string>();
        var failures = new List<string>();
        foreach (var (start, pledger) in new[] { ("first start", "Cold Start First"), ("restart", "Cold Start Second") })
        {
            await using var node = new ServiceNode(settings, settings.FirstPort);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var ready = await node.Start();
            await WriteLoad.Prepare(node);
            var written = clock.Elapsed;
            await WriteLoad.Pledge(node, "fault-goal-0", pledger);
            var key = pledger.ToLowerInvariant().Replace(' ', '-');
            using (var view = await node.Client.GetAsync($"/api/pledgers/{key}"))
            {
                if (!view.IsSuccessStatusCode) failures.Add($"{start}: the pledge was not in its pledger's view right after it was written ({(int)view.StatusCode})");
            }
            var caughtUp = await Until(async () =>
            {
                var lag = (await node.Readiness()).GetProperty("checks").GetProperty("database").GetProperty("data").GetProperty("projectionLag");
                return lag.EnumerateObject().All(shard => shard.Value.GetInt64() == 0);
            }, TimeSpan.FromSeconds(60));
            var projected = clock.Elapsed;
            measured.Add($"{start}: ready {ready.TotalSeconds:0.0} s after the process started; a pledge written at " +
                         $"{written.TotalSeconds:0.0} s was taken in by every async projection at {projected.TotalSeconds:0.0} s " +
                         $"({(projected - written).TotalSeconds:0.0} s after it was written)");
            if (!caughtUp) failures.Add($"{start}: the async projections had not taken in the pledge within 60 s");
            else if (projected - written > TimeSpan.FromSeconds(5)) failures.Add($"{start}: the async projections took more than 5 s to take in the pledge");
        }
        await using var last = new ServiceNode(settings, settings.FirstPort);
        await last.Start();
        var invariant = await Invariant.Check(settings.Connection, last, new WriteLoad("coldstart", [last], 0));
        return new ScenarioReport("Cold start",
            "One node started on an empty database, a pledge recorded as soon as it was ready, the node stopped and started " +
            "again on the same database, and a second pledge recorded.", measured, invariant, failures);
    }

    /// <summary>SIGKILL the service in the middle of a write load, start it again, keep writing.</summary>
    public static async Task<ScenarioReport> KillDuringWrites(FaultSettings settings)
    {
        await using var node = new ServiceNode(settings, settings.FirstPort);
        await node.Start();
        await WriteLoad.Prepare(node);
        var load = new WriteLoad("kill", [node], Clients);
        using var stop = new CancellationTokenSource();
        var running = load.Run(stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(4));
        var killedAt = load.Now;
        node.Kill();
        var restart = await node.Start();
        await Task.Delay(TimeSpan.FromSeconds(4));
        await stop.CancelAsync();
        await running;

        var invariant = await Invariant.Check(settings.Connection, node, load);
        var afterRestart = load.Answers.Count(a => a.At > killedAt + restart && a.Status is >= 200 and < 300);
        var firstAfterRestart = load.Answers.Where(a => a.At > killedAt + restart && a.Status is >= 200 and < 300).Select(a => a.At).DefaultIfEmpty().Min();
        var statusesAfterRestart = string.Join(", ", load.Answers.Where(a => a.At > killedAt + restart).GroupBy(a => a.Status)
            .Select(g => $"{g.Count()} x {g.Key}"));
        var failures = new List<string>();
        if (load.Answers.Any(a => a.Status >= 500 && a.Status != 503)) failures.Add("a write answered 5xx other than 503");
        if (afterRestart == 0) failures.Add("no write succeeded after the restart");
        return new ScenarioReport("SIGKILL during writes",
            $"{Clients} clients wrote pledges and evidence to {WriteLoad.Commitments} commitments; the service was killed with SIGKILL " +
            $"{killedAt.TotalSeconds:0.0} s in, started again, and written to for 4 s more.",
            [load.Summary(), $"restart to ready: {restart.TotalSeconds:0.0} s",
             $"{afterRestart} writes acknowledged after the restart (answers: {statusesAfterRestart}); the first " +
             $"{(firstAfterRestart - killedAt - restart).TotalSeconds:0.0} s after the node was ready again"],
            invariant, failures);
    }

    /// <summary>Stop PostgreSQL in the middle of a write load for six seconds, then start it again; the service is not restarted.</summary>
    public static async Task<ScenarioReport> DatabaseRestart(FaultSettings settings)
    {
        await using var node = new ServiceNode(settings, settings.FirstPort);
        await node.Start();
        await WriteLoad.Prepare(node);
        var load = new WriteLoad("pgrestart", [node], Clients);
        using var stop = new CancellationTokenSource();
        var running = load.Run(stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(3));
        var down = load.Now;
        await settings.Database("stop");
        var readinessWhileDown = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            try
            {
                using var response = await node.Client.GetAsync("/health/ready");
                readinessWhileDown.Add((int)response.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                readinessWhileDown.Add(0);
            }
        }
        await settings.Database("start");
        var up = load.Now;
        var recovered = await FirstSuccessAfter(load, up, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(4));
        await stop.CancelAsync();
        await running;

        var invariant = await Invariant.Check(settings.Connection, node, load);
        var duringOutage = load.Answers.Where(a => a.At > down + TimeSpan.FromSeconds(0.5) && a.At < up).ToList();
        var failures = new List<string>();
        if (duringOutage.Any(a => a.Status >= 500 && a.Status != 503)) failures.Add("a write answered 5xx other than 503 while the database was down");
        if (duringOutage.Any(a => a.Status == 503 && !a.RetryAfter)) failures.Add("a 503 came without Retry-After");
        if (duringOutage.Any(a => a.Status == 0)) failures.Add("the service stopped answering while the database was down");
        if (readinessWhileDown.Any(s => s != 503)) failures.Add($"/health/ready answered {string.Join(",", readinessWhileDown)} while the database was down");
        if (recovered is null) failures.Add("no write succeeded within 60 s of the database coming back");
        return new ScenarioReport("PostgreSQL restarted during writes",
            $"{Clients} clients wrote; PostgreSQL was stopped (fast shutdown) {down.TotalSeconds:0.0} s in and started again 6 s later; " +
            "the service was left running.",
            [load.Summary(),
             $"while the database was down: {duringOutage.Count} writes, {duringOutage.Count(a => a.Status == 503 && a.RetryAfter)} answered 503 with Retry-After; /health/ready answered {string.Join(", ", readinessWhileDown.Distinct())}",
             $"first acknowledged write {(recovered is { } r ? $"{(r - up).TotalSeconds:0.0} s" : "never")} after the database was back, without restarting the service"],
            invariant, failures);
    }

    /// <summary>
    /// PostgreSQL stopped while a rebuild runs, the node left running: once the database is back, the rebuild's end (failed,
    /// in an operator's words) is what another node reads, not "running" and then "interrupted"; and the next rebuild runs.
    /// The log is held (a lock taken beside the service) so that the rebuild is still reading it when the database stops,
    /// however small the log is.
    /// </summary>
    public static async Task<ScenarioReport> DatabaseStopDuringRebuild(FaultSettings settings)
    {
        var failures = new List<string>();
        var measured = new List<string>();
        await using var node = new ServiceNode(settings, settings.FirstPort);
        await node.Start();
        await WriteLoad.Prepare(node);
        var load = new WriteLoad("rebuildstop", [node], 0);

        Guid id;
        await using (var holder = new NpgsqlConnection(settings.Connection))
        {
            await holder.OpenAsync();
            await using var hold = await holder.BeginTransactionAsync();
            await using (var lockLog = new NpgsqlCommand("lock table tracker.mt_events in access exclusive mode", holder, hold))
            {
                await lockLog.ExecuteNonQueryAsync();
            }
            using var started = await node.Client.PostAsync("/api/admin/projections/CommitmentProgress/rebuild", null);
            if (started.StatusCode != System.Net.HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"The rebuild did not start: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync()}");
            }
            id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await Task.Delay(TimeSpan.FromSeconds(2));
            var before = await RebuildOn(node, id);
            if (before.Status != "running") failures.Add($"the rebuild was {before.Status} before the database stopped, not running");
            // A fast shutdown ends the holding transaction with every other session.
            await settings.Database("stop");
        }
        var down = load.Now;
        await Task.Delay(TimeSpan.FromSeconds(6));
        await settings.Database("start");
        var up = load.Now;

        var here = await RebuildOn(node, id);
        measured.Add($"the node that ran it: {here.Status} ({here.Error})");
        if (here.Status != "failed") failures.Add($"the node that ran the rebuild answered {here.Status}, not failed");

        // Another node reads the stored end: until it is written, "running", and after 15 s of silence "interrupted".
        await using var other = new ServiceNode(settings, settings.FirstPort + 1);
        await other.Start();
        (string Status, string? Error) seen = ("running", null);
        var ended = await Until(async () => (seen = await RebuildOn(other, id)).Status != "running", TimeSpan.FromSeconds(60));
        var endSeen = load.Now;
        measured.Add($"another node, started after the database came back: {seen.Status} ({seen.Error}), " +
                     $"{(endSeen - up).TotalSeconds:0.0} s after the database was back ({(up - down).TotalSeconds:0.0} s down)");
        if (!ended) failures.Add("another node still read the rebuild as running 60 s after it was started");
        else if (seen.Status != "failed" || seen.Error is null || seen.Error.StartsWith("Interrupted", StringComparison.Ordinal))
        {
            failures.Add($"another node did not read the rebuild's end as its node recorded it: {seen.Status} ({seen.Error})");
        }
        if (here.Error is { } said && (said.Contains("Exception", StringComparison.Ordinal) || said.Contains("POSITION", StringComparison.Ordinal)))
        {
            failures.Add($"the failure is not in an operator's words: {said}");
        }

        // The lock was given back: the next rebuild starts and completes.
        using var again = await node.Client.PostAsync("/api/admin/projections/CommitmentProgress/rebuild", null);
        if (again.StatusCode != System.Net.HttpStatusCode.Accepted)
        {
            failures.Add($"the next rebuild did not start: {(int)again.StatusCode} {await again.Content.ReadAsStringAsync()}");
        }
        else
        {
            var next = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            (string Status, string? Error) result = ("running", null);
            await Until(async () => (result = await RebuildOn(node, next)).Status != "running", TimeSpan.FromSeconds(60));
            measured.Add($"the next rebuild: {result.Status}");
            if (result.Status != "completed") failures.Add($"the next rebuild ended {result.Status} ({result.Error})");
        }

        var invariant = await Invariant.Check(settings.Connection, node, load);
        return new ScenarioReport("PostgreSQL stopped during a rebuild",
            "One node; a rebuild of CommitmentProgress started while a lock beside the service held the log, PostgreSQL stopped " +
            "(fast shutdown) 2 s later and started again 6 s after that; the node was left running, a second node started once " +
            "the database was back, and a rebuild run again.", measured, invariant, failures);
    }

    private static async Task<(string Status, string? Error)> RebuildOn(ServiceNode node, Guid id)
    {
        var progress = await node.Client.GetFromJsonAsync<JsonElement>($"/api/admin/rebuilds/{id}");
        return (progress.GetProperty("status").GetString()!.ToLowerInvariant(),
            progress.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null);
    }

    /// <summary>Two service processes on one database; kill the one running the async projections.</summary>
    public static async Task<ScenarioReport> TwoNodes(FaultSettings settings)
    {
        await using var first = new ServiceNode(settings, settings.FirstPort);
        await using var second = new ServiceNode(settings, settings.FirstPort + 1);
        await Task.WhenAll(first.Start(), second.Start());
        await WriteLoad.Prepare(first);
        var load = new WriteLoad("twonodes", [first, second], Clients);
        using var stop = new CancellationTokenSource();
        var running = load.Run(stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(5));
        var nodes = new Dictionary<Guid, ServiceNode>
        {
            [await NodeId(first)] = first,
            [await NodeId(second)] = second
        };
        // A node an earlier scenario stopped may still hold the projection until the live ones take it for dead.
        var settled = await Until(async () => (await TimelineRunners(nodes.Values)) is [var id] && nodes.ContainsKey(id),
            TimeSpan.FromSeconds(60));
        var runners = await TimelineRunners(nodes.Values);
        var failures = new List<string>();
        if (runners.Count != 1) failures.Add($"the EffectiveTimeline projection ran on {runners.Count} nodes");
        if (!settled || !nodes.TryGetValue(runners.FirstOrDefault(), out var owner))
        {
            throw new InvalidOperationException("The EffectiveTimeline projection did not settle on one of the two live nodes within 60 s.");
        }
        var survivor = owner == first ? second : first;
        var survivorId = nodes.Single(n => n.Value == survivor).Key;

        var killedAt = load.Now;
        owner.Kill();
        var moved = await Until(async () => (await TimelineRunners([survivor])) is [var id] && id == survivorId, TimeSpan.FromSeconds(120));
        var movedAfter = load.Now - killedAt;
        if (!moved) failures.Add("the EffectiveTimeline projection did not move to the surviving node within 120 s");
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await running;

        var invariant = await Invariant.Check(settings.Connection, survivor, load);
        return new ScenarioReport("Two nodes, the daemon's node killed",
            $"Two service processes on one database; {Clients} clients wrote through both in turn; after 5 s the node running " +
            "the EffectiveTimeline projection was killed with SIGKILL and the writes went on.",
            [load.Summary(),
             $"before the kill the EffectiveTimeline projection ran on exactly {runners.Count} node",
             $"it ran on the surviving node {movedAfter.TotalSeconds:0.0} s after the kill"],
            invariant, failures);
    }

    private static async Task<Guid> NodeId(ServiceNode node) =>
        Guid.Parse((await node.Readiness()).GetProperty("checks").GetProperty("database").GetProperty("data").GetProperty("node").GetString()!);

    /// <summary>The nodes whose readiness says they run the EffectiveTimeline projection (a dead node answers nothing).</summary>
    private static async Task<List<Guid>> TimelineRunners(IEnumerable<ServiceNode> nodes)
    {
        var ids = new List<Guid>();
        foreach (var node in nodes)
        {
            try
            {
                var data = (await node.Readiness()).GetProperty("checks").GetProperty("database").GetProperty("data");
                if (data.GetProperty("runsAsyncProjections").EnumerateArray().Any(p => p.GetString()!.StartsWith("EffectiveTimeline", StringComparison.Ordinal)))
                {
                    ids.Add(Guid.Parse(data.GetProperty("node").GetString()!));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or KeyNotFoundException)
            {
                // not answering: it runs nothing
            }
        }
        return ids;
    }

    private static async Task<TimeSpan?> FirstSuccessAfter(WriteLoad load, TimeSpan after, TimeSpan timeout)
    {
        var ok = await Until(() => Task.FromResult(load.Answers.Any(a => a.At > after && a.Status is >= 200 and < 300)), timeout);
        return ok ? load.Answers.Where(a => a.At > after && a.Status is >= 200 and < 300).Min(a => a.At) : null;
    }

    private static async Task<bool> Until(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(250);
        }
        return false;
    }
}
