using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;

namespace Tracker.Faults;

/// <summary>What one request got: when, from which node, and its status (0 when the service could not be reached).</summary>
public sealed record Answer(TimeSpan At, string Node, string Correlation, int Status, bool RetryAfter);

/// <summary>
/// Monitors writing as fast as they can: pledges and evidence on the scenario's commitments, each with its own
/// correlation id, through the given nodes in turn. A write counts as acknowledged when it got a 2xx.
/// </summary>
public sealed class WriteLoad(string scenario, IReadOnlyList<ServiceNode> nodes, int clients)
{
    public const int Commitments = 10;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public ConcurrentQueue<Answer> Answers { get; } = new();
    public string Prefix => $"{scenario}-";
    public TimeSpan Now => _clock.Elapsed;

    public IEnumerable<string> Acknowledged => Answers.Where(a => a.Status is >= 200 and < 300).Select(a => a.Correlation);

    public static async Task Prepare(ServiceNode node)
    {
        await Post(node.Client, "/api/documents", new
        {
            key = "fault-doc", title = "A communiqué for the fault scenarios", publishedOn = "2025-01-01", kind = "communique",
            primary = true
        }, allowConflict: true);
        for (var i = 0; i < Commitments; i++)
        {
            await Post(node.Client, "/api/commitments", new
            {
                key = $"fault-goal-{i}", title = $"Fault scenario goal {i}", kind = "financial", lineOfEffort = "stabilisation",
                actors = new[] { "coalition" }, target = new { amount = 1_000_000_000m, currency = "USD" },
                statedIn = new { documentKey = "fault-doc", quote = "a goal" }
            }, allowConflict: true);
        }
    }

    /// <summary>One pledge of 1,000 USD by the named pledger.</summary>
    public static Task Pledge(ServiceNode node, string goal, string pledger) =>
        Post(node.Client, $"/api/commitments/{goal}/pledges", new
        {
            pledger, amount = new { amount = 1000m, currency = "USD" }, announcedOn = "2025-01-01",
            source = new { documentKey = "fault-doc", primary = true }
        }, allowConflict: false);

    private static async Task Post(HttpClient client, string url, object body, bool allowConflict)
    {
        using var response = await client.PostAsJsonAsync(url, body);
        if (!response.IsSuccessStatusCode && !(allowConflict && (int)response.StatusCode == 409))
        {
            throw new InvalidOperationException($"POST {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public Task Run(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(() => Client(client, stop))));

    private async Task Client(int client, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var node = nodes[(client + n) % nodes.Count];
            var correlation = $"{Prefix}{client}-{n}";
            var goal = $"fault-goal-{(client * 7 + n) % Commitments}";
            var (url, body) = n % 2 == 0
                ? ($"/api/commitments/{goal}/pledges", (object)new
                {
                    pledger = $"Member {client % 6}", amount = new { amount = 1000m + n, currency = "USD" }, announcedOn = "2025-01-01",
                    source = new { documentKey = "fault-doc", primary = true }
                })
                : ($"/api/commitments/{goal}/evidence", new { url = $"https://example.org/{correlation}", primary = false, note = correlation });
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
            request.Headers.Add("X-Correlation-Id", correlation);
            try
            {
                using var response = await node.Client.SendAsync(request, CancellationToken.None);
                Answers.Enqueue(new Answer(Now, node.Name, correlation, (int)response.StatusCode, response.Headers.RetryAfter is not null));
                if (!response.IsSuccessStatusCode) await Task.Delay(100, CancellationToken.None);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Answers.Enqueue(new Answer(Now, node.Name, correlation, 0, false));
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    public string Summary()
    {
        var byStatus = Answers.GroupBy(a => a.Status).OrderBy(g => g.Key)
            .Select(g => $"{g.Count()} x {(g.Key == 0 ? "unreachable" : g.Key.ToString())}");
        return $"{Answers.Count} writes attempted: {string.Join(", ", byStatus)}";
    }
}
