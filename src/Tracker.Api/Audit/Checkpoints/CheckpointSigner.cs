using Tracker.Api.Infrastructure;
using System.Security.Cryptography;
using System.Text;

namespace Tracker.Api.Audit.Checkpoints;

/// <summary>Where the checkpoints' signing key comes from, and which older keys still verify old checkpoints.</summary>
public sealed class CheckpointOptions
{
    /// <summary>The signing key as PEM (an EC P-256 private key), e.g. from a secret store. Wins over the file.</summary>
    public string? SigningKey { get; set; }

    /// <summary>A PEM file holding the signing key; created with a new key when missing. Relative paths are under the content root.</summary>
    public string SigningKeyFile { get; set; } = ".data/keys/checkpoint-signing.pem";

    /// <summary>Whether a missing <see cref="SigningKeyFile"/> is created with a new key: the service's commands set it off.</summary>
    public bool CreateMissingKeyFile { get; set; } = true;

    /// <summary>
    /// A file, outside the database, where the node keeps the latest checkpoint it signed (<see cref="CheckpointMemory"/>):
    /// unset, <c>checkpoint-memory.json</c> in the signing key file's folder (a container's key volume); empty for none.
    /// Relative paths are under the content root.
    /// </summary>
    public string? MemoryFile { get; set; }

    /// <summary>Public keys (PEM) of keys used before a rotation: checkpoints they signed still verify.</summary>
    public List<string> TrustedPublicKeys { get; set; } = [];

    /// <summary>How often the service looks for new events to checkpoint.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How old an event must be before a checkpoint covers it: a transaction still in flight may hold a smaller sequence
    /// number than one already committed, and a checkpoint must never leave out an event that commits after it.
    /// </summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The most events one checkpoint covers: a log larger than this (a first checkpoint after an upgrade, a bulk import)
    /// is signed in several, one after the other, so memory stays bounded (56 bytes an event).
    /// </summary>
    public int MaxEvents { get; set; } = 50_000;

    /// <summary>
    /// How many of a checkpoint's events are read at a time, with <see cref="PauseBetweenReads"/> between. Measured on 2
    /// cores under reads at half load: 50,000 events read at once (0.5 s) put the reads' median at 25 ms for a quarter of
    /// a second (p99 38 ms); 5,000 at a time with 50 ms pauses, 14 ms for half a second (p99 24 ms); 1,000 at a time
    /// with 20 ms pauses (1.5 s in all), a p99 of 14 ms.
    /// </summary>
    public int EventsPerRead { get; set; } = 1_000;

