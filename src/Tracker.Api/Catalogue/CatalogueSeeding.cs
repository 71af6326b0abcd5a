using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using Tracker.Projections.Commitments;
using Tracker.Domain.Commitments;
using Tracker.Projections.Documents;

namespace Tracker.Api.Catalogue;

/// <summary>
/// On first start (an event store with no documents and no commitments) loads the catalogue, so the service is useful
/// at once. Runs once the host has started, so Wolverine can take the deadline checks it schedules. One node at a time:
/// nodes started together on an empty database wait on an advisory lock, and the later ones find the catalogue loaded
/// (each used to load what it reached first, and log every statement the other had already written as a failure).
/// </summary>
public sealed class CatalogueSeeding(IOptions<CatalogueOptions> options, IDocumentStore store, CatalogueImporter importer,
    NpgsqlDataSource dataSource, IHostApplicationLifetime lifetime, IHostEnvironment environment, ILogger<CatalogueSeeding> logger)
    : BackgroundService
{
    internal const long LockKey = 2026120501;
    private static readonly TimeSpan AskEvery = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.LoadsOnStartIn(environment))
        {
            // Debug: a command's host (catalogue-import, api-keys) turns it off, and its output is not the place to say so.
            logger.LogDebug("Catalogue loading on start is off (Catalogue:LoadOnStart={Setting})",
                settings.LoadOnStart?.ToString().ToLowerInvariant() ?? $"unset, and the environment is {environment.EnvironmentName}");
            return;
        }

        if (!await Infrastructure.HostStart.Started(lifetime, stoppingToken)) return;

        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
            await TakeLock(connection, stoppingToken);
            try
            {
                await LoadIntoAnEmptyDatabase(settings, stoppingToken);
            }
            finally
            {
                await using var release = new NpgsqlCommand($"select pg_advisory_unlock({LockKey})", connection);
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Loading the seed catalogue failed; the service runs on without it");
        }
    }

    /// <summary>Asked for again and again, not waited on in one statement, which the command timeout would cut off.</summary>
    private async Task TakeLock(NpgsqlConnection connection, CancellationToken token)
    {
        var told = false;
        while (true)
        {
            await using (var take = new NpgsqlCommand($"select pg_try_advisory_lock({LockKey})", connection))
            {
                if (await take.ExecuteScalarAsync(token) is true) return;
            }
            if (!told)
            {
                told = true;
                logger.LogInformation("Another node is loading the seed catalogue; this one waits for it, then finds it loaded");
            }
            await Task.Delay(AskEvery, token);
        }
    }

    private async Task LoadIntoAnEmptyDatabase(CatalogueOptions settings, CancellationToken stoppingToken)
    {
        await using var session = store.QuerySession();
        if (await session.Query<DocumentView>().AnyAsync(stoppingToken) || await session.Query<CommitmentProgress>().AnyAsync(stoppingToken))
        {
            logger.LogInformation("The database already holds documents or commitments; the seed catalogue is not loaded again");
            return;
        }

        // Every file read first: a catalogue split over several files lists each commitment in one of them.
        var read = new List<(string File, CatalogueFile Catalogue)>();
        foreach (var file in settings.Files())
        {
            try
            {
                read.Add((file, CatalogueFile.Read(file)));
            }
            catch (InvalidDataException e)
            {
                // Named, and the other files still load.
                logger.LogError("The seed catalogue {File} is not imported: {Problem}", file, e.Message);
            }
        }
        var run = new CatalogueRun([.. read.Select(r => r.Catalogue)], everyFileRead: read.Count == settings.Files().Count());
        foreach (var (file, catalogue) in read)
        {
            logger.LogInformation("Loading the seed catalogue {File} into an empty database", file);
            var report = await importer.Import(catalogue, stoppingToken, run);
            logger.LogInformation(
                "Loaded catalogue {Catalogue}: {Documents} documents, {Commitments} commitments, {Events} events, {Failures} failures",
                report.Catalogue, report.DocumentsRegistered, report.CommitmentsStated, report.EventsAppended, report.Failures.Count);
        }
    }
}
