using System.Diagnostics;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Tracker.Api.Infrastructure.Telemetry;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;
using static Tracker.Tests.Commitments.CommitmentScenarios;

namespace Tracker.Tests.Platform;

/// <summary>What an operator's OpenTelemetry collector receives from one write, through an in-memory exporter.</summary>
public sealed class what_an_operator_sees(TrackerApp app) : TrackerTest(app)
{
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];

    private Task<IAlbaHost> AnInstrumentedNode() => TrackerApp.StartHostWith("Development", services => services
        .AddOpenTelemetry()
        .WithTracing(tracing => tracing.AddInMemoryExporter(_spans))
        .WithMetrics(metrics => metrics.AddInMemoryExporter(_metrics)), ("Telemetry:Enabled", "true"));

    [Fact]
    public async Task one_write_yields_spans_from_the_request_down_to_the_database_naming_the_commitment_and_its_events()
    {
        await using var node = await AnInstrumentedNode();
        await node.StatedTheStabilisationGoal();

        var pledged = await node.Write($"/api/commitments/{Goal}/pledges", GermanPledge(), 201,
            ("X-Correlation-Id", "pledge-from-the-story"));
        // The request's span ends once its response is complete, which may be just after the test has it.
        var request = await ReadModels.Eventually.Until(() =>
        {
            node.Services.GetRequiredService<TracerProvider>().ForceFlush();
            lock (_spans)
            {
                return Task.FromResult(_spans.FirstOrDefault(s => s.Kind == ActivityKind.Server &&
                                                                  s.GetTagItem("http.route") is "/api/commitments/{key}/pledges" &&
                                                                  s.GetTagItem("tracker.correlation_id") is "pledge-from-the-story"));
            }
        }, span => span is not null, TimeSpan.FromSeconds(10));
        List<Activity> trace;
        lock (_spans) trace = _spans.Where(s => s.TraceId == request!.TraceId).ToList();
        request!.GetTagItem(TrackerTelemetry.CommitmentKeyTag).ShouldBe(Goal);
        ((string)request.GetTagItem(TrackerTelemetry.EventTypesTag)!).Split(',').ShouldContain("pledge_announced");
        trace.ShouldContain(s => s.Source.Name == "Npgsql" && s.Kind == ActivityKind.Client);
        // The database's spans are in the request's trace, inside its time.
        trace.Where(s => s.Source.Name == "Npgsql").ShouldAllBe(s => s.StartTimeUtc >= request.StartTimeUtc &&
                                                                   s.StartTimeUtc + s.Duration <= request.StartTimeUtc + request.Duration);
        pledged.Context.Response.Headers["X-Correlation-Id"].ToString().ShouldBe("pledge-from-the-story");
        // What the log records does not depend on the telemetry: a client's write has no cause (until 2026-12-07 its
        // events took the request's traceparent as their causation id while spans were recorded).
        await using var session = Store.QuerySession();
        (await session.Events.FetchStreamAsync(Tracker.Domain.StreamIds.ForCommitment(Goal)))
            .ShouldAllBe(e => e.CausationId == null);
    }

    [Fact]
    public async Task the_metrics_count_events_by_type_and_refused_writes_by_rule()
    {
        await using var node = await AnInstrumentedNode();
        await node.StatedTheStabilisationGoal();
        await node.Write($"/api/commitments/{Goal}/pledges", GermanPledge(), 201);
        // More disbursed than pledged: a rule refuses it.
        await node.Write($"/api/commitments/{Goal}/pledges/germany-1/stages", Disbursement(25_000_001m), 422);

        node.Services.GetRequiredService<MeterProvider>().ForceFlush();

        var appended = Points("marten.event.append").ToList();
        var refused = Points("tracker.writes.refused").ToList();
        appended.ShouldContain(p => Tag(p, "event.type") == "pledge_announced" && p.GetSumLong() >= 1);
        refused.ShouldContain(p => Tag(p, "rule") == "stage-exceeds-pledge" && p.GetSumLong() >= 1);
    }

    /// <summary>A loopback port nothing listens on, for the moment.</summary>
    private static int AFreePort()
    {
        var free = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        free.Start();
        var port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();
        return port;
    }

    [Fact]
    public async Task an_endpoint_for_traces_alone_is_where_the_traces_are_sent()
    {
        // A collector of the test's own, taking OTLP over HTTP (protobuf) at the address given for traces alone.
        var port = AFreePort();
        using var listener = new System.Net.HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = new List<(string Path, string? Type, byte[] Body)>();
        var collector = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                System.Net.HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (received) received.Add((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        // Until 2026-12-07 only OTEL_EXPORTER_OTLP_ENDPOINT turned export on: this sent nothing, without a word.
        await using (var node = await TrackerApp.StartAnotherHost(
                         ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", $"http://127.0.0.1:{port}/v1/traces"),
                         ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf")))
        {
            await node.StatedTheStabilisationGoal();
            node.Services.GetRequiredService<TracerProvider>().ForceFlush();
            await ReadModels.Eventually.Until(() =>
            {
                lock (received) return Task.FromResult(received.Any(r => r.Path == "/v1/traces"));
            }, seen => seen, TimeSpan.FromSeconds(10));
        }
        listener.Stop();
        await collector;

        // Protobuf keeps strings as they are: the service's name and the route are in what the collector received.
        var traces = received.Where(r => r.Path == "/v1/traces").ToList();
        traces.ShouldAllBe(r => r.Type == "application/x-protobuf");
        var bytes = traces.SelectMany(r => r.Body).ToArray();
        System.Text.Encoding.UTF8.GetString(bytes).ShouldContain(TrackerTelemetry.ServiceName);
        System.Text.Encoding.UTF8.GetString(bytes).ShouldContain("/api/commitments");
    }

    [Fact]
    public async Task a_collector_that_cannot_be_reached_is_said_in_the_log_once_not_per_export()
    {
        var nothingListens = AFreePort();
        var lines = new LogCapture();

        // Until 2026-12-07 every span was dropped without a word: the SDK says so only on its own event source.
        await using var node = await TrackerApp.StartHostWith("Development",
            services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(lines),
            // Every signal to the one address (a signal without one of its own would go to localhost:4317, failing too).
            ("OTEL_EXPORTER_OTLP_ENDPOINT", $"http://127.0.0.1:{nothingListens}"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));
        var tracer = node.Services.GetRequiredService<TracerProvider>();
        await node.StatedTheStabilisationGoal();
        tracer.ForceFlush();
        // Three more exports, each failing too.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await node.Scenario(s => s.Get.Url($"/api/commitments/{Goal}"));
            tracer.ForceFlush();
        }

        var said = await ReadModels.Eventually.Until(
            () => Task.FromResult(lines.Entries.Where(e => e.Category == typeof(OtlpExportFailures).FullName).ToList()),
            entries => entries.Count > 0, TimeSpan.FromSeconds(10));
        said.Count.ShouldBe(1);
        said[0].Level.ShouldBe(Microsoft.Extensions.Logging.LogLevel.Warning);
        said[0].Message.ShouldStartWith("Telemetry is not reaching its OTLP collector: ");
        said[0].Message.ShouldContain($"127.0.0.1:{nothingListens}");
        // The exception's first line, not its stack trace.
        said[0].Message.ShouldNotContain(" at ");
    }

    [Fact]
    public async Task prometheus_scrapes_the_same_metrics_when_the_endpoint_is_on()
    {
        await using var node = await TrackerApp.StartAnotherHost(("Telemetry:PrometheusEndpoint", "true"));
        await node.StatedTheStabilisationGoal();
        await node.Write($"/api/commitments/{Goal}/pledges/germany-9/stages", Disbursement(1m), 404);

        var scrape = await node.Scenario(s =>
        {
            s.Get.Url("/metrics");
            s.WithRequestHeader(TestIdentities.AnonymousMarker, "true");
        });

        // Only read: until 2026-12-06 a POST or a DELETE was answered as a GET.
        var posted = await node.Scenario(s =>
        {
            s.Post.Url("/metrics");
            s.WithRequestHeader(TestIdentities.AnonymousMarker, "true");
            s.StatusCodeShouldBe(405);
        });
        posted.Context.Response.Headers.Allow.ToString().ShouldBe("GET, HEAD");

        var text = scrape.ReadAsText();
        text.ShouldContain("marten_event_append");
        text.ShouldContain("tracker_writes_refused");
        text.ShouldContain("rule=\"unknown-pledge\"");
    }

    [Theory]
    [InlineData("DELETE", "/health/ready")]
    [InlineData("POST", "/health/live")]
    [InlineData("PUT", "/health/ready")]
    public async Task the_health_routes_are_only_read(string method, string path)
    {
        // Until 2026-12-06 any method was answered 200 "Healthy".
        var refused = await Api.Scenario(s =>
        {
            _ = method switch { "DELETE" => s.Delete.Url(path), "POST" => s.Post.Url(path), _ => s.Put.Url(path) };
            s.StatusCodeShouldBe(405);
        });

        refused.Context.Response.Headers.Allow.ToString().ShouldBe("GET, HEAD");
        refused.ReadProblem(405);
        await Api.Scenario(s => { s.Head.Url(path); s.StatusCodeShouldBe(200); });
    }

    [Fact]
    public async Task without_the_setting_there_is_no_metrics_endpoint()
    {
        await Api.Scenario(s =>
        {
            s.Get.Url("/metrics");
            s.StatusCodeShouldBe(404);
        });
    }

    private IEnumerable<MetricPoint> Points(string name)
    {
        foreach (var metric in _metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints()) yield return point;
        }
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key) return tag.Value?.ToString();
        }
        return null;
    }
}

