using Alba;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Tracker.Api.Audit.Checkpoints;
using Tracker.Api.Infrastructure.Settings;
using Tracker.Tests.Commitments;
using Tracker.Tests.Support;

namespace Tracker.Tests.Audit;

/// <summary>
/// The node's own checkpoints (Checkpointing), taken on a schedule, and only once its host has started: until 2026-12-06
/// the first was taken as the background services started, before the server bound its port, so a node that then
/// failed to start (its port taken) could have signed one.
/// </summary>
public sealed class checkpoints_on_a_schedule(TrackerApp app) : TrackerTest(app)
{
    /// <summary>A host's lifetime whose start is announced when the story says so.</summary>
    private sealed class Starting : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _started = new();
        public CancellationToken ApplicationStarted => _started.Token;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void Started() => _started.Cancel();
        public void StopApplication() { }
    }

    private async Task<long> CheckpointCount()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.SuperuserConnectionString());
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from tracker.log_checkpoints", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task the_longest_settle_time_the_check_takes_leaves_recent_events_for_later_without_failing()
    {
        // Until 2026-12-07 a settle time of millions of days passed the check, and every checkpoint failed on a date before
        // the first there is (an error every minute).
        await Api.StatedTheStabilisationGoal();
        var longest = SettingsCheckValidation.Typed.OfType<TimeSpanSetting>().Single(s => s.Key == "Audit:Checkpoints:SettleTime").Maximum;

        var taken = await Api.Services.GetRequiredService<LogCheckpoints>().Take(longest, CancellationToken.None);

        taken.ShouldBeNull("no event is that old yet");
    }

    [Fact]
    public async Task a_node_signs_no_checkpoint_before_its_host_has_started_and_does_once_it_has()
    {
        await Api.StatedTheStabilisationGoal();
        await Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(Api, TimeSpan.FromSeconds(30));
        var lifetime = new Starting();
        var scheduled = new Checkpointing(Api.Services.GetRequiredService<LogCheckpoints>(),
            Options.Create(new CheckpointOptions { Enabled = true, Interval = TimeSpan.FromMilliseconds(200), SettleTime = TimeSpan.Zero }),
            NullLogger<Checkpointing>.Instance, lifetime);

        await scheduled.StartAsync(CancellationToken.None);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            (await CheckpointCount()).ShouldBe(0, "the host has not started: it may yet fail to");

            lifetime.Started();
            for (var i = 0; i < 100 && await CheckpointCount() == 0; i++) await Task.Delay(100);
            (await CheckpointCount()).ShouldBe(1, "started, the node signs the events written so far");
        }
        finally
        {
            await scheduled.StopAsync(CancellationToken.None);
        }
    }
}
