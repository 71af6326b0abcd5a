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
        using var host = HostWith(services => services.AddHostedService<FailsAfterStarting>());
        var said = new StringWriter();

        var exitCode = await ServiceExit.RunAsync(host, said);

        // Until 2026-12-07 the host stopped and the process ended with 0, a clean stop to systemd or Kubernetes.
        exitCode.ShouldBe(1);
        said.ToString().ShouldBe($"The service stopped because {nameof(FailsAfterStarting)} failed (its error is logged above): exit code 1.{Environment.NewLine}");
    }

    [Fact]
    public async Task a_stop_asked_for_ends_it_with_exit_code_0_and_says_nothing()
    {
        using var host = HostWith(services => services.AddHostedService<StopsTheHost>());
        var said = new StringWriter();

        var exitCode = await ServiceExit.RunAsync(host, said);

        exitCode.ShouldBe(0);
        said.ToString().ShouldBeEmpty();
    }

    private static IHost HostWith(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        configure(builder.Services);
        return builder.Build();
    }

    private sealed class FailsAfterStarting : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), stoppingToken);
            throw new InvalidOperationException("the sampler lost its database");
        }
    }

    private sealed class StopsTheHost(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), stoppingToken);
            lifetime.StopApplication();
        }
    }
}
