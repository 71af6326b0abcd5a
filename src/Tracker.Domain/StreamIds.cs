using System.Security.Cryptography;
using System.Text;

namespace Tracker.Domain;

/// <summary>
/// Every stream's id is derived from its public key (RFC 9562 name-based UUID, version 5), so that the event store's own
/// primary key enforces key uniqueness inside the transaction that starts the stream, and an importer can address a
/// stream from its key without a lookup. The kind is part of the name so a document and a commitment may share a key.
/// </summary>
public static class StreamIds
{
    // A fixed namespace for this product's names; never change it, or every existing stream loses its address.
    private static readonly Guid Namespace = new("5b0c6b2e-3f47-4c1e-9a55-6f1d3c2a9e10");

    public static Guid ForDocument(string key) => NameBased($"document:{Normalise(key)}");

    public static Guid ForCommitment(string key) => NameBased($"commitment:{Normalise(key)}");

    /// <summary>
    /// Keys are case-insensitive: "Washington-2024" and "washington-2024" are the same key. Nothing else is forgiven: a
    /// key written with a space around it ("washington-2024 " in a URL) names no stream (until 2026-12-05 it was trimmed),
    /// and only ASCII letters fold: every key is ASCII, and until 2026-12-06 the Kelvin sign (U+212A) folded to "k", so
    /// "&#x212A;elvin-doc" read the document kelvin-doc. (Every valid key folds as it did: this changes no stream's id.)
    /// </summary>
    public static string Normalise(string key) => System.Text.Ascii.IsValid(key) ? key.ToLowerInvariant() : key;

    private static Guid NameBased(string name)
    {
        Span<byte> namespaceBytes = stackalloc byte[16];
        Namespace.TryWriteBytes(namespaceBytes, bigEndian: true, out _);
        var nameBytes = Encoding.UTF8.GetBytes(name);

        var input = new byte[16 + nameBytes.Length];
        namespaceBytes.CopyTo(input);
        nameBytes.CopyTo(input, 16);

        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash[..16], bigEndian: true);
    }
}
