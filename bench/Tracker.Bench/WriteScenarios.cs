namespace Tracker.Bench;

/// <summary>Scenarios 1 and 2: writes through the REST API, spread out and on one hot commitment.</summary>
public static class WriteScenarios
{
    public static async Task<Section> Writes(Workload work, ServiceProcess service, BareStack bare, LeanClient lean)
    {
        var settings = work.Settings;
        var perClient = settings.WriteCommitments / settings.Clients;
        service.ResetPeak();
        // Both driven by the C load generator, each connection a monitor writing to its own commitments with If-Match at
        // the version it last saw (the bare stack answers no ETag, so its appends go unconditionally).
        var (serviceUrl, bareUrl) = (new Uri(service.BaseUrl), bare.Client.BaseAddress!);
        var serviceWrites = Workload.WriteLines(settings, (commitment, n) => Workload.WriteOf($"w-{commitment}", n));
        var bareAppends = Workload.WriteLines(settings, BareStack.AppendOf);
        Task<LoadResult> Writes(TimeSpan duration) =>
            lean.ClosedLoop(serviceUrl, serviceWrites, settings.Clients, duration, BenchSettings.AdminKey, CommitmentSegments);
        Task<LoadResult> Appends(TimeSpan duration) => lean.ClosedLoop(bareUrl, bareAppends, settings.Clients, duration, writesTo: StreamSegments);
        // The service and the bare stack in turns (Turns), each round after a checkpoint of the database: a measure taken
        // a minute and a half after the other, behind pgbench's inserts and the checkpoint and vacuum they bring, moved the
        // ratio by more than any change did.
        var serviceRounds = new List<LoadResult>();
        var bareRounds = new List<LoadResult>();
        var serviceCpuRounds = new List<(CpuPerRequest, int)>();
        var bareCpuRounds = new List<(CpuPerRequest, int)>();
        var slice = Turns.RoundLength(settings);
        // Both warmed under the same load first, not counted, until the runtime stopped recompiling them (SteadyState).
        var serviceWarmUp = await SteadyState.WarmUntilCompiled(service.ProcessId, HttpLoad.WarmUp, Writes);
        await work.ProjectionsCaughtUp();
        var bareWarmUp = await SteadyState.WarmUntilCompiled(bare.ProcessId, HttpLoad.WarmUp, Appends);
        Console.Error.WriteLine($"writes: warmed (the service {serviceWarmUp.TotalSeconds:0} s, the bare stack {bareWarmUp.TotalSeconds:0} s); measuring");
        var catchUps = new List<TimeSpan>();
        await Turns.Alternate(ServiceRound, BareRound);
        var full = LoadResult.Together(serviceRounds);
        var caughtUp = catchUps.Aggregate(TimeSpan.Zero, (sum, t) => sum + t) / catchUps.Count;
        var bareWrites = LoadResult.Together(bareRounds);
        var cpu = CpuPerRequest.Together(serviceCpuRounds);
        var cpuBare = CpuPerRequest.Together(bareCpuRounds);
        var peak = service.Memory().Peak;

        async Task ServiceRound()
        {
            await work.Checkpoint();
            var serviceCpu = CpuMeter.Start(service.ProcessId, settings);
            var writes = await Writes(slice);
            // The async projections take in the round's writes before anything else runs, and what that costs (in the
            // service and in PostgreSQL) is charged to the round's writes.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await work.ProjectionsCaughtUp();
            catchUps.Add(clock.Elapsed);
            serviceCpuRounds.Add((serviceCpu.PerRequest(writes.Requests), writes.Requests));
            serviceRounds.Add(writes);
        }

        async Task BareRound()
        {
            await work.Checkpoint();
            var bareCpu = CpuMeter.Start(bare.ProcessId, settings);
            var appends = await Appends(slice);
            bareCpuRounds.Add((bareCpu.PerRequest(appends.Requests), appends.Requests));
            bareRounds.Add(appends);
        }

        // Half the measured rate, open loop: one write in flight per commitment (If-Match), latency counted from when due.
        // After a checkpoint, as each round: not behind the flush of the pages the bare stack's last round dirtied; and
        // not beside autovacuum's work on the bare stack's tables (the service's own is left to happen when it happens).
        await work.TidyBareStack();
        await work.Checkpoint();
        var half = await lean.FixedRate(serviceUrl, serviceWrites, full.PerSecond / 2, settings.LoadDuration, settings.Clients * 4,
            BenchSettings.AdminKey, CommitmentSegments);

        await work.ProjectionsCaughtUp();
        // The bare stack at the same rate, the same way: how much of the latency is the machine's (the commit's flush, the
        // load generator) rather than ours.
        await work.Checkpoint();
        var bareHalf = await lean.FixedRate(bareUrl, bareAppends, full.PerSecond / 2, settings.LoadDuration, settings.Clients * 4,
            writesTo: StreamSegments);
        // The versions the .NET client kept are stale now: the scenarios after start again from none.
        work.ETags.Clear();
        var bytes = await work.AverageEventBytes();
        var payload = "{\"pad\":\"" + new string('x', Math.Max(1, (int)bytes - 10)) + "\"}";
        await using (var create = work.Database.CreateCommand("create table if not exists public.bench_docs (id bigserial primary key, data jsonb not null)"))
        {
            await create.ExecuteNonQueryAsync();
        }
        var insert = $"insert into public.bench_docs (data) values ('{payload}'::jsonb);\n";
        var baseline = await Pgbench.Run(settings, insert, settings.Clients, settings.LoadDuration);
        var ratio = full.PerSecond / baseline.Tps;
        var oneClient = await Pgbench.Run(settings, insert, 1, settings.LoadDuration);
        var noFlush = await Pgbench.Run(settings, insert, settings.Clients, settings.LoadDuration, "-c synchronous_commit=off");
        var handWritten = await BareStack.HandWritten(work, payload);
        var toBare = full.PerSecond / bareWrites.PerSecond;

        return new Section("1. Writes",
            $"{settings.Clients} clients, each writing to its own {perClient} of {settings.WriteCommitments} commitments, alternately a progress report " +
            "and a pledge, through the REST API with validation, If-Match at the version last seen, the inline projections, the hash " +
            $"chain trigger and the idempotency and rate-limit middleware, for {Turns.Measured(settings).TotalSeconds:0} s in {Turns.Rounds} rounds, each beside " +
            "a round of the bare stack under the same load (in alternating order, each after a database checkpoint), each warmed first under " +
            $"the same load until the runtime had stopped recompiling it (the service {serviceWarmUp.TotalSeconds:0} s, the bare stack " +
            $"{bareWarmUp.TotalSeconds:0} s; not counted). The load generator is bench/loadgen/loadgen.c (C, one thread, epoll; HTTP/1.1 " +
            "keep-alive connections, each keeping the ETag its commitments' last answers gave). Baseline: pgbench, " +
            $"the same {settings.Clients} clients, each transaction one INSERT of a {bytes:0}-byte jsonb row (the average event size).",
            [
                new("throughput, closed loop", $"{full.PerSecond:0} writes/s", $"{baseline.Tps:0} inserts/s", $"{ratio:P0}", "≥ 40%", ratio >= 0.4,
                    BenchReport.Below(ratio * 100, 40, "%", "0", " of the insert rate")),
                new("throughput against the bare stack (Marten + Wolverine, one event and a small inline snapshot)",
                    $"{full.PerSecond:0} writes/s", $"{bareWrites.PerSecond:0} appends/s", $"{toBare:P1}", "≥ 80%", toBare >= 0.8,
                    BenchReport.Below(toBare * 100, 80, "%", "0.0", " of the bare stack")),
                new($"each of the {Turns.Rounds} rounds against the bare stack's round beside it (the spread)",
                    string.Join(", ", serviceRounds.Zip(bareRounds, (ours, theirs) => $"{ours.PerSecond:0}/{theirs.PerSecond:0} = {ours.PerSecond / theirs.PerSecond:P0}"))),
                new("throughput against a hand-written SQL transaction (bump the version, insert the event, upsert a snapshot; pgbench)",
                    $"{full.PerSecond:0} writes/s", $"{handWritten.Tps:0} transactions/s", $"{full.PerSecond / handWritten.Tps:P0}"),
                new("the bare stack against pgbench's insert", $"{bareWrites.PerSecond:0} appends/s, p99 {bareWrites.P99Ms:0.0} ms",
                    $"{baseline.Tps:0} inserts/s", $"{bareWrites.PerSecond / baseline.Tps:P0}"),
                new("pgbench's insert at 1 client, and at 16 with synchronous_commit off (the commit's flush)",
                    $"{oneClient.Tps:0} inserts/s at 1 client; {noFlush.Tps:0}/s without the flush", $"{baseline.Tps:0} inserts/s"),
                new("CPU per write, closed loop (the service against the bare stack; the service's includes its async projections' catch-up after each round)",
                    cpu.ToString(), cpuBare.ToString()),
                new("the async projections caught up after each round (not counted in the round's time)", $"{caughtUp.TotalMilliseconds:0} ms on average"),
                new("latency, closed loop", $"p50 {full.P50Ms:0.0} / p95 {full.P95Ms:0.0} / p99 {full.P99Ms:0.0} ms", $"avg {baseline.AverageLatencyMs:0.0} ms"),
                new($"latency at half load ({half.PerSecond:0} writes/s, open loop, after {HttpLoad.WarmUp.TotalSeconds:0} s at that rate)", $"p50 {half.P50Ms:0.0} / p95 {half.P95Ms:0.0} / p99 {half.P99Ms:0.0} ms",
                    Target: "p99 < 50 ms", Met: half.P99Ms < 50,
                    By: BenchReport.Above(half.P99Ms, 50, " ms", "0.0")),
                new($"latency at the same rate, the bare stack ({bareHalf.PerSecond:0} appends/s, open loop, after {HttpLoad.WarmUp.TotalSeconds:0} s at that rate)",
                    $"p50 {bareHalf.P50Ms:0.0} / p95 {bareHalf.P95Ms:0.0} / p99 {bareHalf.P99Ms:0.0} ms"),
                new("errors", $"{full.Errors + half.Errors} of {full.Requests + half.Requests} (the bare stack: {bareWrites.Errors + bareHalf.Errors} of {bareWrites.Requests + bareHalf.Requests})"),
                new("service peak memory", $"{peak:0} MiB", Target: "< 400 MB", Met: peak < 381,
                    By: BenchReport.Above(peak, 381, " MiB", note: " (400 MB)"))
            ], []);
    }