/// <summary>A log line joins to the request it came from: the correlation id and the trace id are in its scope.</summary>
public sealed class log_lines_carry_the_request(TrackerApp app) : TrackerTest(app)
{
    [Fact]
    public async Task the_log_line_of_a_failing_request_carries_its_correlation_and_trace_ids()
    {
        var lines = new LogCapture();
        await using var node = await TrackerApp.StartHostWith("Development", services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(lines));

        await node.Scenario(s =>
        {
            s.Get.Url(TrackerApp.ThrowingPath);
            s.WithRequestHeader("X-Correlation-Id", "the-failing-request");
            s.StatusCodeShouldBe(500);
        });

        var failure = lines.Entries.First(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        failure.Scope["CorrelationId"].ShouldBe("the-failing-request");
        failure.Scope.ShouldContainKey("TraceId");
    }

    [Fact]
    public async Task a_write_its_client_gave_up_on_is_a_line_of_information_not_an_error_with_a_trace()
    {
        var lines = new LogCapture(Microsoft.Extensions.Logging.LogLevel.Information);
        // Wrapped as the service wraps every log provider (a test's provider is added after the service's are wrapped).
        await using var node = await TrackerApp.StartHostWith("Development", services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(
            Tracker.Api.Infrastructure.OneLineOutages.Of(lines, new Tracker.Api.Infrastructure.OutageRepeats(TimeProvider.System))));
        await node.StatedTheStabilisationGoal();
        // The commitment's stream held by another transaction: the write waits on it in the database, until its client goes.
        await using var holder = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString());
        await holder.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var hold = new Npgsql.NpgsqlCommand("select 1 from tracker.mt_streams where id = $1 for update", holder, holding))
        {
            hold.Parameters.Add(new Npgsql.NpgsqlParameter { Value = Tracker.Domain.StreamIds.ForCommitment(Goal) });
            await hold.ExecuteNonQueryAsync();
        }

