using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Alba;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Faults;

public sealed class races_and_retries(TrackerApp app) : TrackerTest(app)
{
    private const string Evidence = $"/api/commitments/{Goal}/evidence";

    private static HttpRequestMessage EvidenceRequest(string correlation, string? ifMatch = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Evidence)
        {
            Content = JsonContent.Create(new { url = $"https://example.org/{correlation}", primary = false, note = correlation })
        };
        request.Headers.Add("X-Correlation-Id", correlation);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    [Fact]
    public async Task a_rebuild_sent_twice_at_once_with_one_idempotency_key_starts_once_and_both_answer_with_it()
    {
        await Api.StatedTheStabilisationGoal();
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Api.Scenario(s =>
        {
            s.Post.Url("/api/admin/projections/DashboardRollup/rebuild");
            s.WithRequestHeader("Idempotency-Key", key);
            s.StatusCodeShouldBe(202);
        })));

        // Until 2026-12-07 the repeat was often refused with the 409 naming the rebuild its own key had started.
        answers.Select(a => a.Context.Response.Headers.Location.ToString()).Distinct().ShouldHaveSingleItem();
        answers.Count(a => a.Context.Response.Headers["Idempotent-Replayed"].ToString() == "true").ShouldBe(1);
    }

    [Fact]
    public async Task fifty_racing_writers_without_if_match_are_each_recorded_once()
    {
        await Api.StatedTheStabilisationGoal();
        var client = Api.Server.CreateClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var response = await client.SendAsync(EvidenceRequest($"race-{i}"));
            return (Id: $"race-{i}", Status: (int)response.StatusCode);
        }));

        answers.Where(a => a.Status >= 500).ShouldBeEmpty();
        var accepted = answers.Where(a => a.Status is >= 200 and < 300).Select(a => a.Id).ToList();
        accepted.Count.ShouldBe(50, "writers without If-Match queue on the stream and are all recorded");
        var events = await Api.EventsPerCorrelation("race-");
        LogInvariant.EachAcknowledgedWriteIsInTheLogOnce(accepted, events);
        events.Count.ShouldBe(accepted.Count);
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    [Fact]
    public async Task fifty_racing_writers_with_the_same_if_match_record_exactly_one()
    {
        await Api.StatedTheStabilisationGoal();
        var client = Api.Server.CreateClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var response = await client.SendAsync(EvidenceRequest($"match-{i}", ifMatch: "\"1\""));
            return (Id: $"match-{i}", Status: (int)response.StatusCode);
        }));

        answers.Where(a => a.Status >= 500).ShouldBeEmpty();
        answers.Count(a => a.Status == 201 || a.Status == 200).ShouldBe(1);
        answers.Count(a => a.Status == 412).ShouldBe(49);
        var events = await Api.EventsPerCorrelation("match-");
        LogInvariant.EachAcknowledgedWriteIsInTheLogOnce(answers.Where(a => a.Status < 300).Select(a => a.Id).ToList(), events);
        events.Count.ShouldBe(1);
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }

    /// <summary>
    /// Forty clients each give up on their first attempt after a random timeout (0 to 40 ms, so some give up while the
    /// write is still running and some after it committed) and retry once at a random moment with the same
    /// Idempotency-Key. A retry sent while its first attempt still runs waits for it: every retry gets a final answer.
    /// </summary>
    [Fact]
    public async Task clients_that_time_out_and_retry_with_the_same_key_record_each_write_once()
    {
        await Api.StatedTheStabilisationGoal();
        var client = Api.Server.CreateClient();
        var random = new Random(20261123);
        var plans = Enumerable.Range(0, 40).Select(i => (Id: $"retry-{i}", Key: Guid.NewGuid().ToString(),
            Timeout: random.Next(0, 40), RetryAfter: random.Next(0, 30))).ToList();
        var acknowledged = new ConcurrentBag<string>();
        var statuses = new ConcurrentBag<int>();

        await Task.WhenAll(plans.Select(async plan =>
        {
            var first = Task.Run(async () =>
            {
                using var timeout = new CancellationTokenSource(plan.Timeout);
                try
                {
                    using var response = await client.SendAsync(EvidenceRequest(plan.Id, idempotencyKey: plan.Key), timeout.Token);
                    statuses.Add((int)response.StatusCode);
                    if (response.IsSuccessStatusCode) acknowledged.Add(plan.Id);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up: it does not know whether the write happened.
                }
            });
            await Task.Delay(plan.RetryAfter);
            using (var response = await client.SendAsync(EvidenceRequest(plan.Id, idempotencyKey: plan.Key)))
            {
                statuses.Add((int)response.StatusCode);
                response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
                acknowledged.Add(plan.Id);
            }
            await first;
        }));

        statuses.Where(s => s >= 500).ShouldBeEmpty();
        var ids = acknowledged.Distinct().ToList();
        ids.Count.ShouldBe(plans.Count, "every client got a final answer on its retry");
        var events = await Api.EventsPerCorrelation("retry-");
        LogInvariant.EachAcknowledgedWriteIsInTheLogOnce(ids, events);
        events.Count.ShouldBe(plans.Count);
        await Api.ProjectionsShouldEqualAFreshRebuild();
    }
}
