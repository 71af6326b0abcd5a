using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Tracker.Api.Infrastructure.Settings;

/// <summary>
/// Every setting the service reads, checked once at start (ValidateOnStart): a wrong configuration stops the service
/// before it listens, with one line per setting naming it and saying what it must be, instead of a 500 on the first
/// request that reads it (or, worse, a half-set JWT configuration that accepts tokens it should not).
/// </summary>
public sealed class SettingsCheck;

/// <param name="readsSigningKey">
/// Whether what runs uses the checkpoints' signing key: `api-keys` does not, so a key setting gone wrong does not keep
/// an operator from revoking a leaked API key (until 2026-12-07 it did, though the README said the key was not read).
/// </param>
public sealed class SettingsCheckValidation(IConfiguration configuration, bool readsSigningKey = true, bool serves = false) : IValidateOptions<SettingsCheck>
{
    /// <summary>
    /// Whether a command line serves: none at all, or only settings the host reads, as "--name value" or "--name=value" pairs
    /// (its own: urls, environment, contentRoot, applicationName; or a configuration key with its section,
    /// "--Auth:AnonymousReads=true"). Only serving makes the signing key, so only serving is stopped by a key file that
    /// cannot be made (a migration on a read-only file system is not).
    /// </summary>
    public static bool Serves(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) return false;
            var name = args[i][2..].Split('=', 2)[0];
            if (!(name.ToLowerInvariant() is "urls" or "environment" or "contentroot" or "applicationname" || name.Contains(':'))) return false;
            if (!args[i].Contains('=') && ++i >= args.Length) return false;
        }
        return true;
    }

    /// <summary>Whether a command line's command reads the checkpoints' signing key.</summary>
    public static bool ReadsSigningKey(string[] args) => args.FirstOrDefault() is not "api-keys";

    private const long ADay = 86_400;

    /// <summary>Whole days within what a .NET timer waits at most (4,294,967,294 ms, 49.7 days).</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromDays(49);

    /// <summary>
    /// Every setting the service reads as a switch, a whole number or a time span (the options it binds and the values it
    /// reads one by one), with what each may be: a test holds the options' properties to this list.
    /// </summary>
    public static readonly IReadOnlyList<TypedSetting> Typed =
    [
        new SwitchSetting("OpenApi:ScalarUi"),
        new SwitchSetting("Telemetry:PrometheusEndpoint"),
        new SwitchSetting("Telemetry:Enabled"),
        new SwitchSetting("Auth:AnonymousReads"),
        new SwitchSetting("Auth:DemoKeys"),
        new SwitchSetting("Database:ApplySchemaOnStart"),
        new SwitchSetting("Catalogue:LoadOnStart"),
        new SwitchSetting("Audit:Checkpoints:Enabled"),
        new SwitchSetting("Audit:Checkpoints:CreateMissingKeyFile"),
        new WholeNumberSetting("RateLimits:WritesPerMinute", 1),
        new WholeNumberSetting("RateLimits:AnonymousReadsPerMinute", 1),
        new WholeNumberSetting("RateLimits:HeavyReadsAtOnce", 1),
        new WholeNumberSetting("RateLimits:HeavyReadsQueued", 0),
        new WholeNumberSetting("RateLimits:FailedSignInsPerMinute", 1),
        // Times given in seconds or milliseconds are at most a day: how often to poll, report or sample, and a day is already
        // longer than any of them is useful at (until 2026-12-07 a sampling period past 49.7 days, the most a .NET timer
        // waits, passed the check and then failed the start).
        new WholeNumberSetting("Wolverine:ScheduledJobPollingMilliseconds", 1, ADay * 1000),
        new WholeNumberSetting("Wolverine:HealthCheckSeconds", 1, ADay),
        new WholeNumberSetting("Wolverine:StaleNodeSeconds", 1, ADay),
        new WholeNumberSetting("Telemetry:SampleSeconds", 1, ADay),
        new WholeNumberSetting("Health:MaxProjectionDelaySeconds", 0, ADay),
        new WholeNumberSetting("Health:MaxProjectionLag", 0, long.MaxValue),
        new WholeNumberSetting("Limits:MaxRequestBodyBytes", 1, long.MaxValue),
        // A checkpoint holds its range's entries in memory (56 bytes an event): a million is 56 MB.
        new WholeNumberSetting("Audit:Checkpoints:MaxEvents", 1, 1_000_000),
        new WholeNumberSetting("Audit:Checkpoints:EventsPerRead", 1, 1_000_000),
        // The checkpoints' timer waits at most 49.7 days (until 2026-12-07 a longer interval ended the service after it
        // listened, with exit code 0), and a settle time of millions of days is before the first date there is (an error
        // every minute).
        new TimeSpanSetting("Audit:Checkpoints:Interval", TimeSpan.FromMilliseconds(100), LongestTimer),
        new TimeSpanSetting("Audit:Checkpoints:SettleTime", TimeSpan.Zero, LongestTimer),
        new TimeSpanSetting(Commitments.Assessing.DeadlineSweeping.Setting, TimeSpan.Zero, LongestTimer),
        new TimeSpanSetting("Audit:Checkpoints:PauseBetweenReads", TimeSpan.Zero, TimeSpan.FromSeconds(10)),
        new TimeSpanSetting(Idempotency.IdempotencyRetention.Setting, Idempotency.IdempotencyRetention.Minimum,
            Idempotency.IdempotencyRetention.Maximum, DaysBeforeADot: true)
    ];

    /// <summary>
    /// Settings naming a file or folder, and what unset means: the services take an empty one as a path (the content root),
    /// not as unset, so the catalogue loaded nothing and the signing key was looked for in a folder.
    /// </summary>
    private static readonly (string Key, string Unset)[] Paths =
    [
        ("Catalogue:Path", "the catalogue shipped with the service"),
        ("Audit:Checkpoints:SigningKeyFile", new Audit.Checkpoints.CheckpointOptions().SigningKeyFile)
    ];

    /// <summary>The switches, numbers and time spans the check refuses, by key: what the services would fail to read.</summary>
    private readonly List<string> _unreadable = [];

    /// <summary>
    /// The keys of the switches, numbers and time spans the check refuses: `describe` sets up the services without them (their
    /// defaults), since they would fail there in the configuration binder's words, an unhandled exception (until
    /// 2026-12-07), before anything was described.
    /// </summary>
    public static IReadOnlyList<string> Unreadable(IConfiguration configuration)
    {
        var check = new SettingsCheckValidation(configuration);
        check.Validate(null, new SettingsCheck());
        return check._unreadable;
    }

    /// <summary>
    /// The check run before the services are set up, which read some of these settings as they are (a word where a number
    /// or a switch belongs failed the start in the configuration binder's words, naming .NET types): any failure stops the
    /// start, named.
    /// </summary>
    public static void BeforeStart(IConfiguration configuration, bool readsSigningKey = true, bool serves = false)
    {
        var result = new SettingsCheckValidation(configuration, readsSigningKey, serves).Validate(null, new SettingsCheck());
        // One line each (until 2026-12-07 they ran on in one).
        if (result.Failed) throw new ConfigurationProblem(string.Join('\n', result.Failures));
    }

    /// <summary>
    /// Log levels and the console's format: a level that is no level's name failed the start in the logging filter's words,
    /// with a stack trace (until 2026-12-06), and a format that is none of the console's fell back to its plain text, which
    /// a pipeline reading JSON lines cannot parse.
    /// </summary>
    private void Logging(List<string> failures)
    {
        foreach (var (key, value) in configuration.GetSection("Logging").AsEnumerable())
        {
            // Empty is unset, as the logging filter reads it (a template's unset variable); a level's number is one too.
            if (string.IsNullOrEmpty(value) || !key.Split(':').Contains("LogLevel", StringComparer.OrdinalIgnoreCase)) continue;
            if (!Enum.GetNames<LogLevel>().Contains(value, StringComparer.OrdinalIgnoreCase) &&
                !(int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) &&
                  Enum.IsDefined((LogLevel)number)))
            {
                failures.Add($"{key} '{value}' must be one of {string.Join(", ", Enum.GetNames<LogLevel>()[..^1])} or {LogLevel.None} (or its number, 0 to 6).");
            }
        }
        // An empty format is not unset to the console logger: it fell back to its plain text (until 2026-12-07).
        if (configuration["Logging:Console:FormatterName"] is "")
        {
            failures.Add("Logging:Console:FormatterName is set but empty: give json, simple or systemd, or leave it unset (json; simple in Development).");
        }
        else if (configuration["Logging:Console:FormatterName"] is { } formatter &&
                 !new[] { "json", "simple", "systemd" }.Contains(formatter, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"Logging:Console:FormatterName '{formatter}' must be json, simple or systemd.");
        }
    }

    public ValidateOptionsResult Validate(string? name, SettingsCheck options)
    {
        var failures = new List<string>();
        foreach (var setting in Typed)
        {
            switch (configuration[setting.Key])
            {
                case null:
                    continue;
                // What a template's unset variable gives (compose's ${VAR:-}): until 2026-12-07 the services failed on it
                // in the configuration binder's words, some of them after the service listened.
                case "":
                    failures.Add($"{setting.Key} is set but empty: give {setting.Expected}, or leave it unset.");
                    break;
                case var text when !setting.Takes(text):
                    failures.Add($"{setting.Key} '{text}' must be {setting.Expected}.");
                    break;
                default:
                    continue;
            }
            _unreadable.Add(setting.Key);
        }
        foreach (var (key, unset) in Paths)
        {
            // The key file is read only by what signs or checks checkpoints, and only when no key is given as a setting (a
            // PEM from a secret store beside an empty file setting, or `api-keys` revoking a leaked key, is not stopped).
            if (key == "Audit:Checkpoints:SigningKeyFile" &&
                (!readsSigningKey || !string.IsNullOrEmpty(configuration["Audit:Checkpoints:SigningKey"]))) continue;
            // Blank is empty too: "   " was a file of that name (until 2026-12-07).
            if (configuration[key] is { } given && string.IsNullOrWhiteSpace(given))
                failures.Add($"{key} is set but empty: give a path, or leave it unset ({unset}).");
        }
        if (configuration["Telemetry:PrometheusEndpoint"] is { } prometheus && bool.TryParse(prometheus, out var scraped) && scraped &&
            configuration["Telemetry:Enabled"] is { } enabled && bool.TryParse(enabled, out var on) && !on)
        {
            failures.Add("Telemetry:PrometheusEndpoint is on while Telemetry:Enabled is off: /metrics would have nothing to serve. Turn one of them around.");
        }
        Jwt(failures);
        Logging(failures);
        failures.AddRange(OtlpExporterSettings.Problems(configuration));
        var bootstrap = configuration["Auth:BootstrapAdminKey"];
        if (bootstrap is { Length: > 0 and < 16 }) failures.Add("Auth:BootstrapAdminKey must have at least 16 characters.");

        HeavyReadsWithinThePool(failures);

        // A list given as one value (Cors__Origins=https://a) binds to nothing and was ignored without a word.
        foreach (var list in new[] { "Cors:Origins", "Proxy:TrustedNetworks", "Audit:Checkpoints:TrustedPublicKeys" })
        {
            if (configuration[list] is { Length: > 0 })
            {
                var variable = list.Replace(":", "__");
                failures.Add($"{list} is a list: give each entry on its own, as {list}:0, {list}:1, ... (environment {variable}__0, {variable}__1, ...; in JSON an array).");
            }
        }
        foreach (var origin in configuration.GetSection("Cors:Origins").Get<string[]>() ?? [])
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") ||
                uri.AbsolutePath != "/" || origin.EndsWith('/'))
            {
                failures.Add($"Cors:Origins '{origin}' must be an origin: scheme, host and port only, such as https://dashboard.example.org.");
            }
        }
        foreach (var network in configuration.GetSection("Proxy:TrustedNetworks").Get<string[]>() ?? [])
        {
            if (!IPNetwork.TryParse(network, out _)) failures.Add($"Proxy:TrustedNetworks '{network}' must be a CIDR range, such as 10.0.0.0/8.");
        }

        Checkpoints(failures);
        if (serves) TemporaryFolder(failures);
        if (configuration["Catalogue:Path"] is { Length: > 0 } path && !File.Exists(path) && !Directory.Exists(path))
        {
            failures.Add($"Catalogue:Path '{path}' is neither a file nor a folder.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Either no JWT at all, or an Authority (discovery) with an audience, or an issuer, an audience and a signing key of
    // at least 256 bits: never a configuration that validates less than it seems to.
    private void Jwt(List<string> failures)
    {
        var authority = configuration["Auth:Jwt:Authority"];
        var issuer = configuration["Auth:Jwt:Issuer"];
        var audience = configuration["Auth:Jwt:Audience"];
        var key = configuration["Auth:Jwt:SigningKey"];
        if (new[] { authority, issuer, audience, key }.All(string.IsNullOrWhiteSpace)) return;
        if (string.IsNullOrWhiteSpace(audience)) failures.Add("Auth:Jwt:Audience must be set when JWT bearer tokens are configured.");
        if (!string.IsNullOrWhiteSpace(authority))
        {
            if (!Uri.TryCreate(authority, UriKind.Absolute, out var uri) || uri.Scheme != "https")
            {
                failures.Add($"Auth:Jwt:Authority '{authority}' must be an https URL (the identity provider's discovery).");
            }
            // A shared key left beside the provider kept signing tokens in (until 2026-12-07): one way, not two.
            if (!string.IsNullOrWhiteSpace(key))
            {
                failures.Add("Auth:Jwt:Authority and Auth:Jwt:SigningKey are both set: tokens are checked against the identity provider's " +
                             "keys or against a shared key, not both. Remove the one not in use (and Auth:Jwt:Issuer with the shared key).");
            }
            return;
        }
        if (string.IsNullOrWhiteSpace(issuer)) failures.Add("Auth:Jwt:Issuer must be set when Auth:Jwt:SigningKey is used (no Authority).");
        if (string.IsNullOrWhiteSpace(key)) failures.Add("Auth:Jwt:SigningKey must be set when Auth:Jwt:Issuer is used (no Authority).");
        else if (System.Text.Encoding.UTF8.GetByteCount(key) < 32) failures.Add("Auth:Jwt:SigningKey must have at least 32 bytes (HMAC-SHA256).");
    }

    // Heavy reads that could take every connection would leave writes waiting out the pool's timeout (503s).
    private void HeavyReadsWithinThePool(List<string> failures)
    {
        if (!int.TryParse(configuration["RateLimits:HeavyReadsAtOnce"], out var heavy)) return;
        int pool;
        try
        {
            pool = TrackerDatabase.PoolSize(configuration);
        }
        catch (Exception e) when (e is ArgumentException or ConfigurationProblem)
        {
            failures.Add(e.Message); // a connection string Npgsql cannot read, or a pool too small
            return;
        }
        if (heavy > pool / 2)
        {
            failures.Add($"RateLimits:HeavyReadsAtOnce ({heavy}) must be at most half the connection pool ({pool}, Maximum Pool Size in " +
                         $"ConnectionStrings:{TrackerDatabase.ConnectionName}): heavy reads would otherwise hold the connections writes need. " +
                         "Raise the pool with it.");
        }
    }

    private void Checkpoints(List<string> failures)
    {
        var section = configuration.GetSection("Audit:Checkpoints");
        if (!readsSigningKey)
        {
            // (The trusted public keys and the times are checked all the same: reading them costs nothing.)
        }
        else if (section["SigningKey"] is { Length: > 0 } pem && !Imports(pem, IsP256))
        {
            failures.Add("Audit:Checkpoints:SigningKey must be an EC P-256 private key in PEM form (BEGIN PRIVATE KEY or BEGIN EC PRIVATE KEY).");
        }
        else if (section["SigningKey"] is not { Length: > 0 })
        {
            var file = section["SigningKeyFile"] is { Length: > 0 } given ? given : new Audit.Checkpoints.CheckpointOptions().SigningKeyFile;
            var root = configuration[Microsoft.Extensions.Hosting.HostDefaults.ContentRootKey] ?? Directory.GetCurrentDirectory();
            var path = Path.IsPathRooted(file) ? file : Path.Combine(root, file);
            if (Directory.Exists(path))
                failures.Add($"Audit:Checkpoints:SigningKeyFile '{path}' is a folder, not a file holding the key.");
            else if (File.Exists(path) && !ReadsAsP256(path))
                failures.Add($"Audit:Checkpoints:SigningKeyFile '{path}' does not hold an EC P-256 private key in PEM form (BEGIN PRIVATE KEY or BEGIN EC PRIVATE KEY).");
            else if (serves && !File.Exists(path) && (!bool.TryParse(section["CreateMissingKeyFile"], out var create) || create) && CannotCreate(path) is { } why)
                failures.Add($"Audit:Checkpoints:SigningKeyFile '{path}' does not exist and cannot be created there ({why}): point it at a " +
                             "folder the service may write, or give the key itself in Audit:Checkpoints:SigningKey.");
        }
        foreach (var trusted in section.GetSection("TrustedPublicKeys").Get<string[]>() ?? [])
        {
            if (!Imports(trusted, _ => true)) failures.Add("Audit:Checkpoints:TrustedPublicKeys holds a key that is not an EC public key in PEM form.");
        }
    }

    /// <summary>
    /// The folder heavy reads' answers over 256 KiB are held in while they are sent (Security/HeavyReadsBuffered):
    /// ASPNETCORE_TEMP, or the system's. Without it (a read-only root file system) only those answers failed, so the
    /// fault hid behind the small ones that worked; checked at start since 2026-12-08.
    /// </summary>
    private void TemporaryFolder(List<string> failures)
    {
        var folder = configuration["ASPNETCORE_TEMP"] is { Length: > 0 } given ? given : Path.GetTempPath();
        var why = !Directory.Exists(folder) ? "it does not exist" : CannotCreate(Path.Combine(folder, "answer"));
        if (why is not null)
            failures.Add($"The temporary folder '{folder}' (ASPNETCORE_TEMP, or the system's) cannot be written ({why}): heavy reads' " +
                         "answers over 256 KiB are held there while they are sent; point ASPNETCORE_TEMP at a folder the service may write.");
    }

    /// <summary>
    /// Why a key file could not be made at a path: a file of another name is made and taken away at once in its folder, or
    /// in the nearest folder above it that exists (the signer makes the folders). Nothing is left, and the key's own name
    /// is never taken, so a node making the key meanwhile is not disturbed (until 2026-12-07 a path the service could not
    /// write passed the start, and every checkpoint failed after it).
    /// </summary>
    private static string? CannotCreate(string path)
    {
        try
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            while (folder is not null && !Directory.Exists(folder)) folder = Path.GetDirectoryName(folder);
            if (folder is null) return "no folder of it exists";
            using (new FileStream(Path.Combine(folder, $".tracker-probe-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write,
                       FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return e.Message;
        }
    }

    private static bool IsP256(ECDsa key) => key.ExportParameters(true).Curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256";

    private static bool ReadsAsP256(string path)
    {
        try
        {
            return Imports(File.ReadAllText(path), IsP256);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool Imports(string pem, Func<ECDsa, bool> fits)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            return fits(key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return false;
        }
    }
}
