using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Tracker.Bench;

/// <summary>The data the scenarios share: a source document and the commitments monitors write to.</summary>
public sealed class Workload(BenchSettings settings, HttpClient client, NpgsqlDataSource database)
{
    public ConcurrentDictionary<string, string> ETags { get; } = new();
    public HttpClient Client => client;
    public NpgsqlDataSource Database => database;
    public BenchSettings Settings => settings;

    public async Task Prepare()
    {
        // Published after every fact the scenarios cite it for (a text records nothing that happened after it); the
        // commitments are stated on 2025-01-01, a day it reports.
        await Post("/api/documents", new { key = "bench-doc", title = "A communiqué for the benchmarks", publishedOn = "2025-07-01", kind = "communique", primary = true });
        for (var i = 0; i < settings.WriteCommitments; i++) await StateCommitment($"w-{i}");
        await StateCommitment("hot");
        // One pledge carried to a committed stage: the event generator copies the shape of each kind of event it writes.
        await StateCommitment("stage-template");
        await Post("/api/commitments/stage-template/pledges", new { pledger = "Member 0", pledgeId = "template-1",
            amount = new { amount = 1_000m, currency = "USD" }, announcedOn = "2025-06-01", source = new { documentKey = "bench-doc", primary = true } });
        await Post("/api/commitments/stage-template/pledges/template-1/stages", new { stage = "committed",
            amount = new { amount = 500m, currency = "USD" }, on = "2025-07-01", source = new { documentKey = "bench-doc", primary = true } });
    }

    /// <summary>
    /// Every endpoint the scenarios call, called a few times first: the runtime JIT-compiles each endpoint's code on its
    /// first calls, which is start-up cost, not throughput.
    /// </summary>
    /// <summary>Waits until the async daemon's effective timeline has taken in every event in the log.</summary>
    public async Task TimelineCaughtUp()
    {
        var until = DateTime.UtcNow.AddMinutes(10);
        while (DateTime.UtcNow < until)
        {
            await using var command = database.CreateCommand("""
                select coalesce((select max(seq_id) from tracker.mt_events), 0)
                     - coalesce((select min(last_seq_id) from tracker.mt_event_progression where name like 'EffectiveTimeline:%'), 0)
                """);
            if ((long)(await command.ExecuteScalarAsync())! <= 0) return;
            await Task.Delay(50);
        }
        throw new TimeoutException("The effective timeline did not catch up with the log within 10 minutes.");
    }

    /// <summary>
    /// Waits until every async projection has caught up with the log (its shards are the progress rows named
    /// "Projection:Shard"; Marten keeps bookkeeping rows beside them, such as a stuck gap's position), so a baseline measured next (the bare stack) does
    /// not share the machine with the service's daemon still working through the load just measured.
    /// </summary>
    public async Task ProjectionsCaughtUp()
    {
        var until = DateTime.UtcNow.AddMinutes(10);
        while (DateTime.UtcNow < until)
        {
            await using var command = database.CreateCommand("""
                select coalesce((select max(seq_id) from tracker.mt_events), 0)
                     - coalesce((select min(last_seq_id) from tracker.mt_event_progression where name like '%:%'), 0)
                """);
            if ((long)(await command.ExecuteScalarAsync())! <= 0) return;
            await Task.Delay(50);
        }
        throw new TimeoutException("The async projections did not catch up with the log within 10 minutes.");
    }

    /// <summary>
    /// A database checkpoint now, so the dirty pages a measure before left are not written out during the next (the
    /// harness connects as the superuser).
    /// </summary>
    public async Task Checkpoint()
    {
        await using var command = database.CreateCommand("checkpoint");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The bare stack's tables vacuumed and analysed: what its rounds left for autovacuum is not done during a measurement
    /// of the service (its analysis of its events' jsonb took a core for a second under the service's half load).
    /// </summary>
    public async Task TidyBareStack()
    {
        var tables = new List<string>();
        await using (var list = database.CreateCommand("select format('%I.%I', schemaname, tablename) from pg_tables where schemaname = 'bare'"))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        foreach (var table in tables)
        {
            await using var vacuum = database.CreateCommand($"vacuum analyze {table}");
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync();
        }
    }

    public async Task WarmUp()
    {
        for (var n = 0; n < 40; n++) await WriteWithIfMatch($"w-{n % settings.WriteCommitments}", n);
        foreach (var url in new[] { "/api/commitments/w-0", "/api/dashboard", "/api/commitments/w-0?version=2",
                     "/api/commitments/w-0?effectiveAsOf=2025-01-01", $"/api/dashboard?recordedAsOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}" })
        {
            for (var i = 0; i < 5; i++)
            {
                using var response = await client.GetAsync(url);
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode}");
            }
        }
    }