    /// <summary>The pause between two reads of one checkpoint's events (<see cref="EventsPerRead"/>).</summary>
    public TimeSpan PauseBetweenReads { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Whether the service takes checkpoints on its own (every node may; one wins each number).</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>The public half of the signing key, as published for auditors to pin.</summary>
public sealed record CheckpointKey(string KeyId, string Algorithm, string PublicKeyPem);

/// <summary>
/// Signs checkpoints with ECDSA P-256 over SHA-256 (from the .NET base library; signatures in the IEEE P1363 form,
/// base64), and verifies them with the current key or any trusted older one. The key never enters the database: whoever
/// can rewrite the database cannot sign a checkpoint.
/// </summary>
public sealed class CheckpointSigner
{
    public const string Algorithm = "ECDSA P-256 SHA-256 (IEEE P1363 signature, base64)";

    private sealed record Keys(ECDsa Signing, string KeyId, Dictionary<string, ECDsa> Trusted, CheckpointKey Public);

    // Loaded on first use, not when the service is built: the settings are checked at start (SettingsCheck) before
    // anything signs, so a wrong key is reported there, named, with every other wrong setting.
    private readonly Lazy<Keys> _keys;

    public CheckpointSigner(Microsoft.Extensions.Options.IOptions<CheckpointOptions> options, IHostEnvironment environment,
        ILogger<CheckpointSigner> logger) =>
        _keys = new Lazy<Keys>(() => Load(options.Value, environment, logger));

    private static Keys Load(CheckpointOptions settings, IHostEnvironment environment, ILogger logger)
    {
        var key = ECDsa.Create();
        if (!string.IsNullOrWhiteSpace(settings.SigningKey))
        {
            Import(key, settings.SigningKey, "Audit:Checkpoints:SigningKey must be an EC P-256 private key in PEM form (BEGIN PRIVATE KEY or BEGIN EC PRIVATE KEY).");
        }
        else
        {
            var path = Path.IsPathRooted(settings.SigningKeyFile)
                ? settings.SigningKeyFile
                : Path.Combine(environment.ContentRootPath, settings.SigningKeyFile);
            string pem;
            try
            {
                // A command never creates the key: run from another folder, it would use a key of its own that no node
                // trusts.
                pem = settings.CreateMissingKeyFile ? ReadOrCreate(path, logger)
                    : File.Exists(path) ? File.ReadAllText(path)
                    : throw new ConfigurationProblem(
                        $"Audit:Checkpoints:SigningKeyFile '{path}' does not exist, and a command does not create one: run it from " +
                        "the service's folder (src/Tracker.Api), or set Audit:Checkpoints:SigningKey or SigningKeyFile to the service's key.");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationProblem(
                    $"Audit:Checkpoints:SigningKeyFile '{path}' cannot be read or created ({e.Message}): point it at a writable place, " +
                    "or set Audit:Checkpoints:SigningKey.", e);
            }
            Import(key, pem, $"Audit:Checkpoints:SigningKeyFile '{path}' does not hold an EC P-256 private key in PEM form.");
        }
        var keyId = KeyIdOf(key);
        var trusted = new Dictionary<string, ECDsa>(StringComparer.Ordinal) { [keyId] = key };
        foreach (var pem in settings.TrustedPublicKeys)
        {
            var old = ECDsa.Create();
            Import(old, pem, "Audit:Checkpoints:TrustedPublicKeys holds a key that is not an EC public key in PEM form.");
            trusted[KeyIdOf(old)] = old;
        }
        return new Keys(key, keyId, trusted, new CheckpointKey(keyId, Algorithm, key.ExportSubjectPublicKeyInfoPem()));
    }

    private static void Import(ECDsa key, string pem, string problem)
    {
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new ConfigurationProblem(problem, e);
        }
    }

    public string KeyId => _keys.Value.KeyId;

    public CheckpointKey PublicKey => _keys.Value.Public;

    public string Sign(string payload) =>
        Convert.ToBase64String(_keys.Value.Signing.SignData(Encoding.UTF8.GetBytes(payload), HashAlgorithmName.SHA256));

    /// <summary>Whether this service holds or trusts the key a checkpoint names.</summary>
    public bool Trusts(string keyId) => _keys.Value.Trusted.ContainsKey(keyId);

    /// <summary>Null when the signature holds; otherwise why not.</summary>
    public string? Check(string keyId, string payload, string signature)
    {
        if (!_keys.Value.Trusted.TryGetValue(keyId, out var key))
        {
            return $"it is signed by key {keyId}, which this service neither holds nor trusts: list that key's public PEM in " +
                   "Audit:Checkpoints:TrustedPublicKeys (after a key rotation, or a database restored beside another signing key)";
        }
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return "its signature is not base64";
        }
        return key.VerifyData(Encoding.UTF8.GetBytes(payload), bytes, HashAlgorithmName.SHA256)
            ? null
            : $"its signature does not match what it says under key {keyId}";
    }

    private static string KeyIdOf(ECDsa key) =>
        Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];

    // Several nodes (or test hosts) may start at once on one key file: the first creates it, the others read it.
    private static string ReadOrCreate(string path, ILogger logger)
    {
        if (File.Exists(path)) return File.ReadAllText(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = fresh.ExportPkcs8PrivateKeyPem();
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var writer = new StreamWriter(file))
            {
                writer.Write(pem);
            }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            logger.LogWarning("Created a new checkpoint signing key in {Path} (key id {KeyId}): keep a copy of its public key outside this machine",
                path, KeyIdOf(fresh));
            return pem;
        }
        catch (IOException) when (File.Exists(path))
        {
            for (var i = 0; i < 50; i++)
            {
                var text = File.ReadAllText(path);
                if (text.Contains("END PRIVATE KEY", StringComparison.Ordinal)) return text;
                Thread.Sleep(20);
            }
            return File.ReadAllText(path);
        }
    }
}
