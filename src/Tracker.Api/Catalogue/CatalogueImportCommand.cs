using Tracker.Api.Infrastructure;
using Tracker.Api.Infrastructure.Health;
using JasperFx.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Tracker.Api.Catalogue;

public sealed class CatalogueImportInput : NetCoreInput
{
    [Description("A catalogue JSON file, or a folder of them (default: the catalogue shipped with the service)")]
    public string? PathFlag { get; set; }
}

/// <summary>`dotnet run -- catalogue-import --path my-coalition.json`: loads (or re-applies) a catalogue into the database.</summary>
[Description("Import a catalogue of commitments into the database (idempotent; changed entries become revision events)",
    Name = "catalogue-import")]
public sealed class CatalogueImportCommand : TrackerCommand<CatalogueImportInput>
{
    protected override IReadOnlyList<(string Long, string Short)> OnceOnly => [("--path", "-p")];

    protected override async Task<bool> Run(CatalogueImportInput input)
    {
        // Given empty ("$CATALOGUE" unset in a script) is a mistake, not the shipped catalogue, which would then go into
        // another coalition's append-only log for good (until 2026-12-07 it did, and the command exited 0).
        if (input.PathFlag is { } given && string.IsNullOrWhiteSpace(given))
        {
            Console.Error.WriteLine("Nothing imported: --path is empty. Give a catalogue's JSON file or a folder of them, or leave the flag out for the shipped catalogue.");
            return false;
        }
        // The service's own host, on no public port and without the first-start load (Program sets both for this command).
        using var host = input.BuildHost();
        // The events it appends carry this process's clock: an operator's machine whose clock is off would leave events
        // verification names for good. Asked before the host starts, whose agents may append (a deadline's check).
        if (ClockAgreement.Problem(await ClockAgreement.Offset(host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>(),
                host.Services.GetRequiredService<TimeProvider>(), CancellationToken.None)) is { } offClock)
        {
            Console.Error.WriteLine($"Nothing imported: {offClock}.");
            return false;
        }
        await host.StartAsync();
        try
        {
            var options = new CatalogueOptions();
            if (input.PathFlag is { } path) options.Path = Path.GetFullPath(path);
            var files = options.Files().ToList();
            if (files.Count == 0)
            {
                Console.Error.WriteLine($"No catalogue found at {options.Path}: give a catalogue's JSON file, or a folder holding *.json files.");
                return false;
            }

            var importer = host.Services.GetRequiredService<CatalogueImporter>();
            var ok = true;
            // Every file read first: a catalogue split over several files lists each commitment in one of them.
            var read = new List<(string File, CatalogueFile Catalogue)>();
            foreach (var file in files)
            {
                // A file that cannot be read is named, and the folder's other files still load.
                try
                {
                    read.Add((file, CatalogueFile.Read(file)));
                }
                catch (InvalidDataException e)
                {
                    Console.Error.WriteLine($"{file}: not imported: {e.Message}");
                    ok = false;
                }
            }
            var run = new CatalogueRun([.. read.Select(r => r.Catalogue)], everyFileRead: ok);
            foreach (var (file, catalogue) in read)
            {
                var report = await importer.Import(catalogue, CancellationToken.None, run);
                Console.WriteLine($"{file}: {report.DocumentsRegistered} documents registered, {report.CommitmentsStated} " +
                                  $"commitments stated, {report.EventsAppended} events appended, {report.Failures.Count} failures");
                foreach (var change in report.Changes) Console.WriteLine("  changed: " + change);
                foreach (var failure in report.Failures) Console.Error.WriteLine("  failed: " + failure);
                foreach (var warning in report.Warnings) Console.WriteLine("  warning: " + warning);
                ok &= report.Succeeded;
            }
            return ok;
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
