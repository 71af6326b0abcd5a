using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.AspNetCore.DataProtection;
using JasperFx;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using Tracker.Api.Admin;
using Tracker.Api.Audit;
using Tracker.Api.Catalogue;
using Tracker.Api.Commitments;
using Tracker.Api.Dashboard;
using Tracker.Api.Exports;
using Tracker.Api.Infrastructure;
using Tracker.Api.Infrastructure.Auditing;
using Tracker.Api.Infrastructure.Health;
using Tracker.Api.Infrastructure.Idempotency;
using Tracker.Api.Infrastructure.Telemetry;
using Tracker.Api.Security;
using Tracker.Api.Infrastructure.Validation;
using Wolverine;
using Wolverine.Http;

try
{
    // Everything the service writes (the SQL of its functions, dates in headers and messages, numbers in logs) reads the
    // same on every node, whatever the machine's locale. The build switches ICU off (InvariantGlobalization), but
    // DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=0 switches it on again: a node started so under sv_SE wrote "−1" (U+2212) into
    // the rollups' trigger functions, which then failed every page of the asynchronous projections on every node until
    // another node's start wrote them again; under ar_SA, dates were written in the Um al-Qura calendar and a past view of
    // 2100-01-01 was a 500 (until 2026-12-08).
    System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
    System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
    System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
    System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
    // One of our commands' own one-letter flags written with its value ("-k=kept.json") is read as "-k kept.json", as its
    // long form with "=" is: the settings' command-line reader threw on it before any command could say a word (an
    // unhandled exception, exit 134), and the commands' parser took it for an unknown flag (until 2026-12-06). Only ours:
    // the host's own (-e, -c) go to the host as written, and an empty "-k=" is refused as the settings' reader refuses it
    // (taken as "-k ''" it meant no kept checkpoint at all, and a verification without the comparison asked for).
    if (args.FirstOrDefault() is "catalogue-import" or "api-keys" or "audit-verify")
    {
        args = [.. args.SelectMany(arg => arg.Length > 3 && arg[0] == '-' && arg[1] is 'k' or 'p' or 'n' or 'r' && arg[2] == '='
            ? [arg[..2], arg[3..]] : new[] { arg })];
    }
    // Help is asked for, not a misuse: "--help" (or -h) after a command shows that command's help, where until 2026-12-06
    // it was refused as an unknown flag. (JasperFx ends a command's help with exit code 1, as it does an unknown one's.)
    if (args.Any(arg => arg is "--help" or "-h" or "-?") && args[0] is not ("help" or "?"))
    {
        args = args[0].StartsWith('-') ? ["help"] : ["help", args[0]];
    }
    // Wolverine's "storage clear" (and "resources clear", which runs it) deletes every durable message, the scheduled
    // deadline checks among them, which nothing then puts back: a deadline would pass unrecorded. Not offered (until
    // 2026-12-07 it ran, as the service's role, without a question); "storage counts" and the rest still run.
    // In any case, as JasperFx takes commands and their actions (until 2026-12-07 "STORAGE clear" ran).
    if (args.Length >= 2 && args[0].ToLowerInvariant() is "storage" or "resources" &&
        args.Skip(1).Any(arg => arg.ToLowerInvariant() is "clear" or "teardown" or "rebuild"))
    {
        Console.Error.WriteLine($"'{args[0]} {string.Join(' ', args.Skip(1))}' is not offered: it would delete the scheduled deadline " +
                                "checks, which nothing schedules again (a deadline whose check is lost is recorded only by an admin " +
                                "rebuild of CommitmentProgress after it passes). See the README, \"The command line\".");
        return 1;
    }
    var builder = WebApplication.CreateBuilder(args);
    // The environment's name is compared ignoring case (IsDevelopment), but its settings file is found by name on a file
    // system that minds case: "development" ran a Development service without appsettings.Development.json (until
    // 2026-12-07). One of the three names the host knows, in any case, is taken as the host spells it.
    if (new[] { Environments.Development, Environments.Staging, Environments.Production }
            .FirstOrDefault(known => string.Equals(known, builder.Environment.EnvironmentName, StringComparison.OrdinalIgnoreCase)) is { } spelled &&
        spelled != builder.Environment.EnvironmentName)
    {
        // The first builder's configuration watches its files: let go of it.
        (builder.Configuration as IDisposable)?.Dispose();
        builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, EnvironmentName = spelled });
    }
    // Our commands run against a database db-apply brought up to date, as the service's role (which may not change the
    // schema), and never serve: the catalogue import starts the host for its services, on no public port, without the
    // first-start load of the shipped catalogue and without taking checkpoints. (Set here: the configuration is read
    // before a command runs.)
    if (args.FirstOrDefault() is "catalogue-import" or "api-keys" or "audit-verify")
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:ApplySchemaOnStart"] = builder.Configuration["Database:ApplySchemaOnStart"] ?? "false",
            ["Catalogue:LoadOnStart"] = "false",
            // A command signs no checkpoint (the import's host would, every minute, with whatever key it found or made),
            // and makes no signing key: one it made in another folder would be trusted by no node.
            ["Audit:Checkpoints:Enabled"] = "false",
            ["Audit:Checkpoints:CreateMissingKeyFile"] = "false"
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // The import command prints each failure and warning of its report itself: the report's log lines would say each
        // twice (until 2026-12-06 they did). The importer's own lines (a batch written again one by one) stay; the
        // first-start load, which has no console of its own, logs the report.
        if (args.FirstOrDefault() is "catalogue-import")
        {
            builder.Logging.AddFilter(Tracker.Api.Catalogue.CatalogueImporter.ReportCategory, LogLevel.None);
            // Its host serves nothing: "Now listening on" its loopback port read as if the import served (until 2026-12-06).
            builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        }
    }
    // `describe` prints every setting the host was given: its view of them hides the secrets (SecretsHidden). Whatever
    // reads a secret from that view reads "(set, not shown)": the OTLP exporter is not set up for it (AddTrackerTelemetry).
    if (args.FirstOrDefault() is "describe")
    {
        builder.Services.AddSingleton<IConfiguration>(Tracker.Api.Infrastructure.Settings.SecretsHidden.Of(builder.Configuration));
    }
    // The list of commands reads no database: it is shown without one configured.
    if (args.FirstOrDefault() is "help" or "?" && string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(TrackerDatabase.ConnectionName)))
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{TrackerDatabase.ConnectionName}"] = "Host=localhost"
        });
    }
    // Every setting checked at start (Infrastructure/Settings), before the services are set up (some read settings as
    // they are set up, and a word for a number or a switch failed there in the configuration binder's words), and again
    // as the host starts, before the service listens: a wrong one stops the start, named.
    // Except for `describe`, the tool for looking at the settings, which says what is wrong first and shows them all (until
    // 2026-12-06 it refused to run for the one wrong setting it was run to look into).
    // It still ends with exit code 1, so a script that checks settings with it is told. (A connection string or security
    // setting the services cannot even be set up with still stops it, in one line.)
    var describedWrong = false;
    // Whether this run serves (no command, or settings alone); only serving makes the signing key.
    var serves = Tracker.Api.Infrastructure.Settings.SettingsCheckValidation.Serves(args);
    var readsSigningKey = Tracker.Api.Infrastructure.Settings.SettingsCheckValidation.ReadsSigningKey(args);
    if (args.FirstOrDefault() is "describe")
    {
        try
        {
            Tracker.Api.Infrastructure.Settings.SettingsCheckValidation.BeforeStart(builder.Configuration);
        }
        catch (ConfigurationProblem wrong)
        {
            describedWrong = true;
            foreach (var line in ConfigurationProblems.Lines(wrong.Message))
            {
                Console.Error.WriteLine($"Tracker.Api would not start with these settings: {line} (described below as given)");
            }
            // The services are set up without the switches and numbers they could not read (their defaults); the
            // description, whose view of the settings was taken above, shows them as given.
            builder.Configuration.AddInMemoryCollection(Tracker.Api.Infrastructure.Settings.SettingsCheckValidation
                .Unreadable(builder.Configuration).Select(key => new KeyValuePair<string, string?>(key, null)));
        }
    }
    else
    {
        Tracker.Api.Infrastructure.Settings.SettingsCheckValidation.BeforeStart(builder.Configuration, readsSigningKey, serves);
    }
    builder.Services.AddOptions<Tracker.Api.Infrastructure.Settings.SettingsCheck>().ValidateOnStart();
    builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<Tracker.Api.Infrastructure.Settings.SettingsCheck>>(services =>
        new Tracker.Api.Infrastructure.Settings.SettingsCheckValidation(services.GetRequiredService<IConfiguration>(), readsSigningKey, serves));
    // Wolverine's handler and endpoint code is generated ahead of time (src/Tracker.Api/Internal/Generated, written by
    // scripts/codegen.sh): outside Development nothing is compiled at run time, which keeps Roslyn out of the process
    // (about 160 MiB less resident memory, docs/benchmarks.md scenario 8), and a missing file fails the start. A stale file
    // (same type, older code) would run as it is: CI regenerates the folder and fails on any difference.
    // Development uses the files and compiles only what is missing.
    builder.Services.CritterStackDefaults(defaults =>
    {
        defaults.Production.GeneratedCodeMode = JasperFx.CodeGeneration.TypeLoadMode.Static;
        defaults.Development.GeneratedCodeMode = JasperFx.CodeGeneration.TypeLoadMode.Auto;
    });
    builder.Logging.QuietUnreadableBodies();
    // The settings' timestamp format is the JSON field's; the text formatters write what follows straight after it
    // ("...Zinfo: ..." until 2026-12-07), so an operator who chooses one of them gets a space after the time.
    builder.Services.PostConfigure<Microsoft.Extensions.Logging.Console.SimpleConsoleFormatterOptions>(SpacedTimestamp);
    builder.Services.PostConfigure<Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>(SpacedTimestamp);
    // The host's own record of a failed start ("Hosting failed to start", an error with the exception's stack trace) came
    // before the one line that says what to put right (below), or before the unhandled exception's own trace. Its
    // critical record of a background service that stops the host, with that exception, stays.
    builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    // No Server header: what runs behind the API is nobody's business.
    builder.WebHost.ConfigureKestrel(options => options.AddServerHeader = false);

    builder.Services.AddTrackerProblemDetails();
    builder.Services.AddTrackerSecurity(builder.Configuration, builder.Environment);
    // Nothing of the service protects data with ASP.NET's data protection (no cookies, no antiforgery tokens), but the
    // authentication services register it, and its key ring was made at every start in the user's home: a new file and a
    // warning ("No XML encryptor configured") at each start of a fresh container (until 2026-12-07). Kept in memory.
    // The host's warm-up of that key ring (DataProtectionHostedService, which reads the ring apart from the provider) goes too.
    builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
    foreach (var warmUp in builder.Services.Where(descriptor => descriptor.ServiceType == typeof(IHostedService) &&
                                                                descriptor.ImplementationType?.Name == "DataProtectionHostedService").ToList())
    {
        builder.Services.Remove(warmUp);
    }
    builder.Services.AddTrackerDatabase(builder.Configuration, builder.Environment);
    builder.Services.AddSingleton<ProgressModelUpgrade>();
    builder.Services.AddSingleton<Tracker.Api.Documents.RegisteredDocuments>();
    builder.Services.AddSingleton<Tracker.Api.Infrastructure.Validation.RouteInputs>();
    builder.Services.AddHostedService(services => services.GetRequiredService<ProgressModelUpgrade>());
    builder.Services.AddTrackerHealth();
    builder.Services.AddTrackerTelemetry(builder.Configuration, exports: args.FirstOrDefault() is not "describe");
    builder.Services.AddSingleton(TimeProvider.System);
    builder.Services.Configure<CatalogueOptions>(builder.Configuration.GetSection("Catalogue"));
    builder.Services.AddOptions<IatiOptions>().Bind(builder.Configuration.GetSection(IatiOptions.Section))
        .ValidateOnStart();
    builder.Services.AddSingleton<IValidateOptions<IatiOptions>, IatiOptions.Validation>();
    builder.Services.AddOptions<Tracker.Api.Commitments.LedgerOptions>()
        .Bind(builder.Configuration.GetSection(Tracker.Api.Commitments.LedgerOptions.Section)).ValidateOnStart();
    builder.Services.AddSingleton<IValidateOptions<Tracker.Api.Commitments.LedgerOptions>, Tracker.Api.Commitments.LedgerOptions.Validation>();
    builder.Services.AddSingleton<CatalogueImporter>();
    builder.Services.AddHostedService<CatalogueSeeding>();
    builder.Services.AddOptions<Tracker.Api.Audit.Checkpoints.CheckpointOptions>().Bind(builder.Configuration.GetSection("Audit:Checkpoints"));
    builder.Services.AddSingleton<Tracker.Api.Audit.Checkpoints.CheckpointSigner>();
    builder.Services.AddSingleton<Tracker.Api.Audit.Checkpoints.CheckpointMemory>();
    builder.Services.AddSingleton<Tracker.Api.Audit.Checkpoints.LogCheckpoints>();
    builder.Services.AddHostedService<Tracker.Api.Audit.Checkpoints.Checkpointing>();
    builder.Services.AddHostedService<Tracker.Api.Commitments.Assessing.DeadlineSweeping>();
    builder.Services.AddSingleton<LogVerifier>();
    builder.Services.AddSingleton<TimelineFactsBackfill>();
    builder.Services.AddSingleton<RebuildProgressLog>();
    builder.Services.AddSingleton<ProjectionRebuilds>();
    // Before the backfills: they compare counts, this the rows a rebuild that never ended left behind.
    builder.Services.AddHostedService<InterruptedRebuilds>();
    builder.Services.AddHostedService<RollupBackfill>();
    builder.Services.AddSingleton<ProjectionCheck>();
    builder.Services.AddSingleton<Tracker.Api.Commitments.Reading.PresentCommitments>();
    builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
    // FluentValidation's own messages name a field as the JSON body spells it ("'announcedOn' must not be empty"), not as
    // its .NET property reads split into words ("'Announced On'").
    ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
        member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
    builder.Services.AddTrackerOpenApi();
    builder.Services.AddWolverineHttp();
    builder.Services.ConfigureHttpJsonOptions(options =>
    {
        options.SerializerOptions.Converters.Add(new StrictEnums());
        options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        StrictJson.Apply(options.SerializerOptions);
    });

    builder.Host.UseWolverine(options =>
    {
        options.Policies.AutoApplyTransactions();
        // Scheduled deadline checks and any local message live in PostgreSQL, so they survive restarts.
        options.Policies.UseDurableLocalQueues();
        // How often scheduled messages that came due are picked up (deadline checks fire within this of midnight UTC).
        options.Durability.ScheduledJobPollingTime =
            TimeSpan.FromMilliseconds(builder.Configuration.GetValue("Wolverine:ScheduledJobPollingMilliseconds", 5000));
        options.Durability.ScheduledJobFirstExecution = TimeSpan.Zero;
        // How soon a dead node's durable messages (scheduled deadline checks) move to a live one: nodes report health every
        // HealthCheckSeconds, and one silent for StaleNodeSeconds is taken for dead (Wolverine's own defaults unless set).
        // Async projections do not wait for this: Marten's hot/cold daemon moves them (TrackerDatabase).
        if (builder.Configuration.GetValue<int?>("Wolverine:HealthCheckSeconds") is { } healthCheck)
        {
            options.Durability.HealthCheckPollingTime = TimeSpan.FromSeconds(healthCheck);
        }
        if (builder.Configuration.GetValue<int?>("Wolverine:StaleNodeSeconds") is { } stale)
        {
            options.Durability.StaleNodeTimeout = TimeSpan.FromSeconds(stale);
        }
    });

    // Last, so that it wraps every log provider registered before it.
    builder.Services.WithOneLineOutages();
    var app = builder.Build();

    app.UseForwardedHeaders();
    app.UseMiddleware<Tracker.Api.Infrastructure.Http.AnswersInJson>();
    app.UseMiddleware<Tracker.Api.Infrastructure.Telemetry.CorrelationScope>();
    app.UseMiddleware<HeadAsGet>();
    app.UseRouting();
    app.UseTrackerProblemDetails();
    app.UseTrackerSecurity();
    app.UseTrackerDashboard();
    app.UseMiddleware<RequestTextGuard>();
    app.UseMiddleware<JsonBodiesOnly>();
    app.UseMiddleware<Tracker.Api.Infrastructure.Http.IfMatchOnOtherWrites>();
    // A retry after a lost race asks the idempotency keys again: the race may have been lost to a duplicate of itself.
    app.UseMiddleware<ConcurrencyRetry>();
    app.UseMiddleware<IdempotentRequests>();
    app.UseMiddleware<Tracker.Api.Infrastructure.Http.ConditionalGets>();
    app.MapOpenApi();
    // The interactive API reference is on in Development and off elsewhere unless OpenApi:ScalarUi says otherwise.
    if (builder.Configuration.GetValue("OpenApi:ScalarUi", app.Environment.IsDevelopment()))
    {
        app.MapScalarApiReference("/scalar");
    }
    app.MapTrackerHealth();
    app.MapTrackerMetrics();
    app.MapWolverineEndpoints(options =>
    {
        // "?page=abc" is a 400 problem, not a silent default.
        options.RejectUnparseableQueryValues = true;
        options.AddPolicy<FluentValidationPolicy>();
        options.AddPolicy<CommitmentWritePolicy>();
        options.AddPolicy<Tracker.Api.Audit.EndpointMetadataPolicy>();
        options.AddPolicy<RouteAuthorization>();
        options.AddMiddleware(typeof(WriteMetadata), WriteMetadata.Applies);
        options.AddPolicy<IdempotentWritePolicy>();
    });

    // Serving is the usual start and needs no command line: JasperFx's would first search every assembly for commands
    // (about a quarter of a second of the start-up). db-apply, db-assert, codegen and the rest go through it.
    // Settings given on the command line alone (--urls, --environment, --Section:Key=value) are serving too: JasperFx would
    // run the host without this service's exit codes, a failed start ending 0 with no word said (until 2026-12-07).
    if (serves)
    {
        return await ServiceExit.RunAsync(app, Console.Error);
    }
    // Marten's "projections" command given a projection that is none of the service's did nothing and exited 0 (until
    // 2026-12-07): a script's misspelt rebuild looked done.
    // JasperFx takes a command's name in any case ("Projections"), and so do these checks (until 2026-12-07 lower case only).
    var projectionsCommand = args is [var commandName, ..] && commandName.Equals("projections", StringComparison.OrdinalIgnoreCase);
    if (projectionsCommand && ProjectionsAsked(args) is { Count: > 0 } asked)
    {
        var known = ((Marten.StoreOptions)app.Services.GetRequiredService<Marten.IDocumentStore>().Options).Projections.All
            .Select(projection => projection.Name).ToList();
        if (asked.Where(name => !known.Contains(name, StringComparer.OrdinalIgnoreCase)).ToList() is { Count: > 0 } unknown)
        {
            Console.Error.WriteLine($"No projection is named {string.Join(", ", unknown.Select(name => $"'{name}'"))}: the service's are " +
                                    $"{string.Join(", ", known.Order(StringComparer.Ordinal))} (in any case).");
            return 1;
        }
    }
    // Marten's rebuild from the command line takes no lock of the service's: run while a node serves, it moved the
    // projections' progress under that node's async daemon, which then stopped on "progression out of order" until the node
    // restarted (until 2026-12-07). Refused while a node serves, unless the operator says they know.
    if (projectionsCommand && args.Contains("rebuild", StringComparer.OrdinalIgnoreCase) &&
        Environment.GetEnvironmentVariable(Tracker.Api.Admin.ServingNodes.RebuildWhileServing) != "1" &&
        await Tracker.Api.Admin.ServingNodes.AnyServing(app.Services))
    {
        Console.Error.WriteLine($"A node of the service is running against this database (one said so within the last {Tracker.Api.Admin.ServingNodes.AliveWithin.TotalSeconds:0} s): rebuilding from the " +
                                "command line while it serves leaves its daemon stopped until it restarts. Stop every node first, or " +
                                "rebuild through the API (POST /api/admin/projections/{name}/rebuild) where it offers the rebuild. " +
                                $"({Tracker.Api.Admin.ServingNodes.RebuildWhileServing}=1 runs it all the same.)");
        return 1;
    }
    // A service role the operator named that does not exist: said in a line before the migration, whose own failure
    // on it comes with every statement it would have run (until 2026-12-07 db-apply succeeded, granting nothing).
    if (args[0].Equals("db-apply", StringComparison.OrdinalIgnoreCase) &&
        !string.IsNullOrWhiteSpace(builder.Configuration["Database:ServiceRole"]) &&
        TrackerDatabase.ServiceRole(builder.Configuration) is { } namedRole)
    {
        await using var roleCheck = app.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand("select exists (select 1 from pg_roles where rolname = $1)");
        roleCheck.Parameters.Add(new Npgsql.NpgsqlParameter { Value = namedRole });
        if (await roleCheck.ExecuteScalarAsync() is false)
        {
            Console.Error.WriteLine($"Role {namedRole} (Database:ServiceRole) does not exist: create it (scripts/db.sh and docker compose do), " +
                                    "or name the role the service connects as, and run db-apply again.");
            return 1;
        }
    }
    var exitCode = await app.RunJasperFxCommands(args);
    return describedWrong && exitCode == 0 ? 1 : exitCode;

    static void SpacedTimestamp(Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions options)
    {
        if (options.TimestampFormat is { Length: > 0 } format && !char.IsWhiteSpace(format[^1])) options.TimestampFormat = format + " ";
    }

    // The names after -p or --projection, "--projection=Name" included.
    static List<string> ProjectionsAsked(string[] args) =>
    [
        .. args.Select((arg, i) => arg is "-p" or "--projection" && i + 1 < args.Length ? args[i + 1]
            : arg.StartsWith("--projection=", StringComparison.Ordinal) ? arg["--projection=".Length..] : null)
            .OfType<string>()
    ];
}
// Run as its own process (not hosted by a test, which expects the exception itself).
catch (Exception problem) when (ConfigurationProblems.Explain(problem) is { } explained &&
                                System.Reflection.Assembly.GetEntryAssembly() == typeof(Program).Assembly)
{
    // Something the operator must put right (a setting, the database, the address): the message is the whole answer (a
    // stack trace would bury it).
    await ConfigurationProblems.Say(explained);
    return 1;
}

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
