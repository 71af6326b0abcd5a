using Tracker.Api.Infrastructure;
using JasperFx.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Tracker.Api.Audit;

/// <summary>`dotnet run -- audit-verify`: recompute the whole log's hash chain; lists every break and exits non-zero if there is one.</summary>
[Description("Verify the event log's hash chain and report every event that does not match", Name = "audit-verify")]
public sealed class VerifyLogCommand : TrackerCommand<NetCoreInput>
{
    protected override async Task<bool> Run(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var report = await host.Services.GetRequiredService<LogVerifier>().VerifyAll(null, CancellationToken.None);
        if (report.Intact)
        {
            Console.WriteLine($"The log is intact: {report.EventsChecked} events checked, against {report.CheckpointsChecked} signed checkpoints.");
            return true;
        }

        Console.Error.WriteLine($"The log is broken: {report.BreakCount} of {report.EventsChecked} events do not match.");
        foreach (var b in report.Breaks)
        {
            // A missing event, a stream's row or a checkpoint names less than an event that is there.
            var where = string.Join(", ", new[]
            {
                b.StreamId is { } stream ? $"stream {stream}" : null, b.Version is { } version ? $"version {version}" : null, b.Type
            }.Where(part => part is not null));
            Console.Error.WriteLine($"  event {b.Sequence}{(where.Length > 0 ? $" ({where})" : "")}: {b.Reason}.");
        }
        return false;
    }
}
