using JasperFx.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Tracker.Api.Audit;

/// <summary>`dotnet run -- audit-verify`: recompute the whole log's hash chain; exits non-zero at the first break.</summary>
[Description("Verify the event log's hash chain and report the first event that does not match", Name = "audit-verify")]
public sealed class VerifyLogCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var report = await host.Services.GetRequiredService<LogVerifier>().VerifyAll(CancellationToken.None);
        if (report.Intact)
        {
            Console.WriteLine($"The log is intact: {report.EventsChecked} events checked.");
            return true;
        }

        var b = report.FirstBreak!;
        Console.Error.WriteLine($"The log is broken at event {b.Sequence} (stream {b.StreamId}, version {b.Version}, {b.Type}): {b.Reason}.");
        return false;
    }
}
