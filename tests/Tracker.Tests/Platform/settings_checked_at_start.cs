using Microsoft.Extensions.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Api.Audit.Checkpoints;
using Tracker.Api.Catalogue;
using Tracker.Api.Exports;
using Tracker.Api.Infrastructure;
using Tracker.Api.Infrastructure.Settings;
using Tracker.Api.Security;
using Tracker.Tests.Support;

namespace Tracker.Tests.Platform;

/// <summary>A wrong setting stops the service before it listens, and the failure names the setting.</summary>
[Collection(TrackerCollection.Name)]
public sealed class settings_checked_at_start
{
    [Theory]
    [InlineData("Auth:Jwt:SigningKey", "", "Auth:Jwt:SigningKey must be set")]
    [InlineData("Auth:Jwt:SigningKey", "too-short", "Auth:Jwt:SigningKey must have at least 32 bytes")]
    [InlineData("Auth:Jwt:Audience", "", "Auth:Jwt:Audience must be set")]
    [InlineData("Auth:BootstrapAdminKey", "short", "Auth:BootstrapAdminKey must have at least 16 characters")]
    [InlineData("RateLimits:WritesPerMinute", "-1", "RateLimits:WritesPerMinute '-1' must be a whole number from 1 to 2147483647")]
    // Read on every readiness check behind a write: until 2026-12-06 a value that is no number answered 503 there.
    [InlineData("Health:MaxProjectionDelaySeconds", "a minute", "Health:MaxProjectionDelaySeconds 'a minute' must be a whole number from 0 to 86400")]
    [InlineData("RateLimits:WritesPerMinute", "99999999999", "RateLimits:WritesPerMinute '99999999999' must be a whole number from 1 to 2147483647")]
    [InlineData("Wolverine:ScheduledJobPollingMilliseconds", "abc", "Wolverine:ScheduledJobPollingMilliseconds 'abc' must be a whole number")]
    [InlineData("Cors:Origins", "https://dashboard.example.org", "Cors:Origins is a list: give each entry on its own, as Cors:Origins:0")]
    [InlineData("Proxy:TrustedNetworks", "10.0.0.0/8", "environment Proxy__TrustedNetworks__0")]
    [InlineData("OpenApi:ScalarUi", "maybe", "OpenApi:ScalarUi 'maybe' must be true or false")]
    [InlineData("Database:ApplySchemaOnStart", "yes", "Database:ApplySchemaOnStart 'yes' must be true or false")]
    [InlineData("Catalogue:LoadOnStart", "maybe", "Catalogue:LoadOnStart 'maybe' must be true or false")]
    [InlineData("Limits:MaxRequestBodyBytes", "0", "Limits:MaxRequestBodyBytes '0' must be a whole number")]
    [InlineData("Cors:Origins:0", "dashboard.example.org", "Cors:Origins 'dashboard.example.org' must be an origin")]
    [InlineData("Proxy:TrustedNetworks:0", "10.0.0.0/99", "Proxy:TrustedNetworks '10.0.0.0/99' must be a CIDR range")]
    [InlineData("Audit:Checkpoints:SigningKey", "not a key", "Audit:Checkpoints:SigningKey must be an EC P-256 private key")]
    [InlineData("Audit:Checkpoints:Interval", "soon", "Audit:Checkpoints:Interval 'soon' must be a time span")]
    [InlineData("Audit:Checkpoints:EventsPerRead", "0", "Audit:Checkpoints:EventsPerRead '0' must be a whole number from 1 to 1000000")]
    [InlineData("Audit:Checkpoints:MaxEvents", "50000000", "Audit:Checkpoints:MaxEvents '50000000' must be a whole number from 1 to 1000000")]
    [InlineData("Audit:Checkpoints:PauseBetweenReads", "-00:00:01", "Audit:Checkpoints:PauseBetweenReads '-00:00:01' must be a time span from 0 to 10 seconds")]
    // Times past what the service can wait passed the check until 2026-12-07, and then failed: a sampling period past a
    // timer's 49.7 days ended the start (exit 134), a checkpoint interval past it ended the service after it listened (with
    // exit code 0), and a settle time of millions of days was an error every minute.
    [InlineData("Telemetry:SampleSeconds", "4294968", "Telemetry:SampleSeconds '4294968' must be a whole number from 1 to 86400")]
    [InlineData("Audit:Checkpoints:Interval", "50.00:00:00", "Audit:Checkpoints:Interval '50.00:00:00' must be a time span from 100 ms to 49 days")]
    [InlineData("Audit:Checkpoints:SettleTime", "9999999.00:00:00", "Audit:Checkpoints:SettleTime '9999999.00:00:00' must be a time span from 0 to 49 days")]
    // The binder reads hours past 23 as days: a day written 24:00:00 was 24 days (until 2026-12-07).
    [InlineData("Audit:Checkpoints:Interval", "24:00:00", "Audit:Checkpoints:Interval '24:00:00' must be a time span from 100 ms to 49 days, such as 00:01:00 (days before a dot: 1.00:00:00 for a day; 24:00:00 is not read as one)")]
    [InlineData("Audit:Checkpoints:SettleTime", "36:00", "Audit:Checkpoints:SettleTime '36:00' must be a time span")]
    [InlineData("Wolverine:HealthCheckSeconds", "2147483647", "Wolverine:HealthCheckSeconds '2147483647' must be a whole number from 1 to 86400")]
    [InlineData("Wolverine:StaleNodeSeconds", "86401", "Wolverine:StaleNodeSeconds '86401' must be a whole number from 1 to 86400")]
    [InlineData("Wolverine:ScheduledJobPollingMilliseconds", "86400001", "must be a whole number from 1 to 86400000")]
    // OpenTelemetry's exporter ignored an endpoint or protocol it could not read and sent to its default, so telemetry was
    // lost without a word, and failed the start with its stack trace on headers or a timeout it could not use (until
    // 2026-12-07).
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "not-a-url", "OTEL_EXPORTER_OTLP_ENDPOINT 'not-a-url' must be an absolute http or https URL")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector:21", "OTEL_EXPORTER_OTLP_ENDPOINT 'ftp://collector:21' must be an absolute http or https URL")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "/v1/traces", "OTEL_EXPORTER_OTLP_ENDPOINT '/v1/traces' must be an absolute http or https URL")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "http://exa mple.com", "OTEL_EXPORTER_OTLP_ENDPOINT 'http://exa mple.com' must be an absolute")]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "collector:4318/v1/traces", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT 'collector:4318/v1/traces' must be")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "bogus", "OTEL_EXPORTER_OTLP_PROTOCOL 'bogus' must be grpc or http/protobuf")]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/json", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL 'http/json' must be grpc or http/protobuf (OpenTelemetry .NET's exporter sends no http/json)")]
    [InlineData("OTEL_EXPORTER_OTLP_HEADERS", "garbage", "OTEL_EXPORTER_OTLP_HEADERS must be comma-separated name=value pairs, values URL-encoded, such as api-key=...,tenant=... (its value is not shown): entry 1 has no '='.")]
    [InlineData("OTEL_EXPORTER_OTLP_HEADERS", "api-key=1,,api-key=2", "entry 2 is empty; entry 3 names api-key again")]
    [InlineData("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "User-Agent=me", "OTEL_EXPORTER_OTLP_LOGS_HEADERS must be comma-separated name=value pairs")]
    [InlineData("OTEL_EXPORTER_OTLP_HEADERS", "Content-Type=text/plain", "entry 1 names Content-Type, a header of the body the exporter writes itself")]
    [InlineData("OTEL_EXPORTER_OTLP_TIMEOUT", "0", "OTEL_EXPORTER_OTLP_TIMEOUT '0' must be a whole number from 1 to 86400000 (milliseconds)")]
    [InlineData("OTEL_METRIC_EXPORT_INTERVAL", "0", "OTEL_METRIC_EXPORT_INTERVAL '0' must be a whole number from 1 to 86400000 (milliseconds)")]
    [InlineData("Audit:Checkpoints:TrustedPublicKeys:0", "junk", "Audit:Checkpoints:TrustedPublicKeys holds a key that is not an EC public key")]
    [InlineData("Catalogue:Path", "/no/such/catalogue", "Catalogue:Path '/no/such/catalogue' is neither a file nor a folder")]
    [InlineData("Deadlines:SweepEvery", "hourly", "Deadlines:SweepEvery 'hourly' must be a time span from 0 to 49 days")]
    [InlineData("Ledger:DefaultCurrency", "eur", "Ledger:DefaultCurrency 'eur' is not an ISO 4217 code in use, in capitals (USD, EUR...)")]
    [InlineData("Ledger:DefaultCurrency", "DEM", "Ledger:DefaultCurrency 'DEM' is no longer in use (replaced by EUR)")]
    [InlineData("Ledger:DefaultCurrency", "", "Ledger:DefaultCurrency is set but empty: give an ISO 4217 code in use (USD, EUR...), or leave it unset (USD)")]
    [InlineData("RateLimits:HeavyReadsAtOnce", "7", "RateLimits:HeavyReadsAtOnce (7) must be at most half the connection pool (12")]
    // A level that is no level failed the start with the logging filter's stack trace (until 2026-12-06), and a console
    // format that is none fell back to plain text without a word.
    [InlineData("Logging:LogLevel:Default", "Loud", "Logging:LogLevel:Default 'Loud' must be one of Trace, Debug, Information, Warning, Error, Critical or None")]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore", "verbose", "Logging:LogLevel:Microsoft.AspNetCore 'verbose' must be one of")]
    [InlineData("Logging:Console:FormatterName", "xml", "Logging:Console:FormatterName 'xml' must be json, simple or systemd")]
    // Spaces are no level (the logging filter takes only an empty value for unset, and failed on them with its trace).
    [InlineData("Logging:LogLevel:Default", " ", "Logging:LogLevel:Default ' ' must be one of")]
    public async Task a_wrong_setting_stops_the_start_naming_it(string key, string value, string message)
    {
        // The exporter's settings are read where it is set up, with an endpoint to send to.
        (string, string)[] settings = key.StartsWith("OTEL_", StringComparison.Ordinal) && key != "OTEL_EXPORTER_OTLP_ENDPOINT"
            ? [("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"), (key, value)]
            : [(key, value)];
        var refused = await Should.ThrowAsync<Exception>(async () =>
        {
            await using var host = await TrackerApp.StartAnotherHost(settings);
        });

        refused.ToString().ShouldContain(message);
    }

    // A template's unset variable (compose's ${VAR:-}) gives an empty value: until 2026-12-07 the services failed on it in
    // the configuration binder's words (exit code 134), the checkpoints' and the gauges' after the service listened, and an
    // empty console format switched Production's JSON lines to plain text.
    [Theory]
    [InlineData("Telemetry:PrometheusEndpoint", "give true or false, or leave it unset")]
    [InlineData("Telemetry:Enabled", "give true or false")]
    [InlineData("OpenApi:ScalarUi", "give true or false")]
    [InlineData("Auth:AnonymousReads", "give true or false")]
    [InlineData("Auth:DemoKeys", "give true or false")]
    [InlineData("Database:ApplySchemaOnStart", "give true or false")]
    [InlineData("Audit:Checkpoints:Enabled", "give true or false")]
    [InlineData("RateLimits:WritesPerMinute", "give a whole number from 1 to 2147483647, or leave it unset")]
    [InlineData("Limits:MaxRequestBodyBytes", "give a whole number of at least 1")]
    [InlineData("Telemetry:SampleSeconds", "give a whole number from 1 to")]
    [InlineData("Audit:Checkpoints:Interval", "give a time span")]
    [InlineData("Idempotency:Retention", "give a time span from 1 minute to 365 days")]
    [InlineData("Logging:Console:FormatterName", "give json, simple or systemd, or leave it unset")]
    [InlineData("Catalogue:Path", "give a path, or leave it unset (the catalogue shipped with the service)")]
    public async Task an_empty_value_stops_the_start_saying_what_to_give(string key, string said)
    {
        var refused = await Should.ThrowAsync<ConfigurationProblem>(async () =>
        {
            await using var host = await TrackerApp.StartAnotherHost((key, ""));
        });

        refused.Message.ShouldContain($"{key} is set but empty: {said}");
    }

    [Fact]
    public void an_empty_signing_key_file_stops_only_what_would_read_it()
    {
        const string file = "Audit:Checkpoints:SigningKeyFile";
        Should.Throw<ConfigurationProblem>(() => SettingsCheckValidation.BeforeStart(Given((file, ""))))
            .Message.ShouldContain($"{file} is set but empty: give a path, or leave it unset");
        // Not beside a key given as a setting (a PEM from a secret store), which is read instead, nor for a command that reads
        // no key (api-keys, revoking a leaked key).
        SettingsCheckValidation.BeforeStart(Given((file, ""), ("Audit:Checkpoints:SigningKey", TrackerApp.CheckpointSigningKey)));
        SettingsCheckValidation.BeforeStart(Given((file, "")), readsSigningKey: false);
    }

    [Fact]
    public void a_temporary_folder_the_service_cannot_write_stops_a_serving_start_naming_it()
    {
        // Heavy reads' answers over 256 KiB are held there: until 2026-12-08 only those failed, with a 500.
        Should.Throw<ConfigurationProblem>(() => SettingsCheckValidation.BeforeStart(Given(("ASPNETCORE_TEMP", "/proc")), serves: true))
            .Message.ShouldContain("The temporary folder '/proc' (ASPNETCORE_TEMP, or the system's) cannot be written (");
        Should.Throw<ConfigurationProblem>(() => SettingsCheckValidation.BeforeStart(Given(("ASPNETCORE_TEMP", "/no/such/folder")), serves: true))
            .Message.ShouldContain("'/no/such/folder' (ASPNETCORE_TEMP, or the system's) cannot be written (it does not exist)");
        // A command that serves nothing does not need it; a writable one passes.
        SettingsCheckValidation.BeforeStart(Given(("ASPNETCORE_TEMP", "/proc")), serves: false);
        SettingsCheckValidation.BeforeStart(Given(("ASPNETCORE_TEMP", Path.GetTempPath())), serves: true);
    }

    [Fact]
    public void a_blank_signing_key_file_is_empty_and_one_that_cannot_be_made_stops_the_start_naming_why()
    {
        const string file = "Audit:Checkpoints:SigningKeyFile";
        // (Until 2026-12-07 "   " made a file of that name, and a path the service may not write passed the start, every
        // checkpoint failing after it.)
        Should.Throw<ConfigurationProblem>(() => SettingsCheckValidation.BeforeStart(Given((file, "   "))))
            .Message.ShouldContain($"{file} is set but empty: give a path, or leave it unset");
        Should.Throw<ConfigurationProblem>(() => SettingsCheckValidation.BeforeStart(Given((file, "/proc/tracker-probe.pem")), serves: true))
            .Message.ShouldContain($"{file} '/proc/tracker-probe.pem' does not exist and cannot be created there (");
        // Only serving makes the key: a command (a migration on a read-only file system) is not stopped by it.
        SettingsCheckValidation.BeforeStart(Given((file, "/proc/tracker-probe.pem")), serves: false);
        // A path it may write passes, and is left as it was, its folders too: the key is made by the signer.
        var folder = Path.Combine(Path.GetTempPath(), $"tracker-key-{Guid.NewGuid():N}");
        SettingsCheckValidation.BeforeStart(Given((file, Path.Combine(folder, "keys", "checkpoint.pem"))), serves: true);
        Directory.Exists(folder).ShouldBeFalse();
    }

    [Fact]
    public void a_jwt_authority_beside_a_shared_signing_key_stops_the_start()
    {
        // (Until 2026-12-07 a shared key left beside the identity provider kept signing tokens in.)
        Should.Throw<ConfigurationProblem>(() => SettingsCheckValidation.BeforeStart(Given(
                ("Auth:Jwt:Authority", "https://login.example.org/tenant"), ("Auth:Jwt:Audience", "tracker-api"),
                ("Auth:Jwt:Issuer", "tracker"), ("Auth:Jwt:SigningKey", "a-shared-key-of-at-least-thirty-two-bytes!"))))
            .Message.ShouldContain("Auth:Jwt:Authority and Auth:Jwt:SigningKey are both set");
    }

    [Fact]
    public void every_switch_number_and_time_span_the_service_reads_refuses_an_empty_value()
    {
        foreach (var setting in SettingsCheckValidation.Typed)
        {
            var refused = Should.Throw<ConfigurationProblem>(() => SettingsCheckValidation.BeforeStart(Given((setting.Key, ""))));

            refused.Message.ShouldContain($"{setting.Key} is set but empty: give {setting.Expected}, or leave it unset.");
        }
    }

    [Fact]
    public void every_switch_number_and_time_span_of_the_bound_options_classes_is_one_the_check_reads()
    {
        // The options bound from a section: a property that is neither text nor a list is read by the configuration
        // binder, which fails on a value it cannot convert (once the services are running, for options read late).
        var bound = new (Type Options, string Section)[]
        {
            (typeof(AuthOptions), "Auth"), (typeof(CatalogueOptions), "Catalogue"), (typeof(CheckpointOptions), "Audit:Checkpoints"),
            (typeof(IatiOptions), IatiOptions.Section)
        };
        var checkedKeys = SettingsCheckValidation.Typed.Select(s => s.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var notChecked = bound.SelectMany(b => ReadByTheBinder(b.Options, b.Section)).Where(key => !checkedKeys.Contains(key)).ToList();

        notChecked.ShouldBeEmpty();
    }

    [Fact]
    public void the_longest_checkpoint_interval_and_sampling_period_the_check_takes_are_ones_a_timer_waits()
    {
        // A .NET timer waits at most 4,294,967,294 ms (49.7 days), and throws when it is asked for longer.
        var interval = SettingsCheckValidation.Typed.OfType<TimeSpanSetting>().Single(s => s.Key == "Audit:Checkpoints:Interval").Maximum;
        var sampling = TimeSpan.FromSeconds(SettingsCheckValidation.Typed.OfType<WholeNumberSetting>().Single(s => s.Key == "Telemetry:SampleSeconds").Maximum);

        Should.NotThrow(() => new PeriodicTimer(interval).Dispose());
        Should.NotThrow(() => new PeriodicTimer(sampling).Dispose());
    }

    private static IEnumerable<string> ReadByTheBinder(Type options, string section)
    {
        foreach (var property in options.GetProperties().Where(p => p.CanWrite))
        {
            var key = $"{section}:{property.Name}";
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (type == typeof(string) || typeof(System.Collections.IEnumerable).IsAssignableFrom(type)) continue;
            if (type.IsClass)
            {
                foreach (var inner in ReadByTheBinder(type, key)) yield return inner;
            }
            else yield return key;
        }
    }

    private static IConfiguration Given(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void the_exporters_headers_are_never_shown_in_the_line_refusing_them()
    {
        // They carry the collector's API key: one written without its name is the key itself.
        var refused = Should.Throw<ConfigurationProblem>(() =>
            SettingsCheckValidation.BeforeStart(Given(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"),
                ("OTEL_EXPORTER_OTLP_HEADERS", "qzx4-secret,Bearer qzx5=1"))));

        refused.Message.ShouldContain("entry 1 has no '='; entry 2's name is not a header name");
        refused.Message.ShouldNotContain("qzx");
    }

    [Fact]
    public void the_exporters_settings_as_its_specification_writes_them_pass_and_empty_ones_are_unset()
    {
        // OpenTelemetry's specification: an empty variable is an unset one (the exporter reads it so).
        Should.NotThrow(() => SettingsCheckValidation.BeforeStart(Given(
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector.example.org:4318"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20abc%3D, x-tenant = 7"), ("OTEL_EXPORTER_OTLP_TIMEOUT", "10000"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces"), ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_LOGS_HEADERS", ""), ("OTEL_METRIC_EXPORT_INTERVAL", "60000"))));
        // Without an endpoint the service sets no exporter up, and reads none of them: a platform's variables for a sidecar
        // (a protocol this exporter does not send) stop no start.
        Should.NotThrow(() => SettingsCheckValidation.BeforeStart(Given(("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
            ("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "garbage"))));
        // An endpoint for one signal sets the exporter up (since 2026-12-07), so its settings are read.
        Should.Throw<ConfigurationProblem>(() => SettingsCheckValidation.BeforeStart(Given(("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://sidecar:4318/v1/traces")))).Message.ShouldContain("OTEL_EXPORTER_OTLP_PROTOCOL 'http/json'");
    }

    [Fact]
    public async Task contradictory_settings_stop_the_start_naming_both_not_a_missing_service()
    {
        var refused = await Should.ThrowAsync<Exception>(async () =>
        {
            await using var host = await TrackerApp.StartAnotherHost(("Telemetry:PrometheusEndpoint", "true"), ("Telemetry:Enabled", "false"));
        });

        refused.Message.ShouldContain("Telemetry:PrometheusEndpoint is on while Telemetry:Enabled is off");
    }

    [Fact]
    public async Task the_text_log_formats_put_a_space_after_the_time_and_the_json_format_keeps_the_time_alone()
    {
        // (Until 2026-12-07 the simple and systemd formats ran the time into the level: "...Zinfo: ...".)
        await using var host = await TrackerApp.StartAnotherHost(("Logging:Console:FormatterName", "simple"));

        host.Services.GetRequiredService<IOptionsMonitor<Microsoft.Extensions.Logging.Console.SimpleConsoleFormatterOptions>>()
            .CurrentValue.TimestampFormat.ShouldBe("yyyy-MM-ddTHH:mm:ss.fffZ ");
        host.Services.GetRequiredService<IOptionsMonitor<Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>>()
            .CurrentValue.TimestampFormat.ShouldBe("yyyy-MM-ddTHH:mm:ss.fffZ ");
        host.Services.GetRequiredService<IOptionsMonitor<Microsoft.Extensions.Logging.Console.JsonConsoleFormatterOptions>>()
            .CurrentValue.TimestampFormat.ShouldBe("yyyy-MM-ddTHH:mm:ss.fffZ");
    }

    [Fact]
    public async Task a_log_level_left_empty_or_given_by_its_number_is_taken_as_the_logging_filter_takes_it()
    {
        // An unset variable in a template leaves a level empty: the filter reads it as unset, and so does the check.
        await using var host = await TrackerApp.StartAnotherHost(("Logging:LogLevel:Default", "4"), ("Logging:LogLevel:Microsoft", ""));

        // 4 is Error: Information is not logged, Error is.
        var logger = host.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Tracker.Tests");
        logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information).ShouldBeFalse();
        logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Error).ShouldBeTrue();
    }

    [Theory]
    [InlineData("--urls", "http://127.0.0.1:99999", "a listening address's port is out of range")]
    [InlineData("--urls=http://127.0.0.1:-1", null, "a listening address's port is out of range")]
    [InlineData("--urls", "http://10.255.255.1:5397", "a listening address is not one of this host's")]
    [InlineData("--urls", "https://127.0.0.1:0", "an https address is asked for (ASPNETCORE_URLS or --urls) and no certificate is configured")]
    public async Task the_service_given_an_address_on_its_command_line_that_it_cannot_listen_on_says_so_in_a_line_and_exits_with_1(
        string flag, string? value, string said)
    {
        // Until 2026-12-07 --urls took the start past the service's exit codes (JasperFx ran the host itself): a failed
        // start ended 0 with no word said; and a port out of range, an address not the host's or https without a
        // certificate ended with an unhandled exception's stack trace and exit code 134, given either way.
        // (The https address assumes no ASP.NET development certificate in the user's store, as on CI; where there is one,
        // the service serves with it, and the run is stopped after two minutes and fails.)
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory, new Dictionary<string, string?>(),
            TestDatabase.ConnectionString(), value is null ? [flag] : [flag, value]);

        exitCode.ShouldBe(1, output);
        output.Trim().ShouldStartWith($"Tracker.Api cannot start: {said}");
        output.Trim().Split('\n').ShouldHaveSingleItem(output);
    }

    [Fact]
    public async Task a_start_in_a_fresh_home_makes_no_data_protection_key_and_says_nothing_of_one()
    {
        // (Until 2026-12-07 each start in a fresh container made a key ring in the home folder, with a warning.)
        var home = Directory.CreateTempSubdirectory("tracker-home-").FullName;
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory,
            new Dictionary<string, string?> { ["HOME"] = home, ["DOTNET_CLI_HOME"] = home },
            TestDatabase.ConnectionString(), "--urls", "http://127.0.0.1:99999");

        exitCode.ShouldBe(1, output);
        output.Trim().Split('\n').ShouldHaveSingleItem(output);
        Directory.EnumerateFiles(home, "*.xml", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task a_minimum_pool_above_the_default_maximum_raises_the_maximum_and_one_above_a_maximum_given_is_named()
    {
        // Until 2026-12-07 a Minimum Pool Size above 12 stopped every start and command with the driver's exception, over
        // a maximum the operator never set.
        var (listed, listing) = await CommandLine.RunIn(AppContext.BaseDirectory, new Dictionary<string, string?>(),
            TestDatabase.ConnectionString() + ";Minimum Pool Size=13", "api-keys", "list");
        listed.ShouldBe(0, listing);

        var (refused, said) = await CommandLine.RunIn(AppContext.BaseDirectory, new Dictionary<string, string?>(),
            TestDatabase.ConnectionString() + ";Minimum Pool Size=13;Maximum Pool Size=5", "api-keys", "list");
        refused.ShouldBe(1, said);
        said.ShouldContain("keeps at least 13 connections open (Minimum Pool Size) but allows at most 5 (Maximum Pool Size)");
    }

    [Theory]
    [InlineData("Telemetry__PrometheusEndpoint", "", "Telemetry:PrometheusEndpoint is set but empty: give true or false, or leave it unset.")]
    [InlineData("Telemetry__SampleSeconds", "4294968", "Telemetry:SampleSeconds '4294968' must be a whole number from 1 to 86400.")]
    [InlineData("OTEL_EXPORTER_OTLP_HEADERS", "garbage", "OTEL_EXPORTER_OTLP_HEADERS must be comma-separated name=value pairs")]
    public async Task the_service_given_a_setting_it_cannot_use_says_so_in_a_line_and_exits_with_1(string variable, string value, string said)
    {
        // Until 2026-12-07 each ended the service with an unhandled exception's stack trace and exit code 134.
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory, new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317",
            [variable] = value
        }, TestDatabase.ConnectionString());

        exitCode.ShouldBe(1, output);
        output.Trim().ShouldStartWith($"Tracker.Api cannot start: {said}");
        output.Trim().Split('\n').ShouldHaveSingleItem(output);
        output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task several_wrong_settings_are_said_a_line_each()
    {
        // Until 2026-12-07 they ran on in one line.
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory, new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["OpenApi__ScalarUi"] = "",
            ["RateLimits__WritesPerMinute"] = "abc",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "bogus"
        }, TestDatabase.ConnectionString());

        exitCode.ShouldBe(1, output);
        output.Trim().Split('\n').Select(line => line.TrimEnd('\r')).ShouldBe(
        [
            "Tracker.Api cannot start: OpenApi:ScalarUi is set but empty: give true or false, or leave it unset.",
            "Tracker.Api cannot start: RateLimits:WritesPerMinute 'abc' must be a whole number from 1 to 2147483647.",
            "Tracker.Api cannot start: OTEL_EXPORTER_OTLP_PROTOCOL 'bogus' must be grpc or http/protobuf (OpenTelemetry .NET's exporter sends no http/json)."
        ]);
    }

    [Fact]
    public async Task a_command_given_a_log_level_that_is_none_says_so_in_a_line()
    {
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory,
            new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Loud" }, TestDatabase.ConnectionString(), "api-keys", "list");

        exitCode.ShouldBe(1, output);
        output.ShouldContain("Logging:LogLevel:Default 'Loud' must be one of");
        output.ShouldNotContain("Unhandled exception");
        output.ShouldNotContain("   at ");
    }
}
