namespace Tracker.Bench;

/// <summary>Scenario 3: reads of the progress model by key and of the dashboard.</summary>
public static class ReadScenarios
{
    public static async Task<Section> Reads(Workload work, ServiceProcess service, BareStack bare, LeanClient lean)
    {
        var settings = work.Settings;
        service.ResetPeak();
        var (serviceUrl, bareUrl) = (new Uri(service.BaseUrl), bare.Client.BaseAddress!);
        string[] commitments = [.. Enumerable.Range(0, settings.WriteCommitments).Select(n => $"/api/commitments/w-{n}")];
        string[] snapshots = [.. Enumerable.Range(0, settings.WriteCommitments).Select(n => $"/bare/{BareStack.StreamId(n)}")];
        Task<LoadResult> ReadCommitments(TimeSpan duration) => lean.ClosedLoop(serviceUrl, commitments, settings.Clients, duration, BenchSettings.AdminKey);
        Task<LoadResult> BareReads(TimeSpan duration) => lean.ClosedLoop(bareUrl, snapshots, settings.Clients, duration);
        await work.ProjectionsCaughtUp(); // the daemon's work on the writes before is not the reads' cost
        // The service and the bare stack in turns (Turns), both warmed first under the same load, not counted, until the
        // runtime stopped recompiling them (SteadyState).
        var serviceWarmUp = await SteadyState.WarmUntilCompiled(service.ProcessId, HttpLoad.WarmUp, ReadCommitments);
        var bareWarmUp = await SteadyState.WarmUntilCompiled(bare.ProcessId, HttpLoad.WarmUp, BareReads);
        var (serviceRounds, bareRounds) = (new List<LoadResult>(), new List<LoadResult>());
        var (serviceCpuRounds, bareCpuRounds) = (new List<(CpuPerRequest, int)>(), new List<(CpuPerRequest, int)>());
        var slice = Turns.RoundLength(settings);
        await Turns.Alternate(async () =>
        {
            var serviceCpu = CpuMeter.Start(service.ProcessId, settings);
            var reads = await ReadCommitments(slice);
            serviceCpuRounds.Add((serviceCpu.PerRequest(reads.Requests), reads.Requests));
            serviceRounds.Add(reads);
        }, async () =>
        {
            var bareCpu = CpuMeter.Start(bare.ProcessId, settings);
            var loads = await BareReads(slice);
            bareCpuRounds.Add((bareCpu.PerRequest(loads.Requests), loads.Requests));
            bareRounds.Add(loads);
        });
        var byKey = LoadResult.Together(serviceRounds);
        var bareReads = LoadResult.Together(bareRounds);
        var cpu = CpuPerRequest.Together(serviceCpuRounds);
        var cpuBare = CpuPerRequest.Together(bareCpuRounds);
        var byKeyHalf = await lean.FixedRate(serviceUrl, commitments, byKey.PerSecond / 2, settings.LoadDuration, settings.Clients * 4, BenchSettings.AdminKey);
        var dashboard = await lean.ClosedLoop(serviceUrl, ["/api/dashboard"], settings.Clients, settings.LoadDuration, BenchSettings.AdminKey);
        var peak = service.Memory().Peak;
        await work.ProjectionsCaughtUp();

        await using (var create = work.Database.CreateCommand("create table if not exists public.bench_docs (id bigserial primary key, data jsonb not null)"))
        {
            await create.ExecuteNonQueryAsync(); // --only 3 runs without the write scenario that otherwise creates it
        }
        await using (var rows = work.Database.CreateCommand("select count(*) from public.bench_docs"))
        {
            if ((long)(await rows.ExecuteScalarAsync())! < 10_000)
            {
                await using var fill = work.Database.CreateCommand(
                    "insert into public.bench_docs (data) select jsonb_build_object('pad', repeat('x', 400)) from generate_series(1, 10000)");
                await fill.ExecuteNonQueryAsync();
            }
        }
        var baseline = await Pgbench.Run(settings, "\\set id random(1, 10000)\nselect data from public.bench_docs where id = :id;\n",
            settings.Clients, settings.LoadDuration);
        var ratio = byKey.PerSecond / baseline.Tps;
        var toBare = byKey.PerSecond / bareReads.PerSecond;
        var commitmentBytes = (await work.Client.GetByteArrayAsync("/api/commitments/w-0")).Length;

        return new Section("3. Reads",
            $"{settings.Clients} clients reading, one commitment's progress model by key for {Turns.Measured(settings).TotalSeconds:0} s " +
            $"(in {Turns.Rounds} rounds, each beside a round of the bare stack's load by id, in alternating order, after both were warmed " +
            $"until the runtime had stopped recompiling them: the service {serviceWarmUp.TotalSeconds:0} s, the bare stack {bareWarmUp.TotalSeconds:0} s) " +
            $"(about {commitmentBytes / 1024.0:0.0} KiB of JSON after the write scenarios), then the dashboard " +
            $"(summarised at read time from {settings.WriteCommitments + 1} commitments). The load generator is bench/loadgen/loadgen.c " +
            "(C, one thread, epoll; HTTP/1.1 keep-alive connections). Baseline: pgbench, the same clients, " +
            "each transaction one SELECT of a jsonb document by primary key.",
            [
                new("commitment by key, closed loop", $"{byKey.PerSecond:0} reads/s", $"{baseline.Tps:0} selects/s", $"{ratio:P0}", "≥ 30%", ratio >= 0.3,
                    BenchReport.Below(ratio * 100, 30, "%", "0", " of the select rate")),
                new("commitment by key against the bare stack (Marten + Wolverine, a small snapshot loaded by id)",
                    $"{byKey.PerSecond:0} reads/s", $"{bareReads.PerSecond:0} loads/s", $"{toBare:P1}", "≥ 80%", toBare >= 0.8,
                    BenchReport.Below(toBare * 100, 80, "%", "0.0", " of the bare stack")),
                new($"each of the {Turns.Rounds} rounds against the bare stack's round beside it (the spread)",
                    string.Join(", ", serviceRounds.Zip(bareRounds, (ours, theirs) => $"{ours.PerSecond:0}/{theirs.PerSecond:0} = {ours.PerSecond / theirs.PerSecond:P0}"))),
                new("the bare stack against pgbench's select", $"{bareReads.PerSecond:0} loads/s", $"{baseline.Tps:0} selects/s",
                    $"{bareReads.PerSecond / baseline.Tps:P0}"),
                new("CPU per read by key, closed loop (the service against the bare stack)", cpu.ToString(), cpuBare.ToString()),
                new("commitment by key, latency closed loop", $"p50 {byKey.P50Ms:0.0} / p95 {byKey.P95Ms:0.0} / p99 {byKey.P99Ms:0.0} ms", $"avg {baseline.AverageLatencyMs:0.0} ms"),
                new($"commitment by key at half load ({byKeyHalf.PerSecond:0}/s, after {HttpLoad.WarmUp.TotalSeconds:0} s at that rate)", $"p50 {byKeyHalf.P50Ms:0.0} / p95 {byKeyHalf.P95Ms:0.0} / p99 {byKeyHalf.P99Ms:0.0} ms",
                    Target: "p99 < 20 ms", Met: byKeyHalf.P99Ms < 20,
                    By: BenchReport.Above(byKeyHalf.P99Ms, 20, " ms", "0.0")),
                new("dashboard, closed loop", $"{dashboard.PerSecond:0} reads/s, p50 {dashboard.P50Ms:0.0} / p95 {dashboard.P95Ms:0.0} / p99 {dashboard.P99Ms:0.0} ms"),
                new("service peak memory", $"{peak:0} MiB", Target: "< 400 MB", Met: peak < 381,
                    By: BenchReport.Above(peak, 381, " MiB", note: " (400 MB)"))
            ], []);
    }
}