        using var client = node.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "demo-monitor-key");
        using var givenUp = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        // Until 2026-12-07 the cancelled statement was an error with its stack trace in Marten's log.
        await Should.ThrowAsync<OperationCanceledException>(() => client.PostAsync($"/api/commitments/{Goal}/progress",
            System.Net.Http.Json.JsonContent.Create(Progress()), givenUp.Token));
        var said = await ReadModels.Eventually.Until(
            () => Task.FromResult(lines.Entries.Where(e => e.Message.Contains("the request was aborted before its answer")).ToList()),
            entries => entries.Count > 0, TimeSpan.FromSeconds(10));
        await holding.RollbackAsync();

        said.ShouldAllBe(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Information && e.Exception == null);
        lines.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").ShouldBeEmpty();
    }

    [Fact]
    public async Task a_refusal_for_want_of_a_role_is_logged_with_who_asked_for_what()
    {
        var lines = new LogCapture(Microsoft.Extensions.Logging.LogLevel.Information);
        await using var node = await TrackerApp.StartHostWith("Development", services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(lines));

        await node.Scenario(s =>
        {
            s.Post.Json(new { key = "refused" }).ToUrl("/api/commitments");
            s.WithRequestHeader("X-Api-Key", "demo-viewer-key");
            s.StatusCodeShouldBe(403);
        });

        var refused = lines.Entries.Single(e => e.Category == typeof(Tracker.Api.Security.Refusals).FullName);
        refused.Level.ShouldBe(Microsoft.Extensions.Logging.LogLevel.Information);
        refused.Message.ShouldContain("viewer");
        refused.Message.ShouldContain("was refused POST /api/commitments: This needs the role");
    }

    [Fact]
    public async Task a_body_the_service_cannot_read_is_the_clients_400_not_an_error_in_the_log()
    {
        var lines = new LogCapture();
        await using var node = await TrackerApp.StartHostWith("Development", services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(lines));

        await node.Scenario(s =>
        {
            s.Post.Text("""{"key":"a-paper","title":"x","publishedOn":20240101,"kind":"communique","primary":true}""")
                .ToUrl("/api/documents");
            s.WithRequestHeader("Content-Type", "application/json");
            s.StatusCodeShouldBe(400);
        });

        lines.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error).Select(e => e.Category).ShouldBeEmpty();
    }

    [Fact]
    public async Task a_malformed_header_is_the_clients_400_not_a_warning_in_the_log()
    {
        var lines = new LogCapture();
        await using var node = await TrackerApp.StartHostWith("Development", services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(lines));
        await node.StatedTheStabilisationGoal();

        await node.Scenario(s =>
        {
            s.Post.Json(CommitmentScenarios.Progress()).ToUrl($"/api/commitments/{CommitmentScenarios.Goal}/progress");
            s.WithRequestHeader("If-Match", "not-a-tag");
            s.StatusCodeShouldBe(400);
        });

        // Until 2026-12-06 a warning for each (an operator watching warnings saw clients' typing).
        lines.Entries.Where(e => e.Category.EndsWith("ExceptionProblems")).ShouldBeEmpty();
    }

    [Fact]
    public void the_quieted_categories_are_the_request_bodies_and_nothing_loaded_beside_them()
    {
        var quieted = Tracker.Api.Infrastructure.UnreadableBodyLogs.RequestTypeNames().ToList();

        quieted.ShouldContain(typeof(Tracker.Api.Documents.RegisterDocument).FullName!);
        quieted.ShouldContain(typeof(Tracker.Api.Commitments.Pledging.AnnouncePledgeRequest).FullName!);
        quieted.ShouldContain(typeof(Tracker.Domain.Commitments.Evidence).FullName!);
        // After the pledge's id from the route.
        quieted.ShouldContain(typeof(Tracker.Api.Commitments.Pledging.RecordPledgeStageRequest).FullName!);
        quieted.ShouldContain(typeof(Tracker.Api.Commitments.Pledging.RevisePledgeRequest).FullName!);
        quieted.ShouldNotContain(typeof(Tracker.Domain.Commitments.CommitmentState).FullName!);
        quieted.ShouldNotContain(typeof(Tracker.Projections.Documents.DocumentView).FullName!);
    }
}
