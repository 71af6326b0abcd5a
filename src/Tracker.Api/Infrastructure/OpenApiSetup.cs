namespace Tracker.Api.Infrastructure;

public static class OpenApiSetup
{
    public static IServiceCollection AddTrackerOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "CommitmentTracker API";
            document.Info.Description =
                "Commitments stated in communiqués as event streams: monitors record what happens, dashboards read " +
                "projections, auditors replay history. Every error is an RFC 9457 problem.";
            return Task.CompletedTask;
        }));
}
