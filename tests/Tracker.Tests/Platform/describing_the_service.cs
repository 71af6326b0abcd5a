using Tracker.Api.Infrastructure.Settings;
using Tracker.Tests.Support;

namespace Tracker.Tests.Platform;

/// <summary>`describe` prints every setting and where it came from, and no secret's value.</summary>
[Collection(TrackerCollection.Name)]
public sealed class describing_the_service
{
    [Fact]
    public async Task the_description_names_each_secret_setting_without_its_value()
    {
        // Short values: the description's table wraps a long one over lines, where a search would miss it.
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory, new Dictionary<string, string?>
        {
            ["DEPLOY_SECRET"] = "qzx1",
            ["Audit__Checkpoints__SigningKey"] = null,
            ["Audit__Checkpoints__SigningKeyFile"] = "/k.pem"
        }, TestDatabase.ConnectionString() + ";Password=qzx2", "describe");

        exitCode.ShouldBe(0, output);
        output.ShouldContain("DEPLOY_SECRET (set,");
        output.ShouldContain("/k.pem");
        output.ShouldNotContain("qzx");
    }

    [Theory]
    [InlineData("development")]
    [InlineData("DEVELOPMENT")]
    public async Task an_environment_named_in_another_case_is_that_environment_with_its_settings_file(string named)
    {
        // Until 2026-12-07 "development" was Development to the host (IsDevelopment ignores case) without
        // appsettings.Development.json, which a file system that minds case did not find.
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory,
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = named }, TestDatabase.ConnectionString(), "describe");

        exitCode.ShouldBe(0, output);
        output.ShouldContain("Environment:  Development");
        output.ShouldContain("AnonymousReads True  (JsonConfigurationProvider");
    }

    [Fact]
    public async Task the_description_of_a_service_exporting_over_otlp_hides_the_exporters_headers_without_failing()
    {
        // Until 2026-12-07 the exporter was set up over the description's view of the settings, read "(set, not shown)"
        // as its headers, and ended describe with an unhandled exception.
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory, new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "api-key=qzx3"
        }, TestDatabase.ConnectionString(), "describe");

        exitCode.ShouldBe(0, output);
        output.ShouldContain("OTEL_EXPORTER_OTLP_HEADERS (set,");
        output.ShouldNotContain("qzx3");
        output.ShouldNotContain("Unhandled exception");
    }

    [Fact]
    public async Task the_description_of_settings_the_service_would_not_start_with_says_what_is_wrong_and_shows_them()
    {
        // Until 2026-12-06 describe refused to run for the one wrong setting it was run to look into.
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory, new Dictionary<string, string?>
        {
            ["Catalogue__Path"] = "/no/such/catalogue"
        }, TestDatabase.ConnectionString(), "describe");

        exitCode.ShouldBe(1, output);
        output.ShouldContain("would not start with these settings: Catalogue:Path '/no/such/catalogue' is neither a file nor a folder");
        // The description itself: the setting as given, in its table, besides the line naming it.
        output.Split("/no/such/catalogue").Length.ShouldBeGreaterThan(2, output);
        output.ShouldNotContain("Unhandled exception");
    }

    [Theory]
    [InlineData("RateLimits__WritesPerMinute", "abc", "RateLimits:WritesPerMinute 'abc' must be a whole number")]
    [InlineData("Telemetry__PrometheusEndpoint", "maybe", "Telemetry:PrometheusEndpoint 'maybe' must be true or false")]
    [InlineData("Auth__AnonymousReads", "maybe", "Auth:AnonymousReads 'maybe' must be true or false")]
    public async Task a_word_where_a_number_or_a_switch_goes_is_named_and_the_settings_are_still_described(string variable, string value, string said)
    {
        // Until 2026-12-07 these ended describe with an unhandled exception (exit 134) before anything was described:
        // the services read them as they were set up.
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory, new Dictionary<string, string?> { [variable] = value },
            TestDatabase.ConnectionString(), "describe");

        exitCode.ShouldBe(1, output);
        output.ShouldContain(said);
        output.ShouldNotContain("Unhandled exception");
        output.Split($"'{value}'").Length.ShouldBeGreaterThan(1, output);
        output.Split(value).Length.ShouldBeGreaterThan(2, "described as given, besides the line naming it: " + output);
    }

    [Fact]
    public async Task an_empty_switch_or_time_span_is_named_and_the_settings_are_still_described()
    {
        // A template's unset variable: the services are set up without it (its default), the description says it is empty.
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory, new Dictionary<string, string?>
        {
            ["Telemetry__PrometheusEndpoint"] = "",
            ["Audit__Checkpoints__Interval"] = ""
        }, TestDatabase.ConnectionString(), "describe");

        exitCode.ShouldBe(1, output);
        output.ShouldContain("Telemetry:PrometheusEndpoint is set but empty: give true or false, or leave it unset.");
        output.ShouldContain("Audit:Checkpoints:Interval is set but empty");
        output.ShouldContain("IConfiguration Preview");
        output.ShouldNotContain("Unhandled exception");
    }

    [Fact]
    public async Task a_signing_key_gone_wrong_does_not_keep_an_operator_from_the_api_keys()
    {
        // The keys' command does not use it (until 2026-12-07 a malformed one stopped it, and a leaked key could not be revoked).
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory,
            new Dictionary<string, string?> { ["Audit__Checkpoints__SigningKey"] = "garbage" }, TestDatabase.ConnectionString(), "api-keys", "list");

        exitCode.ShouldBe(0, output);
        output.ShouldNotContain("SigningKey");
    }

    [Theory]
    [InlineData("storage", "clear")]
    [InlineData("resources", "clear")]
    // In any case, as JasperFx takes them (until 2026-12-07 "STORAGE clear" deleted them).
    [InlineData("STORAGE", "clear")]
    [InlineData("Resources", "CLEAR")]
    public async Task wolverines_commands_that_would_delete_the_scheduled_deadline_checks_are_refused(string command, string action)
    {
        // Until 2026-12-07 "storage clear" deleted every scheduled deadline check, as the service's role, without a question.
        var (exitCode, output) = await CommandLine.Run(TestDatabase.ConnectionString(), command, action);

        exitCode.ShouldBe(1, output);
        output.ShouldContain($"'{command} {action}' is not offered: it would delete the scheduled deadline checks");
    }

    [Fact]
    public async Task db_apply_for_a_service_role_that_does_not_exist_says_so_in_a_line_and_grants_nothing()
    {
        // Until 2026-12-07 it said it had succeeded (a warning in PostgreSQL's own log only), and the schema unchanged, said
        // "no differences" after.
        var (exitCode, output) = await CommandLine.RunIn(AppContext.BaseDirectory,
            new Dictionary<string, string?> { ["Database__ServiceRole"] = "tracker_servce" }, TestDatabase.ConnectionString(), "db-apply");

        exitCode.ShouldBe(1, output);
        output.Trim().ShouldBe("Role tracker_servce (Database:ServiceRole) does not exist: create it (scripts/db.sh and docker compose do), " +
                               "or name the role the service connects as, and run db-apply again.");
    }

    [Theory]
    [InlineData("ConnectionStrings:Tracker", "Host=db;Username=tracker_service;Password=s3cret", "host=db;username=tracker_service;password=\"(set, not shown)\"")]
    [InlineData("ConnectionStrings:Tracker", "Host=db;Username=tracker_service", "host=db;username=tracker_service")]
    [InlineData("ConnectionStrings:Tracker", "Host=db;Password", SecretsHidden.Hidden)]
    [InlineData("Auth:Jwt:SigningKey", "k", SecretsHidden.Hidden)]
    [InlineData("Audit:Checkpoints:SigningKey", "-----BEGIN PRIVATE KEY-----", SecretsHidden.Hidden)]
    [InlineData("AWS_SECRET_ACCESS_KEY", "k", SecretsHidden.Hidden)]
    [InlineData("GITHUB_TOKEN", "k", SecretsHidden.Hidden)]
    [InlineData("Audit:Checkpoints:SigningKeyFile", "/keys/a.pem", "/keys/a.pem")]
    [InlineData("RateLimits:WritesPerMinute", "120", "120")]
    [InlineData("ConnectionStrings:Tracker", "Host=db;Psw=s3cret", "host=db;psw=\"(set, not shown)\"")]
    [InlineData("ENCRYPTION_KEY", "k", SecretsHidden.Hidden)]
    [InlineData("SERVICE_CREDENTIALS", "k", SecretsHidden.Hidden)]
    [InlineData("DATABASE_URL", "postgres://tracker:s3cret@db:5432/tracker", "postgres://tracker:(set, not shown)@db:5432/tracker")]
    [InlineData("Audit:Checkpoints:TrustedPublicKeys:0", "-----BEGIN PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----")]
    public void a_setting_is_shown_unless_it_is_a_secret(string key, string value, string shown)
    {
        SecretsHidden.Shown(key, value).ShouldBe(shown);
    }
}
