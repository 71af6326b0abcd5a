using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace Tracker.Bench;

/// <summary>
/// The bare stack (bench/Tracker.Bare): Marten and Wolverine with nothing of ours, one small inline snapshot, on the same
/// PostgreSQL server. Driven by the same load generator as the service, so the ratio says what our features cost.
/// </summary>
public sealed class BareStack(BenchSettings settings, int port) : IDisposable
{
    private Process? _process;
    public HttpClient Client { get; } = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(1) };

    private string Dll => Path.Combine(settings.Repo, "bench", "Tracker.Bare", "bin", "Release", "net10.0", "Tracker.Bare.dll");

    public int ProcessId => _process!.Id;

    /// <summary>Stream n's id, from 1: stream 0 was Guid.Empty, which Marten refuses, so 1 in 64 of the bare stack's appends
    /// and loads had failed at once and been counted in its rate (found 2026-12-03).</summary>
    public static Guid StreamId(int n) => new(n + 1, 0, 0, new byte[8]);

    public async Task Start()
    {
        var start = new ProcessStartInfo("dotnet", [Dll])
        {
            WorkingDirectory = Path.GetDirectoryName(Dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = Client.BaseAddress!.ToString().TrimEnd('/');
        start.Environment["ConnectionStrings__Bare"] = settings.Connection;
        _process = Process.Start(start)!;
        var log = File.AppendText(Path.Combine(settings.Artifacts, "bare.log"));
        log.AutoFlush = true;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The bare stack exited with {_process.ExitCode}; see bare.log");
            try
            {
                using var response = await Client.GetAsync($"/bare/{Guid.NewGuid()}");
                if ((int)response.StatusCode is 200 or 404) break;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("The bare stack was not ready within 2 minutes");
            await Task.Delay(50);
        }
        for (var n = 0; n < settings.WriteCommitments; n++)
        {
            using var started = await Client.PostAsJsonAsync("/bare", new { id = StreamId(n), name = $"bare-{n}" });
            started.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Stream n's append for a client's n-th request: the route and its body.</summary>
    public static (string Path, object Body) AppendOf(int stream, long n) => ($"/bare/{StreamId(stream)}", new { amount = 1000m + n });

    public async Task<bool> Read(int stream)
    {
        using var response = await Client.GetAsync($"/bare/{StreamId(stream)}");
        await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode;
    }

    /// <summary>A hand-written SQL transaction doing an event-sourced write's minimum: bump the stream's version, insert the event, upsert a snapshot.</summary>
    public static async Task<Pgbench.Result> HandWritten(Workload work, string payload)
    {
        await using (var create = work.Database.CreateCommand("""
            create table if not exists public.bench_streams (id int primary key, version bigint not null);
            create table if not exists public.bench_events (stream_id int not null, version bigint not null, data jsonb not null,
                primary key (stream_id, version));
            create table if not exists public.bench_snapshots (id int primary key, version bigint not null, data jsonb not null);
            insert into public.bench_streams select g, 0 from generate_series(1, 64) g on conflict do nothing;
            """))
        {
            await create.ExecuteNonQueryAsync();
        }
        var script = $"""
            \set id random(1, 64)
            BEGIN;
            UPDATE public.bench_streams SET version = version + 1 WHERE id = :id;
            INSERT INTO public.bench_events (stream_id, version, data) SELECT id, version, '{payload}'::jsonb FROM public.bench_streams WHERE id = :id;
            INSERT INTO public.bench_snapshots (id, version, data) SELECT id, version, jsonb_build_object('count', version) FROM public.bench_streams WHERE id = :id
              ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data;
            COMMIT;

            """;
        return await Pgbench.Run(work.Settings, script, work.Settings.Clients, work.Settings.LoadDuration);
    }

    public void Dispose()
    {
        if (_process is not { HasExited: false }) return;
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            term.WaitForExit();
        }
        if (!_process.WaitForExit(TimeSpan.FromSeconds(20))) _process.Kill(entireProcessTree: true);
    }
}
