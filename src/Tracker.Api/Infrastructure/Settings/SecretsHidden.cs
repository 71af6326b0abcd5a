using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;

namespace Tracker.Api.Infrastructure.Settings;

/// <summary>
/// The configuration as the `describe` command shows it: every setting and where it came from, each secret's value
/// replaced. JasperFx's description prints every setting the host was given, the process's environment included, so
/// without this a description kept in a ticket or a build log carried the database password, the bootstrap admin key and
/// the checkpoints' private key. Secret are: a connection string's password, the settings this service keeps secrets in,
/// OpenTelemetry's exporter headers (an API key, often), and any setting whose name says it is a password, secret,
/// token, credential or private key.
/// </summary>
public static partial class SecretsHidden
{
    public const string Hidden = "(set, not shown)";

    /// <summary>A view of <paramref name="configuration"/> with each secret hidden, its sources named as before.</summary>
    public static IConfigurationRoot Of(IConfigurationRoot configuration) =>
        new ConfigurationRoot([.. configuration.Providers.Select(provider => new Hiding(provider))]);

    /// <summary>What `describe` shows for a setting: the value, or the value with its secret hidden.</summary>
    public static string? Shown(string key, string? value)
    {
        if (string.IsNullOrEmpty(value)) return value;
        if (SecretName().IsMatch(key) && !ShownName().IsMatch(key)) return Hidden;
        if (key.StartsWith("ConnectionStrings:", StringComparison.OrdinalIgnoreCase) ||
            value.Contains("password", StringComparison.OrdinalIgnoreCase) && value.Contains('=')) return WithoutPassword(value);
        // An address with a user and password in it (postgres://user:secret@host, an exporter's endpoint).
        return UserInfo().Replace(value, match => $"{match.Groups[1].Value}{Hidden}@");
    }

    private static readonly string[] PasswordKeys = ["password", "pwd", "psw", "ssl password", "sslpassword"];

    private static string WithoutPassword(string connectionString)
    {
        var parts = new DbConnectionStringBuilder();
        try
        {
            parts.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            return Hidden;
        }
        foreach (var key in PasswordKeys.Where(parts.ContainsKey)) parts[key] = Hidden;
        return parts.ConnectionString;
    }

    // The settings this service keeps secrets in (Auth:BootstrapAdminKey, Auth:Jwt:SigningKey,
    // Audit:Checkpoints:SigningKey), any key, OpenTelemetry's headers, and the usual words for a secret.
    [GeneratedRegex(@"(KEYS?|_HEADERS|PASSWORD|PASSWD|PWD|PASS|SECRET|TOKEN|CREDENTIALS?)$|(PASSWORD|SECRET)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    // Names that end like a secret's and are not one: a key's file, id or public half, and a set of trusted public keys.
    [GeneratedRegex(@"(KeyFile|KeyId|PublicKeys?|PublicKeyFile)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ShownName();

    [GeneratedRegex(@"^([a-z][a-z0-9+.-]*://[^/@:\s]+:)[^/@\s]+@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();

    /// <summary>A source of settings whose secrets read as <see cref="Hidden"/>; named as the source it reads.</summary>
    private sealed class Hiding(IConfigurationProvider inner) : IConfigurationProvider
    {
        public bool TryGet(string key, out string? value)
        {
            var found = inner.TryGet(key, out var given);
            value = found ? Shown(key, given) : null;
            return found;
        }

        public void Set(string key, string? value) => inner.Set(key, value);
        public IChangeToken GetReloadToken() => inner.GetReloadToken();

        // The source was loaded when the host was built.
        public void Load() { }

        public IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath) =>
            inner.GetChildKeys(earlierKeys, parentPath);

        public override string ToString() => inner.ToString() ?? nameof(Hiding);
    }
}