    public async Task StateCommitment(string key)
    {
        using var response = await Post("/api/commitments", new
        {
            key, title = $"Benchmark goal {key}", kind = "financial", lineOfEffort = "stabilisation", actors = new[] { "coalition" },
            target = new { amount = 1_000_000_000_000m, currency = "USD" }, statedIn = new { documentKey = "bench-doc", quote = "a goal" },
            statedOn = "2025-01-01"
        });
        ETags[key] = response.Headers.ETag!.Tag;
    }

    private async Task<HttpResponseMessage> Post(string url, object body)
    {
        var response = await client.PostAsJsonAsync(url, body);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    /// <summary>A client's n-th write to a commitment: a progress report or a pledge (alternately), the route and its body.</summary>
    public static (string Path, object Body) WriteOf(string key, long n) => n % 2 == 0
        ? ($"/api/commitments/{key}/progress",
           new { figure = 1000m + n, currency = "USD", comparator = "exactly", asOf = "2025-06-01", source = new { documentKey = "bench-doc", primary = true } })
        : ($"/api/commitments/{key}/pledges",
           new { pledger = $"Member {n % 40}", amount = new { amount = 1000m + n, currency = "USD" }, announcedOn = "2025-06-01", source = new { documentKey = "bench-doc", primary = true } });

    /// <summary>
    /// The write scenario's requests for the C load generator (<see cref="LeanClient"/>, each connection its own lines):
    /// connection c's j-th request is line c + clients * j, which writes to the c-th client's commitments in turn, as
    /// <see cref="WriteOf"/> (a report, then a pledge, to each), for 80 requests before it starts again.
    /// </summary>
    public static string[] WriteLines(BenchSettings settings, Func<int, long, (string Path, object Body)> write)
    {
        var perClient = settings.WriteCommitments / settings.Clients;
        return [.. Enumerable.Range(0, WriteCycle * settings.Clients).Select(line =>
        {
            var (client, j) = (line % settings.Clients, line / settings.Clients);
            var (path, body) = write(client * perClient + (int)(j / 2 % perClient), j);
            return $"POST {path} {JsonSerializer.Serialize(body)}";
        })];
    }

    /// <summary>Requests per connection before its lines repeat: 40 reports and 40 pledges (from Members 1, 3, ..., 39).</summary>
    private const int WriteCycle = 80;

    /// <summary>A progress report or a pledge (alternately), with If-Match at the version last seen.</summary>
    public static HttpRequestMessage Write(string key, long n, string? etag)
    {
        var (path, body) = WriteOf(key, n);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (etag is not null) request.Headers.TryAddWithoutValidation("If-Match", etag);
        return request;
    }

    /// <summary>Sends a write with If-Match; a 412 re-reads the version. True when it was recorded.</summary>
    public async Task<(bool Recorded, int Status)> WriteWithIfMatch(string key, long n)
    {
        using var request = Write(key, n, ETags.GetValueOrDefault(key));
        using var response = await client.SendAsync(request);
        if (response.IsSuccessStatusCode)
        {
            if (response.Headers.ETag is { } tag) ETags[key] = tag.Tag;
            return (true, (int)response.StatusCode);
        }
        if ((int)response.StatusCode == 412)
        {
            using var current = await client.GetAsync($"/api/commitments/{key}");
            if (current.Headers.ETag is { } tag) ETags[key] = tag.Tag;
        }
        return (false, (int)response.StatusCode);
    }

    public async Task<double> AverageEventBytes()
    {
        await using var command = database.CreateCommand(
            "select coalesce(avg(length(data::text)), 300) from tracker.mt_events where type in ('progress_reported', 'pledge_announced')");
        return Convert.ToDouble(await command.ExecuteScalarAsync());
    }

    public async Task<long> EventCount()
    {
        await using var command = database.CreateCommand("select count(*) from tracker.mt_events");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<long> HighestSequence()
    {
        await using var command = database.CreateCommand("select coalesce(max(seq_id), 0) from tracker.mt_events");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>How far the async daemon has projected a projection (its slowest shard).</summary>
    public async Task<long> DaemonPosition(string projection)
    {
        await using var command = database.CreateCommand(
            "select coalesce(min(last_seq_id), 0) from tracker.mt_event_progression where name like $1 || ':%'");
        command.Parameters.AddWithValue(projection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<JsonElement> GetJson(string url) => await client.GetFromJsonAsync<JsonElement>(url);
}