    /// <summary>The segments of a write's path that name what it writes to: /api/commitments/{key}, /bare/{id}.</summary>
    private const int CommitmentSegments = 3, StreamSegments = 2;

    public static async Task<Section> HotSpot(Workload work, ServiceProcess service)
    {
        var settings = work.Settings;
        var statuses = new System.Collections.Concurrent.ConcurrentBag<int>();
        var retried = 0;
        var result = await HttpLoad.ClosedLoop(settings.Clients, settings.LoadDuration, async (_, n) =>
        {
            for (var attempt = 0; ; attempt++)
            {
                var (recorded, status) = await work.WriteWithIfMatch("hot", n);
                statuses.Add(status);
                if (recorded || status != 412 || attempt == 20) return recorded;
                Interlocked.Increment(ref retried);
            }
        });
        var accepted = statuses.Count(s => s is >= 200 and < 300);
        var conflicted = statuses.Count(s => s == 412);
        var failed = statuses.Count(s => s >= 500);
        return new Section("2. Hot-spot writes",
            $"{settings.Clients} clients writing to one commitment with If-Match for {settings.LoadDuration.TotalSeconds:0} s; a 412 re-reads the " +
            "version and tries again (up to 20 times).",
            [
                new("accepted", $"{accepted} ({accepted / settings.LoadDuration.TotalSeconds:0}/s)"),
                new("conflicted (412, then retried)", $"{conflicted} ({retried} retries)"),
                new("5xx", $"{failed}", Target: "0", Met: failed == 0),
                new("latency per write, retries included", $"p50 {result.P50Ms:0.0} / p95 {result.P95Ms:0.0} / p99 {result.P99Ms:0.0} ms")
            ], []);
    }
}
