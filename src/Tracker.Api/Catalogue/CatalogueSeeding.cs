using Marten;
using Microsoft.Extensions.Options;
using Tracker.Projections.Commitments;
using Tracker.Domain.Commitments;
using Tracker.Projections.Documents;

namespace Tracker.Api.Catalogue;

/// <summary>
/// On first start (an event store with no documents and no commitments) loads the catalogue, so the service is useful
/// at once. Runs once the host has started, so Wolverine can take the deadline checks it schedules.
/// </summary>
public sealed class CatalogueSeeding(IOptions<CatalogueOptions> options, IDocumentStore store, CatalogueImporter importer,
    IHostApplicationLifetime lifetime, ILogger<CatalogueSeeding> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.LoadOnStart)
        {
            logger.LogInformation("Catalogue loading on start is off (Catalogue:LoadOnStart=false)");
            return;
        }

        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try { await started.Task; } catch (TaskCanceledException) { return; }
        }

        try
        {
            await using var session = store.QuerySession();
            if (await session.Query<DocumentView>().AnyAsync(stoppingToken) || await session.Query<CommitmentProgress>().AnyAsync(stoppingToken))
            {
                logger.LogInformation("The database already holds documents or commitments; the seed catalogue is not loaded again");
                return;
            }

            foreach (var file in settings.Files())
            {
                logger.LogInformation("Loading the seed catalogue {File} into an empty database", file);
                CatalogueFile catalogue;
                try
                {
                    catalogue = CatalogueFile.Read(file);
                }
                catch (InvalidDataException e)
                {
                    // Named, and the other files still load.
                    logger.LogError("The seed catalogue {File} is not imported: {Problem}", file, e.Message);
                    continue;
                }
                var report = await importer.Import(catalogue, stoppingToken);
                logger.LogInformation(
                    "Loaded catalogue {Catalogue}: {Documents} documents, {Commitments} commitments, {Events} events, {Failures} failures",
                    report.Catalogue, report.DocumentsRegistered, report.CommitmentsStated, report.EventsAppended, report.Failures.Count);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Loading the seed catalogue failed; the service runs on without it");
        }
    }
}
