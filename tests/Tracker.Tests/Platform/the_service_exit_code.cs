using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tracker.Api.Infrastructure;

namespace Tracker.Tests.Platform;

/// <summary>How the serving process ends, as a supervisor reads it (ServiceExit, which Program runs the service through).</summary>
public sealed class the_service_exit_code
{
    [Fact]
    public async Task a_background_service_that_fails_ends_the_process_with_exit_code_1_and_says_which()
    {
        var said = new StringWriter();

        var exitCode = await ServiceExit.RunAsync(HostWith(services => services.AddHostedService<FailsAfterStarting>()), said);

        // Until 2026-12-07 the host stopped and the process ended with 0, a clean stop to systemd or Kubernetes.
        exitCode.ShouldBe(1);
        said.ToString().ShouldBe($"The service stopped because {nameof(FailsAfterStarting)} failed (its error is logged above): exit code 1.{Environment.NewLine}");
    }

    [Fact]
    public async Task a_background_service_cancelled_by_something_else_than_the_stop_is_a_failure_too()
    {
        var exitCode = await ServiceExit.RunAsync(HostWith(services => services.AddHostedService<CancelledByItsOwnTimeout>()), new StringWriter());

        exitCode.ShouldBe(1);
    }

    [Fact]
    public async Task a_stop_asked_for_ends_it_with_exit_code_0_even_where_a_service_throws_while_stopping()
    {
        var said = new StringWriter();

        var exitCode = await ServiceExit.RunAsync(HostWith(services =>
        {
            services.AddHostedService<ThrowsWhenStopped>();
            services.AddHostedService<AsksForTheStop>();
        }), said);

        exitCode.ShouldBe(0);
        said.ToString().ShouldBeEmpty();
    }

    /// <summary>A host without the console's Ctrl-C and SIGTERM handlers (this is the test process) and without logs.</summary>
    private static IHost HostWith(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NoSignals>();
        configure(builder.Services);
        return builder.Build();
    }

    private sealed class NoSignals : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class FailsAfterStarting : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), stoppingToken);
            throw new InvalidOperationException("the sampler lost its database");
        }
    }

    private sealed class CancelledByItsOwnTimeout : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
            await Task.Delay(Timeout.InfiniteTimeSpan, timeout.Token);
        }
    }

    private sealed class ThrowsWhenStopped : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException("a flush on the way out failed");
            }
        }
    }

    private sealed class AsksForTheStop(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), stoppingToken);
            lifetime.StopApplication();
        }
    }
}
